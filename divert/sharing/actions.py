"""Consent to share, the document workflow and disclosures (issue #6).

Consent is enforced here, never only in a view: ``share_document`` refuses a disclosure unless
the person's current consent for the agency's recipient class and the purpose is "given" (and
not expired), or another lawful basis is recorded with its justification and approved by
someone who may approve disclosures (a team leader or service manager) other than the
document's author. See docs/adr/0015-consent-enforcement.md.

Every function takes keyword-only arguments with the actor as ``by=``, runs in one transaction,
raises ``ValidationError`` keyed by field, and writes one audit event with identifiers and
codes only.
"""

import datetime as dt
import hashlib
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from divert.accounts.access import has_permission
from divert.accounts.models import User
from divert.accounts.permissions import Permission
from divert.audit import auditor
from divert.audit.models import AuditEvent
from divert.cases.actions import lock_open_episode
from divert.cases.models import Episode, Pathway
from divert.core import codelists
from divert.core.formatting import uk_date, uk_datetime
from divert.organisation.models import Agency
from divert.sharing import compose
from divert.sharing.models import (
    ConsentDecision,
    ConsentDecisionKind,
    ConsentGivenBy,
    Disclosure,
    Document,
    DocumentStatus,
    current_consent,
)
from divert.sharing.sections import SECTIONS

CONSENT = "consent"
# Sections a consent can cover. The summary for the recipient is always shared with a
# consented disclosure (sections.py); it says why the information is shared, not what is wrong.
SCOPE_CODES = tuple(section.code for section in SECTIONS if section.code != "summary")
# Clocks on custody-suite PCs drift; a time a few minutes ahead is not "in the future".
FUTURE_TOLERANCE = dt.timedelta(minutes=5)


def _audit(
    event: str, action: str, by: User, target: Any, episode: Episode, **changes: Any
) -> None:
    auditor.record(
        event=event,
        action=action,
        by=by,
        target=target,
        person_id=episode.person_id,
        changes=changes or None,
    )


def _not_in_future(value: dt.datetime, field: str, noun: str) -> None:
    if value > timezone.now() + FUTURE_TOLERANCE:
        raise ValidationError({field: f"The {noun} must not be in the future"})


def _ordered_scope(codes: list[str] | None) -> list[str]:
    chosen = set(codes or [])
    return [code for code in SCOPE_CODES if code in chosen]


def _describe(recipient_class: str, purpose: str) -> str:
    recipient = codelists.display("recipient-class", recipient_class)
    return f"{recipient} for {codelists.display('disclosure-purpose', purpose).lower()}"


# Consent.


@transaction.atomic
def record_consent(
    *,
    episode: Episode,
    by: User,
    recipient_class: str,
    purpose: str,
    decision: str,
    given_by: str = ConsentGivenBy.PERSON,
    given_by_name: str = "",
    scope: list[str] | None = None,
    decided_at: dt.datetime | None = None,
    expires_on: dt.date | None = None,
    note: str = "",
) -> ConsentDecision:
    """Record one decision (given, refused or withdrawn) for one recipient class and purpose.

    Decisions are never edited: a withdrawal is a new decision, and the latest one is current.
    """
    episode = Episode.objects.select_for_update().get(pk=episode.pk)
    decided_at = decided_at or timezone.now()
    _not_in_future(decided_at, "decided_at", "time of the decision")
    if decided_at < episode.referral_received_at:
        raise ValidationError(
            {"decided_at": "The decision must be after the referral was received"}
        )
    unknown = set(scope or []) - set(SCOPE_CODES)
    if unknown:
        raise ValidationError({"scope": "Choose only the sections listed"})
    if decision == ConsentDecisionKind.GIVEN:
        scope = _ordered_scope(scope)
        if not scope:
            raise ValidationError({"scope": "Select what the person agreed may be shared"})
    else:
        scope, expires_on = [], None
    if expires_on is not None and expires_on < timezone.localtime(decided_at).date():
        raise ValidationError({"expires_on": "The expiry date must be after the decision"})
    if given_by == ConsentGivenBy.PARENTAL_RESPONSIBILITY:
        if episode.pathway != Pathway.YOUTH:
            raise ValidationError(
                {"given_by": "Only a young person's decision can be made by a parent or guardian"}
            )
        if not given_by_name.strip():
            raise ValidationError(
                {"given_by_name": "Enter the name of the person with parental responsibility"}
            )
    else:
        given_by_name = ""
    latest = current_consent(episode.pk, recipient_class, purpose)
    if latest is not None and decided_at < latest.decided_at:
        raise ValidationError(
            {
                "decided_at": "A later decision is already recorded for this recipient and "
                f"purpose ({uk_datetime(latest.decided_at)}); enter a time after it"
            }
        )
    if decision == ConsentDecisionKind.WITHDRAWN and (
        latest is None or latest.decision != ConsentDecisionKind.GIVEN
    ):
        raise ValidationError(
            {"decision": "There is no consent to withdraw for this recipient and purpose"}
        )
    consent = ConsentDecision(
        episode=episode,
        recipient_class=recipient_class,
        purpose=purpose,
        decision=decision,
        given_by=given_by,
        given_by_name=given_by_name.strip(),
        scope=scope,
        decided_at=decided_at,
        expires_on=expires_on,
        recorded_by=by,
        note=note,
    )
    consent.full_clean()
    consent.save()
    _audit(
        "consent.recorded",
        AuditEvent.Action.CREATE,
        by,
        consent,
        episode,
        recipient_class=recipient_class,
        purpose=purpose,
        decision=decision,
        given_by=given_by,
        scope=scope,
    )
    return consent


