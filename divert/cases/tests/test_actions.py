"""Episode actions: opening (age, pathway, reference), offers, needs, outcomes, closure, audit."""

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from divert.audit.models import AuditEvent
from divert.cases import actions
from divert.cases.models import Episode, Need, Offer, PoliceOutcome
from divert.cases.tests import factories
from divert.core.formatting import age_on

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
UTC = dt.UTC

# Distinctive so that a search of an audit row cannot match anything else by accident.
GIVEN_NAME = "Zebedee"
FAMILY_NAME = "Quixwhistle"


def london(*args):
    return dt.datetime(*args, tzinfo=LONDON)


@pytest.fixture
def author(users):
    return users["practitioner"]


@pytest.fixture
def north(service):
    return {"site": service["sites"]["north-custody"], "team": service["teams"]["north"]}


def open_for(author, north, date_of_birth, received_at, **details):
    subject = factories.person(author, date_of_birth=date_of_birth)
    return factories.episode(author, subject=subject, received_at=received_at, **north, **details)


@pytest.fixture
def adult_episode(author, north):
    return open_for(author, north, dt.date(1990, 5, 17), timezone.now() - dt.timedelta(hours=2))


@pytest.fixture
def youth_episode(author, north):
    fifteen = timezone.localdate() - dt.timedelta(days=15 * 366)
    return open_for(author, north, fifteen, timezone.now() - dt.timedelta(hours=2))


def test_open_episode_day_before_18th_birthday_stays_youth(author, north):
    """Referred the day before turning 18, the episode stays youth after the birthday (scenario 8).

    A new episode opened after the birthday is adult.
    """
    with time_machine.travel(london(2026, 6, 14, 15, 0), tick=False):
        subject = factories.person(author, date_of_birth=dt.date(2008, 6, 15))
        first = factories.episode(
            author, subject=subject, received_at=london(2026, 6, 14, 11, 0), **north
        )

    with time_machine.travel(london(2026, 6, 20, 10, 0), tick=False):
        actions.record_contact(
            episode=first, by=author, contact_type="phone", occurred_at=timezone.now()
        )
        second = factories.episode(
            author, subject=subject, received_at=london(2026, 6, 20, 9, 0), **north
        )

    first.refresh_from_db()
    assert (first.age_at_referral, first.pathway) == (17, "youth")
    assert (second.age_at_referral, second.pathway) == (18, "adult")


def test_open_episode_birthday_on_referral_day_counts_as_turned(author, north):
    """A person referred on their 18th birthday is 18 and on the adult pathway."""
    with time_machine.travel(london(2026, 6, 15, 12, 0), tick=False):
        subject = factories.person(author, date_of_birth=dt.date(2008, 6, 15))

        episode = factories.episode(
            author, subject=subject, received_at=london(2026, 6, 15, 0, 5), **north
        )

    assert (episode.age_at_referral, episode.pathway) == (18, "adult")


def test_open_episode_age_uses_london_date_not_utc(author, north):
    """At 23:30 UTC in summer it is already the next day in London, and age follows London."""
    with time_machine.travel(dt.datetime(2026, 6, 15, 6, 0, tzinfo=UTC), tick=False):
        subject = factories.person(author, date_of_birth=dt.date(2008, 6, 15))
        received = dt.datetime(2026, 6, 14, 23, 30, tzinfo=UTC)  # 00:30 BST on 15 June

        episode = factories.episode(author, subject=subject, received_at=received, **north)

    assert (episode.age_at_referral, episode.pathway) == (18, "adult")


def test_open_episode_29_february_birthday_turns_on_1_march(author, north):
    """Someone born on 29 February is still 17 on 28 February of their 18th year."""
    with time_machine.travel(london(2026, 3, 1, 12, 0), tick=False):
        subject = factories.person(author, date_of_birth=dt.date(2008, 2, 29))
        before = factories.episode(
            author, subject=subject, received_at=london(2026, 2, 28, 12, 0), **north
        )

        after = factories.episode(
            author, subject=subject, received_at=london(2026, 3, 1, 9, 0), **north
        )

    assert (before.age_at_referral, before.pathway) == (17, "youth")
    assert (after.age_at_referral, after.pathway) == (18, "adult")


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    received=st.datetimes(
        min_value=dt.datetime(2000, 1, 1),  # noqa: DTZ001 - hypothesis attaches the zone
        max_value=dt.datetime(2025, 12, 31),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
    age_in_days=st.integers(min_value=10 * 366, max_value=40 * 365),
)
def test_open_episode_pathway_follows_age_on_london_date(author, north, received, age_in_days):
    """The pathway is youth exactly when the person is under 18 on the London referral date."""
    born = received.astimezone(LONDON).date() - dt.timedelta(days=age_in_days)
    expected_age = age_on(born, received.astimezone(LONDON).date())

    episode = open_for(author, north, born, received)

    assert episode.age_at_referral == expected_age
    assert episode.pathway == ("youth" if expected_age < 18 else "adult")


