"""Administer a screening instrument: start, save answers, complete (score), override.

Functions take keyword-only arguments with the actor as ``by=``, run in one transaction, re-read
and lock the episode (it must be open), validate before writing (``ValidationError`` keyed by
field, or by the item's ``link_id`` for answers) and write one audit event with identifiers only:
never answers, scores, bands or reasons.
"""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from divert.accounts.models import User
from divert.audit import auditor
from divert.audit.models import AuditEvent
from divert.cases.actions import lock_open_episode
from divert.cases.models import Episode
from divert.core.actions import amend
from divert.screening import registry, scoring
from divert.screening.models import Administration, Answer, InstrumentVersion
from divert.screening.schema import AnswerValue, Definition, DefinitionError


def _locked(administration: Administration) -> tuple[Administration, Episode]:
    """Lock the episode first, then the administration: the same order in every action."""
    episode = lock_open_episode(administration.episode_id)
    current = Administration.objects.select_for_update().get(pk=administration.pk)
    return current, episode


def _definition(instrument_version: InstrumentVersion) -> Definition:
    try:
        return registry.definition_of(instrument_version)
    except DefinitionError as exc:
        raise ValidationError(
            {"instrument_version": f"{instrument_version} is not a usable definition: {exc}"}
        ) from None


def _audit(event: str, by: User, administration: Administration, episode: Episode) -> None:
    auditor.record(
        event=event,
        action=AuditEvent.Action.CREATE
        if event == "screening.started"
        else AuditEvent.Action.UPDATE,
        by=by,
        target=administration,
        person_id=episode.person_id,
        changes={
            "episode_id": episode.pk,
            "instrument_version_id": administration.instrument_version_id,
        },
    )


@transaction.atomic
def start_administration(
    *, episode: Episode, instrument_version: InstrumentVersion, by: User
) -> Administration:
    """Start using an instrument version with the person on an open episode."""
    episode = lock_open_episode(episode.pk)
    _definition(instrument_version)
    administration = Administration(
        episode=episode,
        instrument_version=instrument_version,
        started_at=timezone.now(),
        administered_by=by,
    )
    administration.full_clean()
    administration.save()
    _audit("screening.started", by, administration, episode)
    return administration


@transaction.atomic
def save_answers(
    *, administration: Administration, answers: Mapping[str, AnswerValue | None], by: User
) -> Administration:
    """Record or change answers (a blank or None answer removes it). Unknown items and invalid
    values are refused, keyed by ``link_id``. A completed administration cannot change."""
    administration, episode = _locked(administration)
    if administration.completed_at is not None:
        raise ValidationError("This screening is complete; its answers cannot change.")
    definition = _definition(administration.instrument_version)
    try:
        clean = scoring.validate_answers(definition, answers)
    except scoring.InvalidAnswersError as exc:
        raise ValidationError(exc.errors) from None
    cleared = [link_id for link_id in answers if link_id not in clean]
    administration.answers.filter(link_id__in=cleared).delete()
    existing = {answer.link_id: answer for answer in administration.answers.all()}
    for link_id, value in clean.items():
        answer = existing.get(link_id) or Answer(administration=administration, link_id=link_id)
        answer.value = value
        answer.score = None
        answer.full_clean(validate_unique=False)
        answer.save()
    _audit("screening.answers_saved", by, administration, episode)
    return administration


def _answers(administration: Administration) -> dict[str, AnswerValue]:
    values: dict[str, Any] = {
        answer.link_id: answer.value for answer in administration.answers.all()
    }
    return {key: value for key, value in values.items() if isinstance(value, str | int | bool)}


@transaction.atomic
def complete_administration(*, administration: Administration, by: User) -> Administration:
    """Score the answers with the exact instrument version used and store the result.

    Every enabled required item must be answered, unless the instrument's prorating rule still
    gives a total (CORE-10 with one item unanswered). Answers to items that the skip rules
    disabled are removed; each remaining scored answer keeps its item score.
    """
    administration, episode = _locked(administration)
    if administration.completed_at is not None:
        raise ValidationError("This screening is already complete.")
    definition = _definition(administration.instrument_version)
    answers = _answers(administration)
    try:
        result = scoring.score(definition, answers)
    except scoring.InvalidAnswersError as exc:
        raise ValidationError(exc.errors) from None
    if not result.complete and not result.prorated:
        errors: dict[str, str] = {}
        for link_id in result.missing:
            item = definition.item(link_id)
            errors[link_id] = f"Answer {item.label if item else link_id}"
        raise ValidationError(errors)
    enabled = {item.link_id for item in scoring.enabled_items(definition, answers)}
    administration.answers.exclude(link_id__in=enabled).delete()
    for answer in administration.answers.all():
        item_score = result.item_scores.get(answer.link_id)
        answer.score = None if item_score is None else Decimal(item_score)
        answer.save(update_fields=["score"])
    administration.total = result.total
    administration.band = result.band
    administration.outcome = result.outcome
    administration.flags = [flag.code for flag in result.flags]
    administration.is_prorated = result.prorated
    administration.is_complete = True
    administration.completed_at = timezone.now()
    administration.full_clean()
    administration.save()
    _audit("screening.completed", by, administration, episode)
    return administration


@transaction.atomic
def override_result(
    *, administration: Administration, band: str, reason: str, by: User
) -> Administration:
    """A clinician's band (or, for rule-based instruments such as BJMHS, outcome) in place of
    the calculated one, with a reason. The calculated result stays as it was."""
    administration, episode = _locked(administration)
    errors: dict[str, str] = {}
    if not administration.is_complete:
        raise ValidationError("Complete the screening before overriding its result.")
    definition = _definition(administration.instrument_version)
    allowed = [item.code for item in definition.bands] or list(scoring.outcomes(definition))
    if not allowed:
        errors["band"] = f"{definition.short_title} has no bands or outcomes to override"
    elif band not in allowed:
        errors["band"] = f"Choose one of: {', '.join(allowed)}"
    elif band == (administration.band or administration.outcome):
        errors["band"] = "The override must differ from the calculated result"
    if not reason.strip():
        errors["reason"] = "Give the reason for overriding the calculated result"
    if errors:
        raise ValidationError(errors)
    if administration.override_band:
        # A second opinion replaces the first; the amendment rows keep what it said, who gave
        # it and when.
        amend(
            record=administration,
            by=by,
            changes={
                "override_band": band,
                "override_reason": reason.strip(),
                "overridden_by": by,
                "overridden_at": timezone.now(),
            },
            reason=reason.strip(),
            person_id=episode.person_id,
        )
        administration.refresh_from_db()
        return administration
    administration.override_band = band
    administration.override_reason = reason.strip()
    administration.overridden_by = by
    administration.overridden_at = timezone.now()
    administration.full_clean()
    administration.save(
        update_fields=["override_band", "override_reason", "overridden_by", "overridden_at"]
    )
    _audit("screening.overridden", by, administration, episode)
    return administration
