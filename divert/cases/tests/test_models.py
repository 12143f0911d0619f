"""Database constraints on episodes and the rows recorded under them.

Each violating row is written with ``Model.objects.create`` so the database, not the action,
does the refusing; the same tests run on SQLite and PostgreSQL.
"""

import datetime as dt
import itertools

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from divert.cases.models import (
    Assessment,
    Contact,
    CourtHearing,
    Episode,
    Need,
    Offer,
    PoliceOutcome,
    Task,
)
from divert.cases.tests import factories

pytestmark = pytest.mark.django_db

_references = itertools.count(1)


@pytest.fixture
def author(users):
    return users["practitioner"]


@pytest.fixture
def episode(service, author):
    return factories.episode(
        author, site=service["sites"]["north-custody"], team=service["teams"]["north"]
    )


def episode_fields(service, author, **overrides):
    """Every field a valid adult episode row needs, with ``overrides`` applied."""
    received = timezone.now() - dt.timedelta(hours=2)
    fields = {
        "person": factories.person(author),
        "reference": f"TEST-{next(_references):06d}",
        "site": service["sites"]["north-custody"],
        "team": service["teams"]["north"],
        "pathway_point": "custody",
        "referral_source": "E1",
        "referral_received_at": received,
        "age_at_referral": 30,
        "pathway": "adult",
        "created_at": timezone.now(),
        "created_by": author,
    }
    fields.update(overrides)
    return fields


def recorded(episode, author, **fields):
    return {"episode": episode, "recorded_at": timezone.now(), "recorded_by": author, **fields}


def test_episode_valid_row_accepted(service, author):
    """A complete adult episode row is stored."""
    fields = episode_fields(service, author)

    episode = Episode.objects.create(**fields)

    assert Episode.objects.filter(pk=episode.pk).exists()


@pytest.mark.parametrize(("age", "pathway"), [(9, "youth"), (0, "youth"), (121, "adult")])
def test_episode_age_out_of_range_refused(service, author, age, pathway):
    """An age at referral under 10 or over 120 is refused, whatever the pathway."""
    fields = episode_fields(service, author, age_at_referral=age, pathway=pathway)

    with pytest.raises(IntegrityError, match="episode_age_in_range"), transaction.atomic():
        Episode.objects.create(**fields)


@pytest.mark.parametrize(("age", "pathway"), [(18, "youth"), (30, "youth"), (17, "adult")])
def test_episode_pathway_not_matching_age_refused(service, author, age, pathway):
    """A youth pathway at 18 or over, or an adult pathway under 18, is refused."""
    fields = episode_fields(service, author, age_at_referral=age, pathway=pathway)

    with pytest.raises(IntegrityError, match="episode_pathway_matches_age"), transaction.atomic():
        Episode.objects.create(**fields)


@pytest.mark.parametrize(("age", "pathway"), [(10, "youth"), (17, "youth"), (18, "adult")])
def test_episode_pathway_matching_age_accepted(service, author, age, pathway):
    """The pathway boundaries (10 and 17 youth, 18 adult) are accepted."""
    fields = episode_fields(service, author, age_at_referral=age, pathway=pathway)

    episode = Episode.objects.create(**fields)

    assert episode.pk is not None


def test_episode_detention_after_referral_refused(service, author):
    """A detention time after the referral time is refused."""
    received = timezone.now() - dt.timedelta(hours=2)
    fields = episode_fields(
        service,
        author,
        referral_received_at=received,
        detained_at=received + dt.timedelta(minutes=1),
    )

    with (
        pytest.raises(IntegrityError, match="episode_detention_before_referral"),
        transaction.atomic(),
    ):
        Episode.objects.create(**fields)


def test_episode_detention_at_referral_time_accepted(service, author):
    """A detention time equal to the referral time is stored."""
    received = timezone.now() - dt.timedelta(hours=2)
    fields = episode_fields(service, author, referral_received_at=received, detained_at=received)

    episode = Episode.objects.create(**fields)

    assert episode.detained_at == received


def test_episode_closure_reason_without_closed_at_refused(service, author):
    """A closure reason without a closure time is refused."""
    fields = episode_fields(service, author, closure_reason="other")

    with (
        pytest.raises(IntegrityError, match="episode_closure_complete_and_after_referral"),
        transaction.atomic(),
    ):
        Episode.objects.create(**fields)


def test_episode_closed_at_without_reason_refused(service, author):
    """A closure time without a closure reason is refused."""
    fields = episode_fields(service, author, closed_at=timezone.now())

    with (
        pytest.raises(IntegrityError, match="episode_closure_complete_and_after_referral"),
        transaction.atomic(),
    ):
        Episode.objects.create(**fields)


def test_episode_closed_before_referral_refused(service, author):
    """A closure time before the referral time is refused."""
    received = timezone.now() - dt.timedelta(hours=2)
    fields = episode_fields(
        service,
        author,
        referral_received_at=received,
        closed_at=received - dt.timedelta(minutes=1),
        closure_reason="other",
    )

    with (
        pytest.raises(IntegrityError, match="episode_closure_complete_and_after_referral"),
        transaction.atomic(),
    ):
        Episode.objects.create(**fields)


