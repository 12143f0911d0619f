"""Changes made by linkage: find likely duplicates, decide a pair, merge and unmerge people.

Each action writes one audit event, with identifiers and counts only. Nothing here merges on
its own: a merge always follows a person's decision (``LinkDecision``) and reason, and
``unmerge_people`` reverses one exactly from what ``PersonMerge`` recorded (ADR 0014).
"""

from dataclasses import dataclass
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from divert.accounts.models import User
from divert.audit import auditor
from divert.audit.models import AuditEvent
from divert.cases.models import Episode
from divert.linkage import blocking, frequencies
from divert.linkage import model as scoring
from divert.linkage.compare import COMPARISONS, RecordTable
from divert.linkage.dedupe import score_pairs
from divert.linkage.lookup import person_variants, refresh_keys
from divert.linkage.models import (
    DuplicateCandidate,
    FindDuplicatesRun,
    LinkDecision,
    PersonKey,
    PersonMerge,
)
from divert.people.models import Alert, Alias, Person

MIN_REASON = 10


def _reason_errors(reason: str, field: str = "reason") -> dict[str, str]:
    if len(reason.strip()) < MIN_REASON:
        return {field: f"Say why (at least {MIN_REASON} characters)"}
    return {}


# ----- find duplicates ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Proposal:
    first: int
    second: int
    weight: float
    band: str
    rule: str
    evidence: list[dict[str, Any]]


def _proposals(people: list[Person], model: scoring.Model) -> tuple[list[_Proposal], int]:
    """The strongest match-or-review pair per two people, and how many pairs were scored."""
    records, owners = [], []
    for person in people:
        for variant in person_variants(person, person.aliases.all()):
            records.append(variant)
            owners.append(person.pk)
    if len(records) < 2:
        return [], 0
    owner = np.array(owners, dtype=np.int64)
    i, j = blocking.candidate_pairs(records)
    keep = owner[i] != owner[j]
    i, j = i[keep], j[keep]
    scored = score_pairs(RecordTable(records), i, j, model, prior=model.prior_for(len(people)))
    wanted = (scored.decision <= 1) & (scored.rule != scoring.RULE_NHS_DIFFERENT)
    contributions = model.contributions(scored.levels)
    best: dict[tuple[int, int], int] = {}
    for k in np.nonzero(wanted)[0].tolist():
        a, b = int(owner[i[k]]), int(owner[j[k]])
        pair = (min(a, b), max(a, b))
        if pair not in best or scored.weights[k] > scored.weights[best[pair]]:
            best[pair] = k
    proposals = []
    for (first, second), k in best.items():
        evidence = [
            {
                "field": comparison.name,
                "level": comparison.levels[int(scored.levels[k][number])],
                "weight": round(float(contributions[k][number]), 1),
            }
            for number, comparison in enumerate(COMPARISONS)
        ]
        proposals.append(
            _Proposal(
                first=first,
                second=second,
                weight=round(float(scored.weights[k]), 1),
                band=scoring.DECISIONS[int(scored.decision[k])],
                rule=scoring.RULE_TEXT.get(int(scored.rule[k]), ""),
                evidence=evidence,
            )
        )
    return proposals, len(scored)