def test_open_episode_under_ten_refused(author, north):
    """A child under 10 (below the age of criminal responsibility) cannot be referred."""
    with time_machine.travel(london(2026, 6, 14, 12, 0), tick=False):
        subject = factories.person(author, date_of_birth=dt.date(2016, 6, 15))

        with pytest.raises(ValidationError) as error:
            factories.episode(
                author, subject=subject, received_at=london(2026, 6, 14, 9, 0), **north
            )

    assert set(error.value.message_dict) == {"referral_received_at"}
    assert not Episode.objects.filter(person=subject).exists()


def test_open_episode_tenth_birthday_accepted(author, north):
    """A child referred on their 10th birthday is accepted on the youth pathway."""
    with time_machine.travel(london(2026, 6, 15, 12, 0), tick=False):
        subject = factories.person(author, date_of_birth=dt.date(2016, 6, 15))

        episode = factories.episode(
            author, subject=subject, received_at=london(2026, 6, 15, 9, 0), **north
        )

    assert (episode.age_at_referral, episode.pathway) == (10, "youth")


def test_open_episode_future_referral_refused(author, north):
    """A referral time more than a few minutes in the future is refused."""
    received = timezone.now() + dt.timedelta(hours=1)

    with pytest.raises(ValidationError) as error:
        factories.episode(author, received_at=received, **north)

    assert set(error.value.message_dict) == {"referral_received_at"}
    assert not Episode.objects.exists()


def test_open_episode_detention_after_referral_refused(author, north):
    """An arrest or detention time after the referral time is refused."""
    received = timezone.now() - dt.timedelta(hours=2)

    with pytest.raises(ValidationError) as error:
        factories.episode(
            author, received_at=received, detained_at=received + dt.timedelta(minutes=5), **north
        )

    assert set(error.value.message_dict) == {"detained_at"}
    assert not Episode.objects.exists()


def test_open_episode_team_not_covering_site_refused(service, author):
    """A team cannot take a referral at a site it does not cover."""
    site, team = service["sites"]["north-custody"], service["teams"]["south"]

    with pytest.raises(ValidationError) as error:
        factories.episode(author, site=site, team=team)

    assert set(error.value.message_dict) == {"team"}
    assert not Episode.objects.exists()


def test_open_episode_several_errors_keyed_by_field(service, author):
    """All problems with a referral are reported together, each under its field."""
    received = timezone.now() - dt.timedelta(hours=2)

    with pytest.raises(ValidationError) as error:
        factories.episode(
            author,
            site=service["sites"]["north-custody"],
            team=service["teams"]["south"],
            received_at=received,
            detained_at=received + dt.timedelta(hours=1),
        )

    assert set(error.value.message_dict) == {"detained_at", "team"}


def test_open_episode_references_sequential_per_year(author, north):
    """References count up within a year and start again at 1 in a new year."""
    received = [
        london(2025, 12, 31, 10, 0),
        london(2025, 12, 31, 23, 30),
        london(2026, 1, 1, 0, 15),
        london(2026, 1, 2, 9, 0),
    ]

    with time_machine.travel(london(2026, 1, 2, 12, 0), tick=False):
        references = [
            factories.episode(author, received_at=at, **north).reference for at in received
        ]

    assert references == ["LD25-000001", "LD25-000002", "LD26-000001", "LD26-000002"]


def test_open_episode_reference_continues_after_later_year(author, north):
    """A late-entered referral from last year takes the next number in last year's sequence."""
    with time_machine.travel(london(2026, 1, 5, 12, 0), tick=False):
        factories.episode(author, received_at=london(2025, 12, 30, 9, 0), **north)
        factories.episode(author, received_at=london(2026, 1, 5, 9, 0), **north)

        late = factories.episode(author, received_at=london(2025, 12, 31, 9, 0), **north)

    assert late.reference == "LD25-000002"


