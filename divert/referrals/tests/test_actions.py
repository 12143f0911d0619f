"""Referral actions: every allowed and every refused move through change_status, the checks,
the optimistic lock, the status history, follow-up tasks and audit events."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from divert.audit.models import AuditEvent
from divert.cases import actions as case_actions
from divert.cases.tests import factories
from divert.directory import actions as directory_actions
from divert.directory.tests import factories as directory_factories
from divert.referrals import actions, states
from divert.referrals.models import ReferralStatus as S
from divert.referrals.tests.test_states import ALLOWED, REFUSED

pytestmark = pytest.mark.django_db

# The shortest path from draft to each status, through the machine.
PATH = {
    S.DRAFT: [],
    S.SENT: [S.SENT],
    S.ACCEPTED: [S.SENT, S.ACCEPTED],
    S.DECLINED: [S.SENT, S.DECLINED],
    S.APPOINTMENT_BOOKED: [S.SENT, S.ACCEPTED, S.APPOINTMENT_BOOKED],
    S.ATTENDED: [S.SENT, S.ACCEPTED, S.APPOINTMENT_BOOKED, S.ATTENDED],
    S.DID_NOT_ATTEND: [S.SENT, S.ACCEPTED, S.APPOINTMENT_BOOKED, S.DID_NOT_ATTEND],
    S.CLOSED: [S.CLOSED],
}


@pytest.fixture
def author(users):
    return users["practitioner"]


@pytest.fixture
def episode(service, author):
    return factories.episode(
        author, site=service["sites"]["north-custody"], team=service["teams"]["north"]
    )


@pytest.fixture
def built(users, service):
    return directory_factories.directory(users["admin"], service)


@pytest.fixture
def referral(episode, built, author):
    return actions.create_referral(episode=episode, service=built["adult_drugs"], by=author)


def details_for(current, to):
    """What the action needs for this move."""
    values = {}
    if states.needs_reason(current, to):
        values["reason"] = "Outside the service's criteria"
    if states.needs_appointment(to):
        values["first_appointment_at"] = timezone.now() + dt.timedelta(days=3)
    if states.needs_supported_answer(to):
        values["was_supported_to_first_appointment"] = True
    return values


def move(referral, by, to):
    return actions.change_status(
        referral=referral,
        by=by,
        to=to,
        expected_version=referral.version,
        **details_for(referral.status, to),
    )


def walk_to(referral, by, status):
    for step in PATH[status]:
        referral = move(referral, by, step)
    assert referral.status == status
    return referral


@pytest.mark.parametrize(("current", "to"), ALLOWED)
def test_change_status_allowed_move(referral, author, current, to):
    """Every move the machine allows is made, versioned and recorded in the history."""
    referral = walk_to(referral, author, current)

    moved = move(referral, author, to)

    assert moved.status == to
    assert moved.version == referral.version + 1
    assert moved.status_changes.last().status == to


@pytest.mark.parametrize(("current", "to"), REFUSED)
def test_change_status_refused_move(referral, author, current, to):
    """Every move the machine does not allow is refused on `to`, and nothing changes."""
    referral = walk_to(referral, author, current)
    history = referral.status_changes.count()

    with pytest.raises(ValidationError) as caught:
        move(referral, author, to)

    assert "to" in caught.value.message_dict
    referral.refresh_from_db()
    assert (referral.status, referral.status_changes.count()) == (current, history)


def test_create_referral_starts_as_draft_with_history_and_audit(episode, built, author):
    """A new referral is a draft, with a draft history row and one audit event."""
    need = case_actions.record_need(
        episode=episode, by=author, category="substance_misuse_drugs", identified_by="self_reported"
    )
    before = AuditEvent.objects.count()

    referral = actions.create_referral(
        episode=episode, service=built["adult_drugs"], need=need, by=author
    )

    assert referral.status == S.DRAFT
    assert [c.status for c in referral.status_changes.all()] == [S.DRAFT]
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("sequence")
    assert (event.event, event.person_id) == ("referral.created", episode.person_id)
    assert event.changes == {
        "episode_id": episode.pk,
        "service_id": built["adult_drugs"].pk,
        "need": "substance_misuse_drugs",
    }


def test_create_referral_need_from_other_episode_refused(episode, built, author, service):
    """The need must belong to the episode being referred from."""
    other = factories.episode(
        author, site=service["sites"]["north-custody"], team=service["teams"]["north"]
    )
    need = case_actions.record_need(
        episode=other, by=author, category="accommodation", identified_by="self_reported"
    )

    with pytest.raises(ValidationError) as caught:
        actions.create_referral(episode=episode, service=built["adult_drugs"], need=need, by=author)

    assert "need" in caught.value.message_dict


def test_create_referral_inactive_service_refused(episode, built, author, users):
    """A service taken out of the directory cannot be referred to."""
    directory_actions.deactivate_service(service=built["adult_drugs"], by=users["admin"])

    with pytest.raises(ValidationError) as caught:
        actions.create_referral(episode=episode, service=built["adult_drugs"], by=author)

    assert "service" in caught.value.message_dict


def test_create_referral_on_closed_episode_refused(episode, built, author):
    """A closed episode takes no new referrals."""
    case_actions.close_episode(episode=episode, by=author, reason="completed_referred_on")

    with pytest.raises(ValidationError):
        actions.create_referral(episode=episode, service=built["adult_drugs"], by=author)


def test_change_status_stale_version_refused(referral, author, users):
    """Two people moving the same referral: the second, from the old version, is refused."""
    seen = referral.version
    actions.change_status(referral=referral, by=author, to=S.SENT, expected_version=seen)

    with pytest.raises(actions.ReferralChangedError) as caught:
        actions.change_status(
            referral=referral,
            by=users["team_leader"],
            to=S.CLOSED,
            expected_version=seen,
            reason="Duplicate",
        )

    assert caught.value.current.status == S.SENT


@pytest.mark.parametrize(
    ("current", "to", "field"),
    [
        (S.SENT, S.DECLINED, "reason"),
        (S.DRAFT, S.CLOSED, "reason"),
        (S.ACCEPTED, S.APPOINTMENT_BOOKED, "first_appointment_at"),
        (S.APPOINTMENT_BOOKED, S.ATTENDED, "was_supported_to_first_appointment"),
        (S.APPOINTMENT_BOOKED, S.DID_NOT_ATTEND, "was_supported_to_first_appointment"),
    ],
)
def test_change_status_missing_detail_refused_on_field(referral, author, current, to, field):
    """A move that needs a detail is refused without it, keyed by that field."""
    referral = walk_to(referral, author, current)

    with pytest.raises(ValidationError) as caught:
        actions.change_status(
            referral=referral, by=author, to=to, expected_version=referral.version
        )

    assert field in caught.value.message_dict


def test_close_after_outcome_needs_no_reason(referral, author):
    """Closing after attendance needs no reason."""
    referral = walk_to(referral, author, S.ATTENDED)

    closed = actions.change_status(
        referral=referral, by=author, to=S.CLOSED, expected_version=referral.version
    )

    assert closed.status == S.CLOSED


def test_change_status_records_appointment_and_support(referral, author):
    """Booking records the appointment time; attendance records support to it."""
    appointment = timezone.now() + dt.timedelta(days=2)
    referral = walk_to(referral, author, S.ACCEPTED)

    booked = actions.change_status(
        referral=referral,
        by=author,
        to=S.APPOINTMENT_BOOKED,
        expected_version=referral.version,
        first_appointment_at=appointment,
    )
    attended = actions.change_status(
        referral=booked,
        by=author,
        to=S.DID_NOT_ATTEND,
        expected_version=booked.version,
        was_supported_to_first_appointment=False,
    )

    assert attended.first_appointment_at == appointment
    assert attended.was_supported_to_first_appointment is False


def test_change_status_audits_codes_only(referral, author):
    """A status change writes one audit event with the statuses, not the reason text."""
    referral = walk_to(referral, author, S.SENT)
    before = AuditEvent.objects.filter(event="referral.status_changed").count()

    actions.change_status(
        referral=referral,
        by=author,
        to=S.DECLINED,
        expected_version=referral.version,
        reason="Secret clinical reason",
    )

    events = AuditEvent.objects.filter(event="referral.status_changed")
    assert events.count() == before + 1
    event = events.latest("sequence")
    assert event.changes == {"status": ["sent", "declined"], "version": referral.version + 1}
    assert "Secret" not in str(event.changes)
    assert event.person_id == referral.episode.person_id


def test_sent_adds_chase_task_three_working_days_later(episode, built, author):
    """Sending on a Thursday adds a chase task due the next Tuesday."""
    thursday = dt.datetime(2026, 12, 3, 10, 0, tzinfo=dt.UTC)
    with time_machine.travel(thursday, tick=False):
        referral = actions.create_referral(episode=episode, service=built["adult_drugs"], by=author)
        actions.change_status(referral=referral, by=author, to=S.SENT, expected_version=0)

    task = referral.episode.tasks.get()
    assert task.title.startswith("Chase a response")
    assert task.due_on == dt.date(2026, 12, 8)
    assert task.assigned_to == author


def test_appointment_booked_adds_attendance_check_day_after(referral, author):
    """Booking adds "check attendance at the first appointment" due the day after it."""
    referral = walk_to(referral, author, S.ACCEPTED)
    appointment = timezone.make_aware(
        dt.datetime.combine(timezone.localdate() + dt.timedelta(days=5), dt.time(10, 30))
    )

    actions.change_status(
        referral=referral,
        by=author,
        to=S.APPOINTMENT_BOOKED,
        expected_version=referral.version,
        first_appointment_at=appointment,
    )

    task = referral.episode.tasks.get(title__startswith="Check attendance")
    assert task.due_on == timezone.localdate() + dt.timedelta(days=6)


def test_add_working_days_skips_weekends():
    """Friday plus one working day is Monday."""

    assert actions.add_working_days(dt.date(2026, 11, 20), 1) == dt.date(2026, 11, 23)