@transaction.atomic
def find_duplicates(
    *, by: User | None, trigger: str = FindDuplicatesRun.Trigger.PAGE, model: Any = None
) -> FindDuplicatesRun:
    """Score every likely pair of current people and queue the matches and reviews.

    A pair with any recorded decision is never proposed again. An open proposal that this
    run no longer finds is withdrawn; one it finds again is updated with the new score.
    """
    model = model or scoring.Model.load()
    run = FindDuplicatesRun.objects.create(
        started_at=timezone.now(),
        started_by=by,
        trigger=trigger,
        match_threshold=model.thresholds.match,
        review_threshold=model.thresholds.review,
    )
    people = list(Person.objects.current().prefetch_related("aliases").order_by("pk"))
    proposals, scored = _proposals(people, model)
    decided = set(LinkDecision.objects.values_list("first_id", "second_id"))
    existing = {
        (c.first_id, c.second_id): c for c in DuplicateCandidate.objects.select_for_update()
    }
    now = timezone.now()
    proposed, skipped, found, new = 0, 0, set(), []
    for proposal in proposals:
        pair = (proposal.first, proposal.second)
        if pair in decided:
            skipped += 1
            continue
        found.add(pair)
        values = {
            "run": run,
            "weight": proposal.weight,
            "probability": float(scoring.probability(proposal.weight)),
            "band": proposal.band,
            "rule": proposal.rule,
            "evidence": proposal.evidence,
        }
        candidate = existing.get(pair)
        if candidate is None:
            new.append(
                DuplicateCandidate(
                    first_id=proposal.first, second_id=proposal.second, proposed_at=now, **values
                )
            )
        elif candidate.status == DuplicateCandidate.Status.OPEN:
            DuplicateCandidate.objects.filter(pk=candidate.pk).update(**values)
        proposed += 1
    DuplicateCandidate.objects.bulk_create(new, batch_size=1000)
    withdrawn = [
        c.pk
        for pair, c in existing.items()
        if pair not in found and c.status == DuplicateCandidate.Status.OPEN
    ]
    DuplicateCandidate.objects.filter(pk__in=withdrawn).delete()
    run.finished_at = timezone.now()
    run.people_compared = len(people)
    run.pairs_scored = scored
    run.candidates_proposed = proposed
    run.pairs_already_decided = skipped
    run.save()
    auditor.record(
        event="linkage.duplicates_found",
        action=AuditEvent.Action.CREATE,
        by=by,
        target=run,
        changes={
            "trigger": trigger,
            "people": len(people),
            "pairs_scored": scored,
            "proposed": proposed,
            "already_decided": skipped,
            "withdrawn": len(withdrawn),
        },
    )
    return run


# ----- decide -------------------------------------------------------------------------------


def _ordered(a: Person, b: Person) -> tuple[Person, Person]:
    return (a, b) if a.pk < b.pk else (b, a)


def _new_decision(
    *, a: Person, b: Person, outcome: str, reason: str, by: User, candidate: Any = None
) -> LinkDecision:
    first, second = _ordered(a, b)
    if candidate is None:
        candidate = DuplicateCandidate.objects.for_pair(first.pk, second.pk).first()
    decision = LinkDecision(
        first=first,
        second=second,
        outcome=outcome,
        reason=reason.strip(),
        decided_at=timezone.now(),
        decided_by=by,
        candidate=candidate,
    )
    decision.full_clean()
    decision.save()
    if candidate is not None:
        status = (
            DuplicateCandidate.Status.NOT_SURE
            if outcome == LinkDecision.Outcome.NOT_SURE
            else DuplicateCandidate.Status.DECIDED
        )
        DuplicateCandidate.objects.filter(pk=candidate.pk).update(status=status)
    return decision


@transaction.atomic
def decide_pair(
    *, candidate: DuplicateCandidate, outcome: str, by: User, reason: str = ""
) -> LinkDecision:
    """Record that the pair is the same person, different people, or not sure.

    "Not sure" keeps the pair in the queue's not-sure list for someone else; any decision
    keeps the pair out of later runs. A "same person" decision does not merge: merging is
    its own step, with its own reason.
    """
    candidate = DuplicateCandidate.objects.select_for_update().get(pk=candidate.pk)
    if outcome not in LinkDecision.Outcome.values:
        raise ValidationError({"outcome": "Choose whether these are the same person"})
    if candidate.status == DuplicateCandidate.Status.DECIDED:
        raise ValidationError({"outcome": "Someone has already decided about this pair"})
    people = Person.objects.filter(pk__in=[candidate.first_id, candidate.second_id])
    if people.current().count() != 2:
        raise ValidationError({"outcome": "One of these records has been merged since"})
    decision = _new_decision(
        a=candidate.first,
        b=candidate.second,
        outcome=outcome,
        reason=reason,
        by=by,
        candidate=candidate,
    )
    auditor.record(
        event="linkage.pair_decided",
        action=AuditEvent.Action.CREATE,
        by=by,
        target=decision,
        person_id=candidate.first_id,
        changes={
            "outcome": outcome,
            "first_id": candidate.first_id,
            "second_id": candidate.second_id,
            "candidate_id": candidate.pk,
        },
    )
    return decision


