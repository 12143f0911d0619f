"""Amendments: corrections keep the old and new value with a reason, all or nothing."""

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict

from divert.audit.models import AuditEvent
from divert.cases.models import Episode
from divert.cases.tests import factories
from divert.core.actions import amend
from divert.core.models import Amendment
from divert.people.models import Person

pytestmark = pytest.mark.django_db

GIVEN_NAME = "Zebedee"
FAMILY_NAME = "Quixwhistle"


@pytest.fixture
def author(users):
    return users["practitioner"]


@pytest.fixture
def episode(service, author):
    subject = factories.person(author, given_name=GIVEN_NAME, family_name=FAMILY_NAME)
    return factories.episode(
        author,
        subject=subject,
        site=service["sites"]["north-custody"],
        team=service["teams"]["north"],
        referrer_name="PC Example",
    )


def last_event_id():
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def test_amend_keeps_old_and_new_values_with_reason(episode, author):
    """A correction stores what the field said before, what it says now, who, when and why."""

    amendments = amend(
        record=episode,
        by=author,
        changes={"referrer_name": "PC Sample"},
        reason="Misheard on the phone",
        person_id=episode.person_id,
    )

    stored = Amendment.objects.get()
    assert amendments == [stored]
    assert (stored.model_label, stored.object_id, stored.field) == (
        "cases.Episode",
        str(episode.pk),
        "referrer_name",
    )
    assert (stored.old_value, stored.new_value) == ("PC Example", "PC Sample")
    assert (stored.reason, stored.amended_by, stored.person_id) == (
        "Misheard on the phone",
        author,
        episode.person_id,
    )
    assert stored.amended_at is not None


def test_amend_changes_record_and_increments_version(episode, author):
    """The record takes the new value and its version goes up by one."""

    amend(record=episode, by=author, changes={"referrer_name": "PC Sample"}, reason="Typo")

    stored = Episode.objects.get(pk=episode.pk)
    assert (stored.referrer_name, stored.version) == ("PC Sample", 2)


def test_amend_one_row_per_changed_field(episode, author):
    """Each changed field gets its own amendment; unchanged fields in the request get none."""

    amend(
        record=episode,
        by=author,
        changes={
            "referrer_name": "PC Sample",
            "referrer_role": "Custody sergeant",
            "site": episode.site,
        },
        reason="Corrected from the custody record",
    )

    assert sorted(Amendment.objects.values_list("field", flat=True)) == [
        "referrer_name",
        "referrer_role",
    ]
    assert Episode.objects.get(pk=episode.pk).version == 2


def test_amend_date_stored_as_iso_text(episode, author):
    """Dates are kept in the amendment as ISO 8601 text."""
    person = episode.person

    amend(
        record=person,
        by=author,
        changes={"date_of_birth": dt.date(1990, 5, 18)},
        reason="Date of birth confirmed with GP",
        person_id=person.pk,
    )

    stored = Amendment.objects.get()
    assert (stored.old_value, stored.new_value) == ("1990-05-17", "1990-05-18")
    assert Person.objects.get(pk=person.pk).date_of_birth == dt.date(1990, 5, 18)


@pytest.mark.parametrize("reason", ["", "   "])
def test_amend_without_reason_refused(episode, author, reason):
    """A correction without a reason is refused, keyed 'reason', and nothing changes."""

    with pytest.raises(ValidationError) as error:
        amend(record=episode, by=author, changes={"referrer_name": "PC Sample"}, reason=reason)

    assert set(error.value.message_dict) == {"reason"}
    assert Episode.objects.get(pk=episode.pk).referrer_name == "PC Example"
    assert not Amendment.objects.exists()


def test_amend_unchanged_value_writes_nothing(episode, author):
    """A 'correction' to the value already held writes no amendment, audit event or version."""
    before = last_event_id()

    amendments = amend(
        record=episode, by=author, changes={"referrer_name": "PC Example"}, reason="Checked"
    )

    assert amendments == []
    assert not Amendment.objects.exists()
    assert not AuditEvent.objects.filter(id__gt=before).exists()
    assert Episode.objects.get(pk=episode.pk).version == 1


def test_amend_invalid_second_field_changes_nothing(episode, author):
    """If any field in a correction is invalid, no field is changed and nothing is recorded."""
    before = last_event_id()

    with pytest.raises(ValidationError):
        amend(
            record=episode,
            by=author,
            changes={"referrer_name": "PC Sample", "referral_source": "Z9"},
            reason="Corrected",
        )

    stored = Episode.objects.get(pk=episode.pk)
    assert (stored.referrer_name, stored.referral_source, stored.version) == (
        "PC Example",
        "E1",
        1,
    )
    assert not Amendment.objects.exists()
    assert not AuditEvent.objects.filter(id__gt=before).exists()


def test_amend_invalid_nhs_number_refused(episode, author):
    """A correction is validated like new data: a bad NHS number is refused."""
    person = episode.person

    with pytest.raises(ValidationError) as error:
        amend(record=person, by=author, changes={"nhs_number": "9434765918"}, reason="Typo")

    assert "nhs_number" in error.value.message_dict
    assert Person.objects.get(pk=person.pk).nhs_number is None


def test_amend_writes_one_audit_event_without_names(episode, author):
    """A correction writes one audit event with the actor, person and field names, not values."""
    person = episode.person
    before = last_event_id()

    amend(
        record=person,
        by=author,
        changes={"given_name": "Zebadiah", "family_name": "Quickwhistle"},
        reason=f"{GIVEN_NAME} spelled it out",
        person_id=person.pk,
    )

    events = list(AuditEvent.objects.filter(id__gt=before))
    assert len(events) == 1
    event = events[0]
    assert (event.actor_id, event.person_id, event.action) == (author.pk, person.pk, "update")
    assert event.changes == {"fields": ["given_name", "family_name"]}
    row = json.dumps(model_to_dict(event), default=str).lower()
    for name in [GIVEN_NAME, FAMILY_NAME, "Zebadiah", "Quickwhistle"]:
        assert name.lower() not in row