def test_episode_closed_with_reason_after_referral_accepted(service, author):
    """A closure with a reason, after the referral, is stored."""
    fields = episode_fields(service, author, closed_at=timezone.now(), closure_reason="other")

    episode = Episode.objects.create(**fields)

    assert episode.is_open is False


def test_episode_allocated_without_time_refused(service, author):
    """An allocation to a practitioner without an allocation time is refused."""
    fields = episode_fields(service, author, allocated_to=author)

    with pytest.raises(IntegrityError, match="episode_allocation_has_time"), transaction.atomic():
        Episode.objects.create(**fields)


def test_episode_unknown_referral_source_refused(service, author):
    """A source of referral outside the MHSDS list is refused."""
    fields = episode_fields(service, author, referral_source="Z9")

    with pytest.raises(IntegrityError, match="episode_referral_source_valid"), transaction.atomic():
        Episode.objects.create(**fields)


def test_episode_unknown_pathway_point_refused(service, author):
    """A pathway point outside the code list is refused."""
    fields = episode_fields(service, author, pathway_point="prison")

    with pytest.raises(IntegrityError, match="episode_pathway_point_valid"), transaction.atomic():
        Episode.objects.create(**fields)


def test_episode_duplicate_reference_refused(service, author, episode):
    """Two episodes cannot share a reference."""
    fields = episode_fields(service, author, reference=episode.reference)

    with pytest.raises(IntegrityError), transaction.atomic():
        Episode.objects.create(**fields)


def test_offer_unknown_outcome_refused(episode, author):
    """An offer outcome outside the four choices is refused."""
    fields = recorded(episode, author, offered_at=timezone.now(), outcome="maybe")

    with pytest.raises(IntegrityError, match="offer_outcome_valid"), transaction.atomic():
        Offer.objects.create(**fields)


def test_offer_not_possible_without_reason_refused(episode, author):
    """An offer that was not possible must say why."""
    fields = recorded(episode, author, offered_at=timezone.now(), outcome="not_possible")

    with (
        pytest.raises(IntegrityError, match="offer_not_possible_needs_reason"),
        transaction.atomic(),
    ):
        Offer.objects.create(**fields)


def test_offer_reason_when_accepted_refused(episode, author):
    """A not-possible reason on an accepted offer is refused."""
    fields = recorded(
        episode,
        author,
        offered_at=timezone.now(),
        outcome="accepted",
        not_possible_reason="intoxicated",
    )

    with (
        pytest.raises(IntegrityError, match="offer_reason_only_when_not_possible"),
        transaction.atomic(),
    ):
        Offer.objects.create(**fields)


def test_offer_not_possible_with_reason_accepted(episode, author):
    """A not-possible offer with a reason is stored."""
    fields = recorded(
        episode,
        author,
        offered_at=timezone.now(),
        outcome="not_possible",
        not_possible_reason="released_before_seen",
    )

    offer = Offer.objects.create(**fields)

    assert offer.pk is not None


def test_need_duplicate_category_per_episode_refused(episode, author):
    """The same need category cannot be recorded twice on one episode."""
    Need.objects.create(**recorded(episode, author, category="autism", identified_by="police"))
    duplicate = recorded(episode, author, category="autism", identified_by="self_reported")

    with pytest.raises(IntegrityError), transaction.atomic():
        Need.objects.create(**duplicate)


def test_need_same_category_on_another_episode_accepted(service, episode, author):
    """The same need category may be recorded on two different episodes."""
    other = factories.episode(
        author, site=service["sites"]["north-custody"], team=service["teams"]["north"]
    )
    Need.objects.create(**recorded(episode, author, category="autism", identified_by="police"))

    need = Need.objects.create(**recorded(other, author, category="autism", identified_by="police"))

    assert need.pk is not None


def test_need_unknown_category_refused(episode, author):
    """A need category outside the vulnerability list is refused."""
    fields = recorded(episode, author, category="bad_luck", identified_by="police")

    with pytest.raises(IntegrityError, match="need_category_valid"), transaction.atomic():
        Need.objects.create(**fields)


def test_assessment_completed_before_start_refused(episode, author):
    """An assessment cannot be completed before it started."""
    started = timezone.now() - dt.timedelta(hours=1)
    fields = recorded(
        episode, author, started_at=started, completed_at=started - dt.timedelta(minutes=1)
    )

    with (
        pytest.raises(IntegrityError, match="assessment_completed_after_start"),
        transaction.atomic(),
    ):
        Assessment.objects.create(**fields)