# ----- merge and unmerge --------------------------------------------------------------------


def _lock_people(*ids: int) -> dict[int, Person]:
    """Lock the people's rows, lowest id first (so two merges cannot deadlock), and re-read."""
    rows = Person.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    return {person.pk: person for person in rows}


def _moved_ids(model: Any, person: Person) -> list[int]:
    return sorted(model.objects.filter(person=person).values_list("pk", flat=True))


def _import_model() -> Any:
    from divert.imports.models import ImportedPerson

    return ImportedPerson


@transaction.atomic
def merge_people(
    *,
    survivor: Person,
    merged: Person,
    by: User,
    reason: str,
    candidate: DuplicateCandidate | None = None,
) -> PersonMerge:
    """Merge ``merged`` into ``survivor``: every episode, alias, alert and import reference
    moves to the survivor, the merged record's own name and date of birth become an alias,
    and identifiers the survivor lacks are copied to it. ``merged`` keeps its row, pointing
    at the survivor through ``merged_into``. Records a "same person" decision.

    Refused when either record is already merged, the two have different NHS numbers or PNC
    IDs, or no reason is given.
    """
    if survivor.pk == merged.pk:
        raise ValidationError({"survivor": "Choose two different records"})
    locked = _lock_people(survivor.pk, merged.pk)
    survivor, merged = locked[survivor.pk], locked[merged.pk]
    errors = _reason_errors(reason)
    if survivor.merged_into_id or merged.merged_into_id:
        errors["survivor"] = "One of these records has already been merged into another"
    if survivor.nhs_number and merged.nhs_number and survivor.nhs_number != merged.nhs_number:
        errors["survivor"] = "These records have different NHS numbers, so they are not merged"
    if survivor.pnc_id and merged.pnc_id and survivor.pnc_id != merged.pnc_id:
        errors["survivor"] = (
            "These records have different PNC IDs. Correct the wrong one before merging"
        )
    if errors:
        raise ValidationError(errors)

    decision = _new_decision(
        a=survivor,
        b=merged,
        outcome=LinkDecision.Outcome.SAME,
        reason=reason,
        by=by,
        candidate=candidate,
    )
    moved = {
        "episodes": _moved_ids(Episode, merged),
        "aliases": _moved_ids(Alias, merged),
        "alerts": _moved_ids(Alert, merged),
        "import_refs": _moved_ids(_import_model(), merged),
    }
    Episode.objects.filter(pk__in=moved["episodes"]).update(person=survivor)
    Alias.objects.filter(pk__in=moved["aliases"]).update(person=survivor)
    Alert.objects.filter(pk__in=moved["alerts"]).update(person=survivor)
    _import_model().objects.filter(pk__in=moved["import_refs"]).update(person=survivor)

    alias_added = None
    if (merged.given_name, merged.family_name, merged.date_of_birth) != (
        survivor.given_name,
        survivor.family_name,
        survivor.date_of_birth,
    ):
        alias_added = Alias(
            person=survivor,
            kind=Alias.Kind.RECORDED_SPELLING,
            given_name=merged.given_name,
            family_name=merged.family_name,
            date_of_birth=merged.date_of_birth,
            recorded_at=timezone.now(),
            recorded_by=by,
        )
        alias_added.full_clean()
        alias_added.save()

    merged.merged_into = survivor
    merged.version += 1
    merged.save(update_fields=["merged_into", "version"])
    survivor_before: dict[str, Any] = {}
    for name in ("nhs_number", "pnc_id"):
        if not getattr(survivor, name) and getattr(merged, name):
            survivor_before[name] = getattr(survivor, name)
            setattr(survivor, name, getattr(merged, name))
    survivor.version += 1
    survivor.save(update_fields=["nhs_number", "pnc_id", "version"])

    merge = PersonMerge(
        survivor=survivor,
        merged=merged,
        decision=decision,
        reason=reason.strip(),
        merged_at=timezone.now(),
        merged_by=by,
        moved=moved,
        survivor_before=survivor_before,
        alias_added=alias_added,
    )
    merge.full_clean()
    merge.save()
    refresh_keys([survivor.pk, merged.pk])
    auditor.record(
        event="person.merged",
        action=AuditEvent.Action.UPDATE,
        by=by,
        target=merge,
        person_id=survivor.pk,
        changes={
            "survivor_id": survivor.pk,
            "merged_id": merged.pk,
            "decision_id": decision.pk,
            "moved": {key: len(ids) for key, ids in moved.items()},
            "identifiers_copied": sorted(survivor_before),
            "reason_given": True,
        },
    )
    return merge