def consent_for_sharing(
    episode: Episode, recipient_class: str, purpose: str, *, on: dt.date | None = None
) -> ConsentDecision | None:
    """The consent a disclosure can rely on: the current decision, if it is "given" and has not
    expired; otherwise None."""
    latest = current_consent(episode.pk, recipient_class, purpose)
    if latest is None or latest.decision != ConsentDecisionKind.GIVEN:
        return None
    if latest.expires_on is not None and latest.expires_on < (on or timezone.localdate()):
        return None
    return latest


def why_no_consent(episode: Episode, recipient_class: str, purpose: str) -> str:
    """Why a disclosure cannot rely on consent, in words for the person sharing."""
    latest = current_consent(episode.pk, recipient_class, purpose)
    what = _describe(recipient_class, purpose)
    if latest is None:
        reason = f"No consent to share with {what} is recorded"
    elif latest.decision == ConsentDecisionKind.REFUSED:
        reason = f"Consent to share with {what} was refused on {uk_date(latest.decided_at)}"
    elif latest.decision == ConsentDecisionKind.WITHDRAWN:
        reason = f"Consent to share with {what} was withdrawn on {uk_date(latest.decided_at)}"
    else:
        reason = f"Consent to share with {what} expired on {uk_date(latest.expires_on)}"
    return f"{reason}. Record consent, or another lawful basis with its justification."


# Documents.


def _allowed_sections(episode: Episode, recipient_class: str, purpose: str) -> set[str] | None:
    """The sections a new draft may hold: the consent's scope (and the summary), or None when
    no consent is given (the draft can then only be shared on another, approved basis)."""
    consent = consent_for_sharing(episode, recipient_class, purpose)
    return {"summary", *consent.scope} if consent else None


def _content(
    episode: Episode,
    *,
    recipient_class: str,
    purpose: str,
    summary: str,
    sections: list[str] | None,
    by: User,
) -> dict[str, Any]:
    if not summary.strip():
        raise ValidationError({"summary": "Enter a summary for the recipient"})
    if not recipient_class or not purpose:
        raise ValidationError(
            {"recipient_class" if not recipient_class else "purpose": "Choose who it is for"}
        )
    allowed = _allowed_sections(episode, recipient_class, purpose)
    all_codes = {section.code for section in SECTIONS}
    chosen = set(sections) if sections is not None else (allowed or all_codes)
    chosen.add("summary")
    if chosen - all_codes:
        raise ValidationError({"sections": "Choose only the sections listed"})
    if allowed is not None and chosen - allowed:
        titles = [s.title.lower() for s in SECTIONS if s.code in chosen - allowed]
        raise ValidationError(
            {"sections": f"Consent does not cover: {', '.join(titles)}. Leave them out."}
        )
    return compose.compose(episode, sections=sorted(chosen), summary=summary, by=by)


