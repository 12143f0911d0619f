"""Every change to an episode and what is recorded under it.

Functions take keyword-only arguments with the actor as ``by=``, run in one transaction, validate
before writing (raising ``ValidationError`` keyed by field), and write an audit event.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from divert.accounts.models import User
from divert.audit import auditor
from divert.audit.models import AuditEvent
from divert.cases.models import (
    MINIMUM_AGE,
    YOUTH_AGE_LIMIT,
    Assessment,
    Competence,
    Contact,
    CourtHearing,
    Episode,
    Need,
    Offer,
    OfferOutcome,
    Pathway,
    PoliceOutcome,
    Task,
)
from divert.core import locks
from divert.core.actions import amend
from divert.core.formatting import age_on
from divert.organisation.models import Site, Team
from divert.people.models import Person

GILLICK_AGE = 16


def _audit(
    event: str,
    action: str,
    by: User,
    target: Any,
    episode: Episode,
    changes: dict[str, Any] | None = None,
) -> None:
    auditor.record(
        event=event,
        action=action,
        by=by,
        target=target,
        person_id=episode.person_id,
        changes=changes,
    )


def _next_reference(received_at: dt.datetime) -> str:
    year = timezone.localtime(received_at).year
    prefix = f"LD{year % 100:02d}-"
    locks.serialise(f"episode-reference-{prefix}")
    last = Episode.objects.filter(reference__startswith=prefix).aggregate(last=Max("reference"))[
        "last"
    ]
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:06d}"


def lock_open_episode(episode_id: int) -> Episode:
    """The episode as the database has it now, locked for this transaction, and still open.

    Re-reading matters: the caller's object may be stale (closed since it was loaded). Every
    app that records under an episode uses this, so the rule and its message are one.
    """
    current = Episode.objects.select_for_update().get(pk=episode_id)
    if current.closed_at is not None:
        raise ValidationError("This episode is closed. Reopen it before recording more.")
    return current


def age_and_pathway(
    date_of_birth: dt.date, referral_received_at: dt.datetime, zone: dt.tzinfo | None = None
) -> tuple[int, str]:
    """Age on the local (Europe/London) date of referral, and the pathway that age fixes.

    ``open_episode`` and the historic-activity import share this one rule (the import passes
    the zone, read once, because looking it up costs more than the rest for a million rows).
    """
    age = age_on(date_of_birth, timezone.localtime(referral_received_at, zone).date())
    return age, Pathway.YOUTH if age < YOUTH_AGE_LIMIT else Pathway.ADULT


@transaction.atomic
def open_episode(
    *,
    by: User,
    person: Person,
    site: Site,
    team: Team,
    referral_source: str,
    pathway_point: str,
    referral_received_at: dt.datetime,
    detained_at: dt.datetime | None = None,
    **details: Any,
) -> Episode:
    """Open an episode for a referral. Age at referral fixes the youth or adult pathway for good."""
    age, pathway = age_and_pathway(person.date_of_birth, referral_received_at)
    errors: dict[str, str] = {}
    if age < MINIMUM_AGE:
        errors["referral_received_at"] = (
            f"The person was {age} at referral; L&D works with people aged 10 and over"
        )
    if referral_received_at > timezone.now() + dt.timedelta(minutes=5):
        errors["referral_received_at"] = "The referral time cannot be in the future"
    if detained_at and detained_at > referral_received_at:
        errors["detained_at"] = "The arrest or detention time must be before the referral time"
    if not team.sites.filter(pk=site.pk).exists():
        errors["team"] = f"{team} does not cover {site}"
    if errors:
        raise ValidationError(errors)
    episode = Episode(
        person=person,
        reference=_next_reference(referral_received_at),
        site=site,
        team=team,
        referral_source=referral_source,
        pathway_point=pathway_point,
        referral_received_at=referral_received_at,
        detained_at=detained_at,
        age_at_referral=age,
        pathway=pathway,
        created_at=timezone.now(),
        created_by=by,
        **details,
    )
    episode.full_clean()
    episode.save()
    _audit("episode.opened", AuditEvent.Action.CREATE, by, episode, episode)
    return episode


@transaction.atomic
def allocate_episode(*, episode: Episode, to: User, by: User) -> Episode:
    episode = lock_open_episode(episode.pk)
    previous = episode.allocated_to_id
    episode.allocated_to = to
    episode.allocated_at = timezone.now()
    episode.version += 1
    episode.save(update_fields=["allocated_to", "allocated_at", "version"])
    _audit(
        "episode.allocated",
        AuditEvent.Action.UPDATE,
        by,
        episode,
        episode,
        {"allocated_to": [previous, to.pk]},
    )
    return episode


def _check_gillick(episode: Episode, outcome: str, competence: str) -> None:
    if (
        episode.age_at_referral < GILLICK_AGE
        and outcome == OfferOutcome.ACCEPTED
        and competence not in {Competence.COMPETENT, Competence.NOT_COMPETENT}
    ):
        raise ValidationError(
            {"competence": "Record whether this under-16 is competent to consent (Gillick)"}
        )


@transaction.atomic
def record_offer(
    *,
    episode: Episode,
    by: User,
    outcome: str,
    offered_at: dt.datetime | None = None,
    **details: Any,
) -> Offer:
    """Record an offer of support. An under-16 who accepts needs a Gillick competence outcome."""
    episode = lock_open_episode(episode.pk)
    offer = Offer(
        episode=episode,
        outcome=outcome,
        offered_at=offered_at or timezone.now(),
        recorded_at=timezone.now(),
        recorded_by=by,
        **details,
    )
    if offer.offered_at < episode.referral_received_at:
        raise ValidationError({"offered_at": "The offer cannot be before the referral"})
    _check_gillick(episode, outcome, offer.competence)
    offer.full_clean()
    offer.save()
    _audit("offer.recorded", AuditEvent.Action.CREATE, by, offer, episode, {"outcome": outcome})
    return offer


@transaction.atomic
def record_need(
    *, episode: Episode, by: User, category: str, identified_by: str, note: str = ""
) -> Need:
    episode = lock_open_episode(episode.pk)
    if episode.needs.filter(category=category).exists():
        raise ValidationError({"category": "This need is already recorded on the episode"})
    need = Need(
        episode=episode,
        category=category,
        identified_by=identified_by,
        note=note,
        recorded_at=timezone.now(),
        recorded_by=by,
    )
    need.full_clean()
    need.save()
    _audit("need.recorded", AuditEvent.Action.CREATE, by, need, episode, {"category": category})
    return need


@transaction.atomic
def record_assessment(
    *,
    episode: Episode,
    by: User,
    started_at: dt.datetime,
    completed_at: dt.datetime | None = None,
    urgent_actions: list[str] | None = None,
    **sections: Any,
) -> Assessment:
    episode = lock_open_episode(episode.pk)
    assessment = Assessment(
        episode=episode,
        started_at=started_at,
        completed_at=completed_at,
        urgent_actions=urgent_actions or [],
        recorded_at=timezone.now(),
        recorded_by=by,
        **sections,
    )
    assessment.full_clean()
    assessment.save()
    _audit(
        "assessment.recorded",
        AuditEvent.Action.CREATE,
        by,
        assessment,
        episode,
        {"urgent_actions": assessment.urgent_actions},
    )
    return assessment


@transaction.atomic
def record_contact(
    *, episode: Episode, by: User, contact_type: str, occurred_at: dt.datetime, **details: Any
) -> Contact:
    contact = Contact(
        episode=episode,
        contact_type=contact_type,
        occurred_at=occurred_at,
        recorded_at=timezone.now(),
        recorded_by=by,
        **details,
    )
    contact.full_clean()
    contact.save()
    _audit("contact.recorded", AuditEvent.Action.CREATE, by, contact, episode)
    return contact


@transaction.atomic
def add_task(
    *, episode: Episode, by: User, title: str, due_on: dt.date, assigned_to: User | None = None
) -> Task:
    task = Task(
        episode=episode,
        title=title,
        due_on=due_on,
        assigned_to=assigned_to,
        recorded_at=timezone.now(),
        recorded_by=by,
    )
    task.full_clean()
    task.save()
    _audit("task.added", AuditEvent.Action.CREATE, by, task, episode)
    return task


@transaction.atomic
def complete_task(*, task: Task, by: User) -> Task:
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.completed_at is not None:
        raise ValidationError("This task is already complete")
    task.completed_at = timezone.now()
    task.completed_by = by
    task.save(update_fields=["completed_at", "completed_by"])
    _audit("task.completed", AuditEvent.Action.UPDATE, by, task, task.episode)
    return task


@transaction.atomic
def record_police_outcome(
    *, episode: Episode, by: User, outcome: str, decided_at: dt.datetime, reported_by: str = ""
) -> PoliceOutcome:
    """The outcome list follows the pathway at referral (youth list for under-18s)."""
    record = PoliceOutcome(
        episode=episode,
        outcome_list=episode.pathway,
        outcome=outcome,
        decided_at=decided_at,
        reported_by=reported_by,
        recorded_at=timezone.now(),
        recorded_by=by,
    )
    from divert.core import codelists

    if outcome not in codelists.codes(f"police-outcome-{episode.pathway}"):
        raise ValidationError(
            {"outcome": f"Choose an outcome from the {episode.get_pathway_display()} list"}
        )
    record.full_clean()
    record.save()
    _audit(
        "police_outcome.recorded",
        AuditEvent.Action.CREATE,
        by,
        record,
        episode,
        {"outcome": outcome},
    )
    return record


@transaction.atomic
def record_court_hearing(
    *, episode: Episode, by: User, court: Site, hearing_on: dt.date, **details: Any
) -> CourtHearing:
    if not court.is_court:
        raise ValidationError({"court": f"{court} is not a court"})
    hearing = CourtHearing(
        episode=episode,
        court=court,
        hearing_on=hearing_on,
        recorded_at=timezone.now(),
        recorded_by=by,
        **details,
    )
    hearing.full_clean()
    hearing.save()
    _audit("court_hearing.recorded", AuditEvent.Action.CREATE, by, hearing, episode)
    return hearing


@transaction.atomic
def reopen_episode(*, episode: Episode, by: User, reason: str) -> Episode:
    """Reopen a closed episode (for example closed in error); the closure stays in the audit."""
    episode = Episode.objects.select_for_update().get(pk=episode.pk)
    if episode.closed_at is None:
        raise ValidationError("This episode is already open")
    if not reason.strip():
        raise ValidationError({"reason": "Give a reason for reopening the episode"})
    previous = {"closed_at": episode.closed_at.isoformat(), "reason": episode.closure_reason}
    episode.closed_at = None
    episode.closure_reason = ""
    episode.closure_note = ""
    episode.closed_by = None
    episode.version += 1
    episode.save(
        update_fields=["closed_at", "closure_reason", "closure_note", "closed_by", "version"]
    )
    _audit(
        "episode.reopened",
        AuditEvent.Action.UPDATE,
        by,
        episode,
        episode,
        {"previous_closure": previous},
    )
    return episode


@transaction.atomic
def close_episode(
    *,
    episode: Episode,
    by: User,
    reason: str,
    closed_at: dt.datetime | None = None,
    note: str = "",
) -> Episode:
    episode = lock_open_episode(episode.pk)
    episode.closed_at = closed_at or timezone.now()
    episode.closure_reason = reason
    episode.closure_note = note
    episode.closed_by = by
    episode.version += 1
    episode.full_clean()
    episode.save(
        update_fields=["closed_at", "closure_reason", "closure_note", "closed_by", "version"]
    )
    _audit("episode.closed", AuditEvent.Action.UPDATE, by, episode, episode, {"reason": reason})
    return episode


@transaction.atomic
def record_needs(
    *, episode: Episode, by: User, categories: list[str], identified_by: str
) -> list[Need]:
    """Record several needs at once (one form, many ticks), all or none."""
    if not categories:
        raise ValidationError({"categories": "Choose at least one vulnerability or need"})
    return [
        record_need(episode=episode, by=by, category=category, identified_by=identified_by)
        for category in categories
    ]


@transaction.atomic
def correct_offer(*, offer: Offer, by: User, changes: dict[str, Any], reason: str) -> Offer:
    """Correct a recorded offer with a reason; the earlier values are kept as amendments."""
    offer = Offer.objects.select_for_update().select_related("episode").get(pk=offer.pk)
    merged = {
        "outcome": changes.get("outcome", offer.outcome),
        "competence": changes.get("competence", offer.competence),
    }
    _check_gillick(offer.episode, merged["outcome"], merged["competence"])
    if changes.get("offered_at", offer.offered_at) < offer.episode.referral_received_at:
        raise ValidationError({"offered_at": "The offer cannot be before the referral"})
    amend(record=offer, by=by, changes=changes, reason=reason, person_id=offer.episode.person_id)
    offer.refresh_from_db()
    return offer


class EditConflictError(Exception):
    """Someone else saved the record after this edit began; nothing was saved."""

    def __init__(self, current: Assessment) -> None:
        super().__init__("The assessment was changed by someone else")
        self.current = current


@transaction.atomic
def correct_assessment(
    *,
    assessment: Assessment,
    by: User,
    changes: dict[str, Any],
    reason: str,
    expected_version: int,
) -> Assessment:
    """Correct or complete an assessment with a reason, unless it changed since it was loaded.

    ``expected_version`` is the version the editor's form was built from. If another save came
    first, ``EditConflictError`` is raised and nothing is written (optimistic locking).
    """
    current = Assessment.objects.select_for_update().select_related("episode").get(pk=assessment.pk)
    if current.version != expected_version:
        raise EditConflictError(current)
    amend(
        record=current,
        by=by,
        changes=changes,
        reason=reason,
        person_id=current.episode.person_id,
    )
    current.refresh_from_db()
    return current
