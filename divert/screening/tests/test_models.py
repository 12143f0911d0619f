"""Database constraints on instrument versions, administrations and answers."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from divert.cases.tests import factories
from divert.screening.models import Administration, Answer, InstrumentVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def author(users):
    return users["practitioner"]


def instrument_fields(**overrides):
    fields = {
        # Not a shipped slug: migration 0003 publishes the real instruments.
        "slug": "test-instrument",
        "version": 1,
        "title": "Test instrument",
        "checksum": "0" * 64,
        "definition": {"items": []},
        "published_at": timezone.now(),
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def instrument(db):
    return InstrumentVersion.objects.create(**instrument_fields())


@pytest.fixture
def episode(service, author):
    return factories.episode(
        author, site=service["sites"]["north-custody"], team=service["teams"]["north"]
    )


def administration_fields(episode, instrument, author, **overrides):
    fields = {
        "episode": episode,
        "instrument_version": instrument,
        "started_at": timezone.now() - dt.timedelta(minutes=30),
        "administered_by": author,
    }
    fields.update(overrides)
    return fields


def test_instrument_version_duplicate_refused(instrument):
    """The same instrument version cannot be published twice."""
    fields = instrument_fields(slug=instrument.slug, version=instrument.version)

    with pytest.raises(IntegrityError), transaction.atomic():
        InstrumentVersion.objects.create(**fields)


def test_instrument_next_version_accepted(instrument):
    """A new version of an instrument is stored beside the old one."""
    fields = instrument_fields(slug=instrument.slug, version=instrument.version + 1)

    InstrumentVersion.objects.create(**fields)

    assert InstrumentVersion.objects.filter(slug=instrument.slug).count() == 2


def test_instrument_version_zero_refused(db):
    """Instrument versions start at 1."""
    fields = instrument_fields(version=0)

    with pytest.raises(IntegrityError, match="instrument_version_positive"), transaction.atomic():
        InstrumentVersion.objects.create(**fields)


def test_administration_completed_before_start_refused(episode, instrument, author):
    """An administration cannot be completed before it started."""
    started = timezone.now() - dt.timedelta(minutes=30)
    fields = administration_fields(
        episode,
        instrument,
        author,
        started_at=started,
        completed_at=started - dt.timedelta(seconds=1),
    )

    with (
        pytest.raises(IntegrityError, match="administration_completed_after_start"),
        transaction.atomic(),
    ):
        Administration.objects.create(**fields)


def test_administration_complete_without_completion_time_refused(episode, instrument, author):
    """A complete administration must record when it was completed."""
    fields = administration_fields(episode, instrument, author, is_complete=True)

    with (
        pytest.raises(IntegrityError, match="administration_complete_has_time"),
        transaction.atomic(),
    ):
        Administration.objects.create(**fields)


def test_administration_override_without_reason_refused(episode, instrument, author, users):
    """Overriding the band needs a reason."""
    fields = administration_fields(
        episode,
        instrument,
        author,
        override_band="high",
        overridden_by=users["team_leader"],
        overridden_at=timezone.now(),
    )

    with (
        pytest.raises(IntegrityError, match="administration_override_needs_reason"),
        transaction.atomic(),
    ):
        Administration.objects.create(**fields)


def test_administration_override_without_author_refused(episode, instrument, author):
    """Overriding the band needs to record who overrode it."""
    fields = administration_fields(
        episode,
        instrument,
        author,
        override_band="high",
        override_reason="Clinical judgement.",
        overridden_at=timezone.now(),
    )

    with (
        pytest.raises(IntegrityError, match="administration_override_needs_reason"),
        transaction.atomic(),
    ):
        Administration.objects.create(**fields)


def test_administration_override_with_reason_and_author_accepted(episode, instrument, author):
    """An override with a reason and its author is stored."""
    fields = administration_fields(
        episode,
        instrument,
        author,
        override_band="high",
        override_reason="Clinical judgement.",
        overridden_by=author,
        overridden_at=timezone.now(),
    )

    administration = Administration.objects.create(**fields)

    assert administration.override_band == "high"


def test_administration_override_without_its_time_refused(episode, instrument, author):
    """An override must say when it was made."""
    fields = administration_fields(
        episode,
        instrument,
        author,
        override_band="high",
        override_reason="Clinical judgement.",
        overridden_by=author,
    )

    with (
        pytest.raises(IntegrityError, match="administration_override_has_time"),
        transaction.atomic(),
    ):
        Administration.objects.create(**fields)


def test_answer_duplicate_item_refused(episode, instrument, author):
    """An administration holds at most one answer per item."""
    administration = Administration.objects.create(
        **administration_fields(episode, instrument, author)
    )
    Answer.objects.create(administration=administration, link_id="q1", value="yes")

    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(administration=administration, link_id="q1", value="no")
