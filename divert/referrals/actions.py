"""Onward referrals: make one from an episode to a directory service, then move its status.

Each action takes keyword-only arguments with the actor as ``by=``, runs in one transaction,
validates before writing (``ValidationError`` keyed by field) and writes one audit event of its
own (follow-up tasks add theirs through ``cases.actions.add_task``). Status moves follow
``states.py`` and are optimistic: the caller says which version it saw, and a referral changed
since then is refused with ``ReferralChangedError``.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from divert.accounts.models import User
from divert.audit import auditor
from divert.audit.models import AuditEvent
from divert.cases import actions as case_actions
from divert.cases.models import Episode, Need
from divert.directory.models import DirectoryService
from divert.referrals import states
from divert.referrals.models import OnwardReferral, ReferralStatus, ReferralStatusChange

CHASE_WORKING_DAYS = 3


class ReferralChangedError(Exception):
    """Someone else moved the referral after this page was loaded; nothing was saved."""

    def __init__(self, current: OnwardReferral) -> None:
        super().__init__("The referral was changed by someone else")
        self.current = current


def add_working_days(start: dt.date, days: int) -> dt.date:
    """``days`` working days (Monday to Friday) after ``start``. Bank holidays are not known."""
    day = start
    while days > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:  # noqa: PLR2004 - Saturday is 5
            days -= 1
    return day


@transaction.atomic
def create_referral(
    *,
    episode: Episode,
    service: DirectoryService,
    by: User,
    need: Need | None = None,
    created_at: dt.datetime | None = None,
) -> OnwardReferral:
    """A draft referral to an active directory service, for a need on this episode if given."""
    episode = case_actions.lock_open_episode(episode.pk)
    if need is not None and need.episode_id != episode.pk:
        raise ValidationError({"need": "The need must be one recorded on this episode"})
    service = DirectoryService.objects.select_related("organisation").get(pk=service.pk)
    if not (service.is_active and service.organisation.is_active):
        raise ValidationError({"service": "This service is no longer in the directory"})
    created_at = created_at or timezone.now()
    if created_at < episode.referral_received_at:
        raise ValidationError({"created_at": "The referral cannot be before the L&D referral"})
    referral = OnwardReferral(
        episode=episode,
        service=service,
        need=need,
        status=ReferralStatus.DRAFT,
        created_at=created_at,
        created_by=by,
    )
    referral.full_clean()
    referral.save()
    ReferralStatusChange.objects.create(
        referral=referral, status=ReferralStatus.DRAFT, changed_at=created_at, changed_by=by
    )
    auditor.record(
        event="referral.created",
        action=AuditEvent.Action.CREATE,
        by=by,
        target=referral,
        person_id=episode.person_id,
        changes={
            "episode_id": episode.pk,
            "service_id": service.pk,
            "need": need.category if need else None,
        },
    )
    return referral


def _check(
    referral: OnwardReferral,
    to: str,
    reason: str,
    first_appointment_at: dt.datetime | None,
    was_supported_to_first_appointment: bool | None,
    changed_at: dt.datetime,
) -> None:
    if to not in ReferralStatus.values:
        raise ValidationError({"to": "Choose a status from the list"})
    if not states.is_allowed(referral.status, to):
        raise ValidationError(
            {
                "to": f"A referral that is {referral.get_status_display().lower()} cannot be "
                f"marked {ReferralStatus(to).label.lower()}"
            }
        )
    errors: dict[str, str] = {}
    if states.needs_reason(referral.status, to) and not reason.strip():
        errors["reason"] = (
            "Give the reason the service declined the referral"
            if to == ReferralStatus.DECLINED
            else "Give a reason for closing the referral before it has an outcome"
        )
    if states.needs_appointment(to) and first_appointment_at is None:
        errors["first_appointment_at"] = "Enter the date and time of the first appointment"
    if states.needs_supported_answer(to) and was_supported_to_first_appointment is None:
        errors["was_supported_to_first_appointment"] = (
            "Say whether the person was supported to the first appointment"
        )
    if changed_at < referral.created_at:
        errors["changed_at"] = "The change cannot be before the referral was made"
    if changed_at > timezone.now() + dt.timedelta(minutes=5):
        errors["changed_at"] = "The change cannot be in the future"
    if errors:
        raise ValidationError(errors)


def _follow_up(referral: OnwardReferral, to: str, by: User, changed_at: dt.datetime) -> None:
    """Tasks the next step needs, on the episode's task list (not on a closed episode)."""
    episode = referral.episode
    if episode.closed_at is not None:
        return
    if to == ReferralStatus.SENT:
        case_actions.add_task(
            episode=episode,
            by=by,
            title=f"Chase a response to the referral to {referral.service}",
            due_on=add_working_days(timezone.localdate(changed_at), CHASE_WORKING_DAYS),
            assigned_to=by,
        )
    elif to == ReferralStatus.APPOINTMENT_BOOKED and referral.first_appointment_at:
        case_actions.add_task(
            episode=episode,
            by=by,
            title=f"Check attendance at the first appointment with {referral.service}",
            due_on=timezone.localdate(referral.first_appointment_at) + dt.timedelta(days=1),
            assigned_to=by,
        )
    elif to == ReferralStatus.DID_NOT_ATTEND:
        case_actions.add_task(
            episode=episode,
            by=by,
            title=f"Follow up the missed appointment with {referral.service}",
            due_on=add_working_days(timezone.localdate(changed_at), 1),
            assigned_to=by,
        )


@transaction.atomic
def change_status(
    *,
    referral: OnwardReferral,
    by: User,
    to: str,
    expected_version: int,
    reason: str = "",
    first_appointment_at: dt.datetime | None = None,
    was_supported_to_first_appointment: bool | None = None,
    changed_at: dt.datetime | None = None,
) -> OnwardReferral:
    """Move the referral to ``to`` if the machine allows it and nobody moved it first.

    Booking records the first appointment time; attended or did not attend records whether
    the person was supported to it. Sending, booking and a missed appointment add follow-up
    tasks to the episode.
    """
    current = (
        OnwardReferral.objects.select_for_update()
        .select_related("episode", "service")
        .get(pk=referral.pk)
    )
    if current.version != expected_version:
        raise ReferralChangedError(current)
    changed_at = changed_at or timezone.now()
    _check(
        current, to, reason, first_appointment_at, was_supported_to_first_appointment, changed_at
    )
    previous = current.status
    current.status = to
    current.version += 1
    fields = ["status", "version"]
    if states.needs_appointment(to):
        current.first_appointment_at = first_appointment_at
        fields.append("first_appointment_at")
    if states.needs_supported_answer(to):
        current.was_supported_to_first_appointment = was_supported_to_first_appointment
        fields.append("was_supported_to_first_appointment")
    current.save(update_fields=fields)
    ReferralStatusChange.objects.create(
        referral=current,
        status=to,
        reason=reason.strip(),
        changed_at=changed_at,
        changed_by=by,
    )
    auditor.record(
        event="referral.status_changed",
        action=AuditEvent.Action.UPDATE,
        by=by,
        target=current,
        person_id=current.episode.person_id,
        changes={"status": [previous, to], "version": current.version},
    )
    _follow_up(current, to, by, changed_at)
    return current