@transaction.atomic
def unmerge_people(*, merge: PersonMerge, by: User, reason: str) -> PersonMerge:
    """Reverse a merge exactly: the rows it moved go back, the alias it added goes, the
    survivor's identifiers are restored, and the merged record is current again. Rows added
    to the survivor since the merge stay with it. Records a "different people" decision so
    the pair is not proposed again.
    """
    merge = PersonMerge.objects.select_for_update().get(pk=merge.pk)
    locked = _lock_people(merge.survivor_id, merge.merged_id)
    survivor, merged = locked[merge.survivor_id], locked[merge.merged_id]
    errors = _reason_errors(reason)
    if merge.unmerged_at is not None:
        errors["reason"] = "This merge has already been reversed"
    elif merged.merged_into_id != survivor.pk:
        errors["reason"] = "The merged record no longer points at this person"
    elif survivor.merged_into_id:
        errors["reason"] = (
            "This person has since been merged into another record. Reverse that merge first"
        )
    elif (
        merged.nhs_number
        and merged.nhs_number != survivor.nhs_number
        and Person.objects.current().filter(nhs_number=merged.nhs_number).exists()
    ):
        errors["reason"] = "Another current record now has this record's NHS number"
    if errors:
        raise ValidationError(errors)

    Episode.objects.filter(pk__in=merge.moved.get("episodes", []), person=survivor).update(
        person=merged
    )
    Alias.objects.filter(pk__in=merge.moved.get("aliases", []), person=survivor).update(
        person=merged
    )
    Alert.objects.filter(pk__in=merge.moved.get("alerts", []), person=survivor).update(
        person=merged
    )
    _import_model().objects.filter(
        pk__in=merge.moved.get("import_refs", []), person=survivor
    ).update(person=merged)
    if merge.alias_added_id:
        frequencies.delete_keys(PersonKey.objects.filter(alias_id=merge.alias_added_id))
        Alias.objects.filter(pk=merge.alias_added_id, person=survivor).delete()
        merge.alias_added = None  # the row is gone; moved and survivor_before keep the rest
    for name, before in merge.survivor_before.items():
        if getattr(survivor, name) == getattr(merged, name):
            setattr(survivor, name, before)
    survivor.version += 1
    survivor.save(update_fields=["nhs_number", "pnc_id", "version"])
    merged.merged_into = None
    merged.version += 1
    merged.save(update_fields=["merged_into", "version"])

    decision = _new_decision(
        a=survivor, b=merged, outcome=LinkDecision.Outcome.DIFFERENT, reason=reason, by=by
    )
    merge.unmerged_at = timezone.now()
    merge.unmerged_by = by
    merge.unmerge_reason = reason.strip()
    merge.full_clean()
    merge.save(update_fields=["unmerged_at", "unmerged_by", "unmerge_reason", "alias_added"])
    refresh_keys([survivor.pk, merged.pk])
    auditor.record(
        event="person.unmerged",
        action=AuditEvent.Action.UPDATE,
        by=by,
        target=merge,
        person_id=survivor.pk,
        changes={
            "survivor_id": survivor.pk,
            "merged_id": merged.pk,
            "decision_id": decision.pk,
            "reason_given": True,
        },
    )
    return merge