def test_record_offer_under_16_accepting_without_gillick_refused(youth_episode, author):
    """An under-16 who accepts needs a recorded Gillick competence outcome."""

    with pytest.raises(ValidationError) as error:
        actions.record_offer(episode=youth_episode, by=author, outcome="accepted")

    assert set(error.value.message_dict) == {"competence"}
    assert not Offer.objects.exists()


def test_record_offer_under_16_competence_not_assessed_refused(youth_episode, author):
    """'Not assessed' is not a Gillick outcome for an under-16 who accepts."""

    with pytest.raises(ValidationError) as error:
        actions.record_offer(
            episode=youth_episode, by=author, outcome="accepted", competence="not_assessed"
        )

    assert set(error.value.message_dict) == {"competence"}


@pytest.mark.parametrize("competence", ["competent", "not_competent"])
def test_record_offer_under_16_accepting_with_gillick_accepted(youth_episode, author, competence):
    """An under-16's acceptance is recorded with its Gillick competence outcome."""

    offer = actions.record_offer(
        episode=youth_episode, by=author, outcome="accepted", competence=competence
    )

    assert Offer.objects.get(pk=offer.pk).competence == competence


def test_record_offer_under_16_declining_without_gillick_accepted(youth_episode, author):
    """An under-16 who declines needs no Gillick outcome."""

    offer = actions.record_offer(episode=youth_episode, by=author, outcome="declined")

    assert offer.pk is not None


def test_record_offer_sixteen_accepting_without_gillick_accepted(author, north):
    """A 16-year-old's acceptance needs no Gillick outcome."""
    with time_machine.travel(london(2026, 6, 15, 12, 0), tick=False):
        episode = open_for(author, north, dt.date(2010, 6, 15), london(2026, 6, 15, 9, 0))

        offer = actions.record_offer(episode=episode, by=author, outcome="accepted")

    assert offer.competence == ""


def test_record_offer_decline_then_accept_keeps_both(adult_episode, author):
    """A person who declines and later accepts has both offers recorded, in order."""
    now = timezone.now()
    actions.record_offer(
        episode=adult_episode, by=author, outcome="declined", offered_at=now - dt.timedelta(hours=1)
    )

    actions.record_offer(episode=adult_episode, by=author, outcome="accepted", offered_at=now)

    assert list(adult_episode.offers.values_list("outcome", flat=True)) == ["declined", "accepted"]


def test_record_offer_before_referral_refused(adult_episode, author):
    """An offer cannot be made before the referral was received."""
    offered = adult_episode.referral_received_at - dt.timedelta(minutes=1)

    with pytest.raises(ValidationError) as error:
        actions.record_offer(
            episode=adult_episode, by=author, outcome="declined", offered_at=offered
        )

    assert set(error.value.message_dict) == {"offered_at"}


def test_record_offer_not_possible_without_reason_refused(adult_episode, author):
    """An offer that was not possible must say why."""

    with pytest.raises(ValidationError):
        actions.record_offer(episode=adult_episode, by=author, outcome="not_possible")

    assert not Offer.objects.exists()


def test_record_need_duplicate_refused(adult_episode, author):
    """A need already recorded on the episode cannot be recorded again."""
    actions.record_need(episode=adult_episode, by=author, category="autism", identified_by="police")

    with pytest.raises(ValidationError) as error:
        actions.record_need(
            episode=adult_episode, by=author, category="autism", identified_by="self_reported"
        )

    assert set(error.value.message_dict) == {"category"}
    assert Need.objects.filter(episode=adult_episode).count() == 1


def test_record_need_unknown_category_refused(adult_episode, author):
    """A need outside the vulnerability list is refused, keyed by category."""

    with pytest.raises(ValidationError) as error:
        actions.record_need(
            episode=adult_episode, by=author, category="bad_luck", identified_by="police"
        )

    assert "category" in error.value.message_dict