@transaction.atomic
def draft_document(
    *,
    episode: Episode,
    by: User,
    kind: str,
    recipient_class: str,
    purpose: str,
    summary: str,
    sections: list[str] | None = None,
) -> Document:
    """Draft a court report or custody advice note from the record.

    With a current consent for the recipient class and purpose, the draft holds only what it
    covers; without one, it may hold every section, and can be shared only on another lawful
    basis approved by a team leader.
    """
    episode = lock_open_episode(episode.pk)
    content = _content(
        episode,
        recipient_class=recipient_class,
        purpose=purpose,
        summary=summary,
        sections=sections,
        by=by,
    )
    document = Document(
        episode=episode,
        kind=kind,
        recipient_class=recipient_class,
        purpose=purpose,
        content=content,
        drafted_at=timezone.now(),
        drafted_by=by,
    )
    document.full_clean()
    document.save()
    _audit(
        "document.drafted",
        AuditEvent.Action.CREATE,
        by,
        document,
        episode,
        kind=kind,
        recipient_class=recipient_class,
        purpose=purpose,
        sections=content["sections"],
    )
    return document


def _locked(document: Document) -> Document:
    return Document.objects.select_for_update().select_related("episode").get(pk=document.pk)


@transaction.atomic
def revise_document(
    *, document: Document, by: User, summary: str, sections: list[str] | None = None
) -> Document:
    """The author redrafts a draft or returned document from the record as it is now."""
    document = _locked(document)
    if document.status not in {DocumentStatus.DRAFT, DocumentStatus.RETURNED}:
        raise ValidationError("Only a draft or a returned document can be changed")
    if by.pk != document.drafted_by_id:
        raise ValidationError("Only the person who drafted this document can change it")
    lock_open_episode(document.episode_id)
    document.content = _content(
        document.episode,
        recipient_class=document.recipient_class,
        purpose=document.purpose,
        summary=summary,
        sections=sections,
        by=by,
    )
    document.status = DocumentStatus.DRAFT
    document.full_clean()
    document.save()
    _audit(
        "document.revised",
        AuditEvent.Action.UPDATE,
        by,
        document,
        document.episode,
        sections=document.content["sections"],
    )
    return document


@transaction.atomic
def submit_document(*, document: Document, by: User) -> Document:
    """Send a draft (or a returned document, once changed) to a team leader for approval."""
    document = _locked(document)
    if document.status not in {DocumentStatus.DRAFT, DocumentStatus.RETURNED}:
        raise ValidationError("Only a draft or a returned document can be submitted")
    document.status = DocumentStatus.SUBMITTED
    document.submitted_at = timezone.now()
    document.full_clean()
    document.save(update_fields=["status", "submitted_at"])
    _audit("document.submitted", AuditEvent.Action.UPDATE, by, document, document.episode)
    return document


def _check_reviewer(document: Document, by: User) -> None:
    if not has_permission(by, Permission.APPROVE_DISCLOSURE):
        raise ValidationError("Only a team leader can approve or return a document")
    if by.pk == document.drafted_by_id:
        raise ValidationError(
            "You drafted this document, so you cannot approve or return it. "
            "Another team leader must review it."
        )
    if document.status != DocumentStatus.SUBMITTED:
        raise ValidationError("Only a document awaiting approval can be approved or returned")


@transaction.atomic
def approve_document(*, document: Document, by: User) -> Document:
    """A team leader other than the author approves a submitted document."""
    from divert.sharing.pdf import render_document_pdf

    document = _locked(document)
    _check_reviewer(document, by)
    document.status = DocumentStatus.APPROVED
    document.approved_at = timezone.now()
    document.approved_by = by
    document.pdf_sha256 = hashlib.sha256(render_document_pdf(document, scope=None)).hexdigest()
    document.full_clean()
    document.save(update_fields=["status", "approved_at", "approved_by", "pdf_sha256"])
    _audit("document.approved", AuditEvent.Action.UPDATE, by, document, document.episode)
    return document


@transaction.atomic
def return_document(*, document: Document, by: User, reason: str) -> Document:
    """A team leader other than the author returns a submitted document with a reason."""
    document = _locked(document)
    _check_reviewer(document, by)
    if len(reason.strip()) < 5:
        raise ValidationError({"reason": "Say what needs to change"})
    document.status = DocumentStatus.RETURNED
    document.returned_at = timezone.now()
    document.returned_by = by
    document.return_reason = reason.strip()
    document.full_clean()
    document.save(update_fields=["status", "returned_at", "returned_by", "return_reason"])
    _audit("document.returned", AuditEvent.Action.UPDATE, by, document, document.episode)
    return document


# Disclosures.