def test_assessment_safeguarding_reference_without_concern_refused(episode, author):
    """A safeguarding referral reference needs a recorded safeguarding concern."""
    fields = recorded(
        episode,
        author,
        started_at=timezone.now(),
        safeguarding_concern=False,
        safeguarding_referral_reference="MASH-123",
    )

    with (
        pytest.raises(IntegrityError, match="assessment_safeguarding_reference_needs_concern"),
        transaction.atomic(),
    ):
        Assessment.objects.create(**fields)


def test_assessment_safeguarding_reference_with_concern_accepted(episode, author):
    """A safeguarding referral reference with a concern is stored."""
    fields = recorded(
        episode,
        author,
        started_at=timezone.now(),
        safeguarding_concern=True,
        safeguarding_referral_reference="MASH-123",
    )

    assessment = Assessment.objects.create(**fields)

    assert assessment.pk is not None


def test_contact_unknown_type_refused(episode, author):
    """A contact type outside the code list is refused."""
    fields = recorded(episode, author, contact_type="carrier_pigeon", occurred_at=timezone.now())

    with pytest.raises(IntegrityError, match="contact_type_valid"), transaction.atomic():
        Contact.objects.create(**fields)


def test_contact_longer_than_a_day_refused(episode, author):
    """A contact lasting more than 24 hours is refused."""
    fields = recorded(
        episode, author, contact_type="phone", occurred_at=timezone.now(), duration_minutes=1441
    )

    with (
        pytest.raises(IntegrityError, match="contact_duration_at_most_a_day"),
        transaction.atomic(),
    ):
        Contact.objects.create(**fields)


def test_contact_of_exactly_a_day_accepted(episode, author):
    """A contact of exactly 24 hours is stored."""
    fields = recorded(
        episode, author, contact_type="phone", occurred_at=timezone.now(), duration_minutes=1440
    )

    contact = Contact.objects.create(**fields)

    assert contact.duration_minutes == 1440


@pytest.mark.parametrize("missing", ["completed_at", "completed_by"])
def test_task_completion_without_author_or_time_refused(episode, author, missing):
    """A completed task needs both the completion time and who completed it."""
    fields = recorded(
        episode,
        author,
        title="Check attendance",
        due_on=timezone.localdate(),
        completed_at=timezone.now(),
        completed_by=author,
    )
    fields[missing] = None

    with pytest.raises(IntegrityError, match="task_completion_has_author"), transaction.atomic():
        Task.objects.create(**fields)


@pytest.mark.parametrize(
    ("outcome_list", "outcome"),
    [
        ("youth", "simple_caution"),
        ("youth", "charged_bailed"),
        ("adult", "youth_caution"),
        ("adult", "made_up"),
        ("other", "no_further_action"),
    ],
)
def test_police_outcome_from_wrong_list_refused(episode, author, outcome_list, outcome):
    """A police outcome must come from the list its row says it uses (youth or adult)."""
    fields = recorded(
        episode, author, outcome_list=outcome_list, outcome=outcome, decided_at=timezone.now()
    )

    with pytest.raises(IntegrityError, match="police_outcome_in_its_list"), transaction.atomic():
        PoliceOutcome.objects.create(**fields)


@pytest.mark.parametrize(
    ("outcome_list", "outcome"), [("youth", "youth_caution"), ("adult", "simple_caution")]
)
def test_police_outcome_from_its_list_accepted(episode, author, outcome_list, outcome):
    """A police outcome from its own list is stored."""
    fields = recorded(
        episode, author, outcome_list=outcome_list, outcome=outcome, decided_at=timezone.now()
    )

    record = PoliceOutcome.objects.create(**fields)

    assert record.pk is not None


def test_court_hearing_sentence_without_sentenced_outcome_refused(service, episode, author):
    """A sentence type is refused unless the court outcome is 'sentenced'."""
    fields = recorded(
        episode,
        author,
        court=service["sites"]["north-court"],
        hearing_on=timezone.localdate(),
        outcome="bail",
        sentence_type="fine",
        decided_at=timezone.now(),
    )

    with (
        pytest.raises(IntegrityError, match="court_sentence_only_when_sentenced"),
        transaction.atomic(),
    ):
        CourtHearing.objects.create(**fields)


def test_court_hearing_outcome_without_decision_time_refused(service, episode, author):
    """A court outcome needs the time it was decided."""
    fields = recorded(
        episode,
        author,
        court=service["sites"]["north-court"],
        hearing_on=timezone.localdate(),
        outcome="bail",
    )

    with (
        pytest.raises(IntegrityError, match="court_outcome_has_decision_time"),
        transaction.atomic(),
    ):
        CourtHearing.objects.create(**fields)


def test_court_hearing_sentenced_with_sentence_accepted(service, episode, author):
    """A 'sentenced' outcome with a sentence type and decision time is stored."""
    fields = recorded(
        episode,
        author,
        court=service["sites"]["north-court"],
        hearing_on=timezone.localdate(),
        outcome="sentenced",
        sentence_type="fine",
        decided_at=timezone.now(),
    )

    hearing = CourtHearing.objects.create(**fields)

    assert hearing.sentence_type == "fine"
