"""Compose a document's content from the record: one text per section, plus the snapshots of
the person, the episode and the author that the PDF prints.

Only the sections asked for are composed; a section left out is not in ``content`` at all, so
it cannot reach a page or a PDF later. Which sections may be asked for is the actions' decision
(``actions.draft_document``): the consent's scope, or everything on another lawful basis.
"""

from typing import Any

from divert.cases.models import Assessment, Episode
from divert.core import codelists
from divert.sharing.sections import SECTIONS

RISK_LABELS = (
    ("risk_to_self", "Risk to self"),
    ("risk_to_others", "Risk to others"),
    ("risk_from_others", "Risk from others"),
)


def _latest_assessment(episode: Episode) -> Assessment | None:
    return episode.assessments.order_by("-started_at", "-pk").first()


def _needs(episode: Episode, assessment: Assessment | None) -> str:
    lines = []
    for need in episode.needs.order_by("recorded_at", "pk"):
        text = codelists.display("vulnerability", need.category)
        lines.append(f"{text}: {need.note}" if need.note else text)
    if assessment and assessment.presenting_needs:
        lines.append(assessment.presenting_needs)
    return "\n".join(lines)


def _risks(assessment: Assessment | None) -> str:
    if assessment is None:
        return ""
    return "\n".join(
        f"{label}: {getattr(assessment, name)}"
        for name, label in RISK_LABELS
        if getattr(assessment, name)
    )


def _onward_referrals(episode: Episode) -> str:
    lines = []
    referrals = (
        episode.referrals.exclude(status="draft")
        .select_related("service__organisation")
        .order_by("pk")
    )
    for referral in referrals:
        service = referral.service
        status = referral.get_status_display().lower()
        lines.append(f"{service.name}, {service.organisation.name} ({status})")
    return "\n".join(lines)


def section_texts(episode: Episode, *, summary: str) -> dict[str, str]:
    """Every section's text as the record has it now (empty when nothing is recorded)."""
    assessment = _latest_assessment(episode)
    return {
        "summary": summary.strip(),
        "needs": _needs(episode, assessment),
        "recommendations": assessment.recommendations if assessment else "",
        "reasonable_adjustments": assessment.reasonable_adjustments if assessment else "",
        "risk_summary": _risks(assessment),
        "onward_referrals": _onward_referrals(episode),
    }


def compose(episode: Episode, *, sections: list[str], summary: str, by: Any) -> dict[str, Any]:
    """``Document.content``: the chosen sections with text, and the snapshots."""
    texts = section_texts(episode, summary=summary)
    person = episode.person
    content: dict[str, Any] = {
        section.code: texts[section.code]
        for section in SECTIONS
        if section.code in sections and texts[section.code]
    }
    content["sections"] = [section.code for section in SECTIONS if section.code in sections]
    content["person"] = {
        "name": person.full_name,
        "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else "",
        "nhs_number": person.nhs_number,
        "pnc_id": person.pnc_id,
        "local_id": person.local_id,
    }
    content["episode"] = {
        "site": episode.site.name,
        "referral_received_at": episode.referral_received_at.isoformat(),
    }
    content["prepared_by"] = {
        "name": by.get_full_name() or by.username,
        "job_title": by.job_title,
    }
    return content