@pytest.mark.parametrize("outcome", ["simple_caution", "charged_bailed", "conditional_caution"])
def test_record_police_outcome_adult_code_on_youth_episode_refused(youth_episode, author, outcome):
    """A youth episode takes outcomes from the youth list only."""

    with pytest.raises(ValidationError) as error:
        actions.record_police_outcome(
            episode=youth_episode, by=author, outcome=outcome, decided_at=timezone.now()
        )

    assert set(error.value.message_dict) == {"outcome"}
    assert not PoliceOutcome.objects.exists()


def test_record_police_outcome_youth_code_on_adult_episode_refused(adult_episode, author):
    """An adult episode takes outcomes from the adult list only."""

    with pytest.raises(ValidationError) as error:
        actions.record_police_outcome(
            episode=adult_episode, by=author, outcome="youth_caution", decided_at=timezone.now()
        )

    assert set(error.value.message_dict) == {"outcome"}


def test_record_police_outcome_youth_code_on_youth_episode_accepted(youth_episode, author):
    """A youth outcome on a youth episode is stored against the youth list."""

    record = actions.record_police_outcome(
        episode=youth_episode, by=author, outcome="youth_caution", decided_at=timezone.now()
    )

    assert (record.outcome_list, record.outcome) == ("youth", "youth_caution")


def test_record_court_hearing_not_a_court_refused(service, adult_episode, author):
    """A hearing must be at a court, not a custody suite."""
    custody = service["sites"]["north-custody"]

    with pytest.raises(ValidationError) as error:
        actions.record_court_hearing(
            episode=adult_episode, by=author, court=custody, hearing_on=timezone.localdate()
        )

    assert set(error.value.message_dict) == {"court"}


def test_record_court_hearing_at_court_accepted(service, adult_episode, author):
    """A hearing at a magistrates' court is stored."""
    court = service["sites"]["north-court"]

    hearing = actions.record_court_hearing(
        episode=adult_episode, by=author, court=court, hearing_on=timezone.localdate()
    )

    assert hearing.court == court


def test_close_episode_records_who_why_and_when(adult_episode, author):
    """Closing an episode records the reason and who closed it, and bumps the version."""

    closed = actions.close_episode(episode=adult_episode, by=author, reason="declined_service")

    stored = Episode.objects.get(pk=adult_episode.pk)
    assert stored.closed_at is not None
    assert (stored.closure_reason, stored.closed_by, stored.version) == (
        "declined_service",
        author,
        2,
    )
    assert closed.is_open is False


@pytest.mark.parametrize(
    "record",
    [
        lambda episode, by: actions.record_offer(episode=episode, by=by, outcome="declined"),
        lambda episode, by: actions.record_need(
            episode=episode, by=by, category="trauma", identified_by="police"
        ),
        lambda episode, by: actions.record_assessment(
            episode=episode, by=by, started_at=timezone.now()
        ),
        lambda episode, by: actions.allocate_episode(episode=episode, to=by, by=by),
        lambda episode, by: actions.close_episode(episode=episode, by=by, reason="other"),
    ],
    ids=["offer", "need", "assessment", "allocation", "closure"],
)
def test_close_episode_then_recording_refused(adult_episode, author, record):
    """Nothing more can be recorded on a closed episode until it is reopened."""
    closed = actions.close_episode(episode=adult_episode, by=author, reason="other")
    events_before = AuditEvent.objects.count()

    with pytest.raises(ValidationError):
        record(closed, author)

    assert AuditEvent.objects.count() == events_before
    assert not Offer.objects.exists()


def test_close_episode_before_referral_refused(adult_episode, author):
    """An episode cannot be closed before its referral was received."""
    closed_at = adult_episode.referral_received_at - dt.timedelta(minutes=1)

    with pytest.raises(ValidationError):
        actions.close_episode(episode=adult_episode, by=author, reason="other", closed_at=closed_at)

    assert Episode.objects.get(pk=adult_episode.pk).is_open


def test_allocate_episode_records_time_and_bumps_version(adult_episode, author, users):
    """Allocating an episode records to whom and when, and bumps the version."""

    allocated = actions.allocate_episode(episode=adult_episode, to=users["team_leader"], by=author)

    assert allocated.allocated_to == users["team_leader"]
    assert allocated.allocated_at is not None
    assert Episode.objects.get(pk=adult_episode.pk).version == 2