@transaction.atomic
def share_document(
    *,
    document: Document,
    by: User,
    agency: Agency,
    purpose: str,
    lawful_basis: str = CONSENT,
    lawful_basis_detail: str = "",
    recipient_name: str = "",
    recipient_role: str = "",
) -> Disclosure:
    """Share an approved document with an agency, for a purpose, as a disclosure.

    On consent: the current decision for the agency's recipient class and the purpose must be
    "given" and unexpired; the disclosure names it, and the partner sees only its scope. On
    another lawful basis: the justification is required, and the sharer's approval is recorded,
    so the sharer must be able to approve disclosures and must not be the document's author.
    """
    document = _locked(document)
    episode = Episode.objects.select_for_update().get(pk=document.episode_id)
    if not has_permission(by, Permission.APPROVE_DISCLOSURE):
        raise ValidationError("Only a team leader can share a document")
    if document.status != DocumentStatus.APPROVED:
        raise ValidationError("Only an approved document can be shared")
    if purpose not in codelists.codes("disclosure-purpose"):
        raise ValidationError({"purpose": "Choose the purpose of sharing"})
    if lawful_basis not in codelists.codes("lawful-basis"):
        raise ValidationError({"lawful_basis": "Choose the basis for sharing"})
    now = timezone.now()
    consent = None
    approved_at, approved_by = None, None
    if lawful_basis == CONSENT:
        consent = consent_for_sharing(episode, agency.recipient_class, purpose)
        if consent is None:
            raise ValidationError(
                {"lawful_basis": why_no_consent(episode, agency.recipient_class, purpose)}
            )
        lawful_basis_detail = ""
    else:
        if not lawful_basis_detail.strip():
            raise ValidationError(
                {"lawful_basis_detail": "Explain why sharing without consent is justified"}
            )
        if by.pk == document.drafted_by_id:
            raise ValidationError(
                {
                    "lawful_basis": "You drafted this document, so another team leader must "
                    "approve sharing it without consent"
                }
            )
        approved_at, approved_by = now, by
    disclosure = Disclosure(
        episode=episode,
        agency=agency,
        recipient_name=recipient_name.strip(),
        recipient_role=recipient_role.strip(),
        purpose=purpose,
        lawful_basis=lawful_basis,
        lawful_basis_detail=lawful_basis_detail.strip(),
        consent=consent,
        document=document,
        created_at=now,
        created_by=by,
        approved_at=approved_at,
        approved_by=approved_by,
        shared_at=now,
    )
    disclosure.full_clean()
    disclosure.save()
    _audit(
        "disclosure.shared",
        AuditEvent.Action.CREATE,
        by,
        disclosure,
        episode,
        agency_id=agency.pk,
        purpose=purpose,
        lawful_basis=lawful_basis,
        consent_id=consent.pk if consent else None,
        document_id=document.pk,
    )
    return disclosure


@transaction.atomic
def record_cj_decision(*, disclosure: Disclosure, by: User, decided_at: dt.datetime) -> Disclosure:
    """When the criminal-justice decision the disclosure informed was made, so "shared before
    the decision" can be measured."""
    disclosure = Disclosure.objects.select_for_update().get(pk=disclosure.pk)
    if disclosure.shared_at is None:
        raise ValidationError("This disclosure has not been shared")
    if disclosure.cj_decision_at is not None:
        raise ValidationError("The decision time is already recorded")
    _not_in_future(decided_at, "cj_decision_at", "decision time")
    disclosure.cj_decision_at = decided_at
    disclosure.full_clean()
    disclosure.save(update_fields=["cj_decision_at"])
    _audit(
        "disclosure.decision_recorded",
        AuditEvent.Action.UPDATE,
        by,
        disclosure,
        disclosure.episode,
        was_shared_before_decision=disclosure.was_shared_before_decision,
    )
    return disclosure


@transaction.atomic
def acknowledge_disclosure(*, disclosure: Disclosure, by: User) -> Disclosure:
    """A partner confirms receipt. Only someone at the recipient agency can, and only once."""
    disclosure = Disclosure.objects.select_for_update().get(pk=disclosure.pk)
    if by.agency_id != disclosure.agency_id or disclosure.shared_at is None:
        raise ValidationError("Only the receiving agency can acknowledge this disclosure")
    if disclosure.acknowledged_at is not None:
        raise ValidationError("This disclosure has already been acknowledged")
    disclosure.acknowledged_at = timezone.now()
    disclosure.acknowledged_by = by
    disclosure.save(update_fields=["acknowledged_at", "acknowledged_by"])
    auditor.record(
        event="disclosure.acknowledged",
        action=AuditEvent.Action.UPDATE,
        by=by,
        target=disclosure,
        person_id=disclosure.episode.person_id,
    )
    return disclosure