def test_complete_task_twice_refused(adult_episode, author):
    """A task can only be completed once."""
    task = actions.add_task(
        episode=adult_episode, by=author, title="Call tomorrow", due_on=timezone.localdate()
    )
    actions.complete_task(task=task, by=author)

    with pytest.raises(ValidationError):
        actions.complete_task(task=task, by=author)


@pytest.fixture
def named_episode(author, north):
    """An open adult episode for a person with distinctive names, and a task on it."""
    subject = factories.person(author, given_name=GIVEN_NAME, family_name=FAMILY_NAME)
    episode = factories.episode(author, subject=subject, **north)
    task = actions.add_task(
        episode=episode, by=author, title="Call tomorrow", due_on=timezone.localdate()
    )
    return {"person": subject, "episode": episode, "task": task}


EPISODE_ACTIONS = {
    "open_episode": lambda ctx, by, service: factories.episode(
        by,
        subject=ctx["person"],
        site=service["sites"]["north-custody"],
        team=service["teams"]["north"],
    ),
    "allocate_episode": lambda ctx, by, service: actions.allocate_episode(
        episode=ctx["episode"], to=by, by=by
    ),
    "record_offer": lambda ctx, by, service: actions.record_offer(
        episode=ctx["episode"], by=by, outcome="accepted"
    ),
    "record_need": lambda ctx, by, service: actions.record_need(
        episode=ctx["episode"], by=by, category="trauma", identified_by="self_reported"
    ),
    "record_assessment": lambda ctx, by, service: actions.record_assessment(
        episode=ctx["episode"],
        by=by,
        started_at=timezone.now(),
        presenting_needs=f"{GIVEN_NAME} reports low mood.",
        urgent_actions=["other"],
    ),
    "record_contact": lambda ctx, by, service: actions.record_contact(
        episode=ctx["episode"],
        by=by,
        contact_type="phone",
        occurred_at=timezone.now(),
        note=f"Spoke to {GIVEN_NAME} {FAMILY_NAME}.",
    ),
    "add_task": lambda ctx, by, service: actions.add_task(
        episode=ctx["episode"], by=by, title=f"Call {GIVEN_NAME}", due_on=timezone.localdate()
    ),
    "complete_task": lambda ctx, by, service: actions.complete_task(task=ctx["task"], by=by),
    "record_police_outcome": lambda ctx, by, service: actions.record_police_outcome(
        episode=ctx["episode"], by=by, outcome="simple_caution", decided_at=timezone.now()
    ),
    "record_court_hearing": lambda ctx, by, service: actions.record_court_hearing(
        episode=ctx["episode"],
        by=by,
        court=service["sites"]["north-court"],
        hearing_on=timezone.localdate(),
    ),
    "close_episode": lambda ctx, by, service: actions.close_episode(
        episode=ctx["episode"], by=by, reason="completed_no_further_need"
    ),
}


@pytest.mark.parametrize("name", sorted(EPISODE_ACTIONS))
def test_episode_action_writes_one_audit_event_without_names(service, author, named_episode, name):
    """Each episode action writes exactly one audit event naming the actor and person only."""
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()

    EPISODE_ACTIONS[name](named_episode, author, service)

    events = list(AuditEvent.objects.filter(id__gt=last))
    assert len(events) == 1
    event = events[0]
    assert (event.actor_id, event.actor_username) == (author.pk, author.username)
    assert event.person_id == named_episode["person"].pk
    assert event.target_type
    assert event.target_id
    row = json.dumps(model_to_dict(event), default=str).lower()
    assert GIVEN_NAME.lower() not in row
    assert FAMILY_NAME.lower() not in row


@pytest.mark.parametrize("record", ["offer", "need", "assessment"])
def test_recording_on_a_stale_closed_episode_refused(author, adult_episode, record):
    """Closing an episode stops later records even through an object loaded before closure."""
    stale = Episode.objects.get(pk=adult_episode.pk)
    actions.close_episode(episode=adult_episode, by=author, reason="completed_no_further_need")
    write = {
        "offer": lambda: actions.record_offer(episode=stale, by=author, outcome="accepted"),
        "need": lambda: actions.record_need(
            episode=stale, by=author, category="mental_health", identified_by="ld_practitioner"
        ),
        "assessment": lambda: actions.record_assessment(
            episode=stale, by=author, started_at=timezone.now()
        ),
    }[record]

    with pytest.raises(ValidationError, match="closed"):
        write()


def test_reopen_episode_allows_recording_again(author, adult_episode):
    """A reopened episode takes new records, and the closure it undid is in the audit event."""
    closed = actions.close_episode(episode=adult_episode, by=author, reason="other")

    reopened = actions.reopen_episode(episode=closed, by=author, reason="Closed in error")
    actions.record_offer(episode=reopened, by=author, outcome="accepted")

    assert reopened.closed_at is None
    event = AuditEvent.objects.filter(event="episode.reopened").get()
    assert event.changes["previous_closure"]["reason"] == "other"


# Issue #5: needs in one go, corrections with a reason, optimistic locking.


def test_record_needs_records_each_category_with_who_identified_it(author, adult_episode):
    """Several ticked needs become one Need each, with the same 'identified by'."""

    needs = actions.record_needs(
        episode=adult_episode,
        by=author,
        categories=["mental_health", "substance_misuse_alcohol"],
        identified_by="police",
    )

    assert sorted(need.category for need in needs) == ["mental_health", "substance_misuse_alcohol"]
    assert {need.identified_by for need in adult_episode.needs.all()} == {"police"}


def test_record_needs_is_all_or_nothing(author, adult_episode):
    """If one need is already recorded, none of the batch is saved."""
    actions.record_need(
        episode=adult_episode, by=author, category="mental_health", identified_by="police"
    )

    with pytest.raises(ValidationError):
        actions.record_needs(
            episode=adult_episode,
            by=author,
            categories=["autism", "mental_health"],
            identified_by="police",
        )

    assert adult_episode.needs.count() == 1


def test_record_needs_refuses_an_empty_choice(author, adult_episode):
    """At least one need must be chosen."""

    with pytest.raises(ValidationError) as error:
        actions.record_needs(
            episode=adult_episode, by=author, categories=[], identified_by="police"
        )

    assert "categories" in error.value.message_dict


def test_correct_offer_keeps_the_earlier_value(author, adult_episode):
    """A corrected offer keeps what it said before, who changed it and why."""
    from divert.core.models import Amendment

    offer = actions.record_offer(episode=adult_episode, by=author, outcome="declined")

    corrected = actions.correct_offer(
        offer=offer, by=author, changes={"outcome": "accepted"}, reason="Recorded the wrong answer"
    )

    assert corrected.outcome == "accepted"
    amendment = Amendment.objects.get(object_id=str(offer.pk), model_label="cases.Offer")
    assert (amendment.old_value, amendment.new_value) == ("declined", "accepted")
    assert amendment.reason == "Recorded the wrong answer"


def test_correct_offer_applies_the_gillick_rule(author, youth_episode):
    """Correcting an under-16's offer to 'accepted' still needs a competence outcome."""
    offer = actions.record_offer(episode=youth_episode, by=author, outcome="declined")

    with pytest.raises(ValidationError) as error:
        actions.correct_offer(
            offer=offer, by=author, changes={"outcome": "accepted"}, reason="Wrong answer"
        )

    assert "competence" in error.value.message_dict


def test_correct_assessment_bumps_the_version(author, adult_episode):
    """Each saved correction increments the assessment's version."""
    assessment = actions.record_assessment(
        episode=adult_episode, by=author, started_at=adult_episode.referral_received_at
    )

    updated = actions.correct_assessment(
        assessment=assessment,
        by=author,
        changes={"risk_to_self": "Low when with family"},
        reason="Second interview",
        expected_version=1,
    )

    assert updated.version == 2
    assert updated.risk_to_self == "Low when with family"


def test_correct_assessment_refuses_a_stale_version(author, adult_episode):
    """A save built on an older version raises EditConflictError and writes nothing."""
    assessment = actions.record_assessment(
        episode=adult_episode, by=author, started_at=adult_episode.referral_received_at
    )
    actions.correct_assessment(
        assessment=assessment,
        by=author,
        changes={"history": "First"},
        reason="Added history",
        expected_version=1,
    )

    with pytest.raises(actions.EditConflictError) as conflict:
        actions.correct_assessment(
            assessment=assessment,
            by=author,
            changes={"history": "Second"},
            reason="Added history",
            expected_version=1,
        )

    assessment.refresh_from_db()
    assert assessment.history == "First"
    assert conflict.value.current.version == 2
