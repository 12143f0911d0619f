"""The episode page: key facts and a timeline of everything recorded, in fixed queries."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from divert.cases.models import Episode
from divert.cases.stages import Stage
from divert.core import codelists
from divert.core.formatting import uk_date, uk_datetime
from divert.people.presenters import PersonPresenter


@dataclass(order=True)
class TimelineItem:
    at: dt.datetime
    title: str = field(compare=False)
    body: list[str] = field(compare=False, default_factory=list)
    by: str = field(compare=False, default="")
    kind: str = field(compare=False, default="")

    @property
    def when(self) -> str:
        return uk_datetime(self.at)


def _name(user: Any) -> str:
    return user.get_full_name() or user.username if user else ""


@dataclass
class EpisodePresenter:
    episode: Episode
    person: PersonPresenter
    timeline: list[TimelineItem]
    needs: list[dict[str, str]]

    @classmethod
    def load(cls, episode: Episode) -> "EpisodePresenter":
        items: list[TimelineItem] = [
            TimelineItem(
                episode.referral_received_at,
                "Referral received",
                [
                    f"From {codelists.display('referral-source', episode.referral_source)}"
                    + (f" ({episode.referrer_name})" if episode.referrer_name else ""),
                    episode.referral_reason,
                ],
                _name(episode.created_by),
                "referral",
            )
        ]
        for offer in episode.offers.select_related("recorded_by"):
            body = []
            if offer.not_possible_reason:
                body.append(codelists.display("not-possible-reason", offer.not_possible_reason))
            if offer.reason_detail:
                body.append(offer.reason_detail)
            if offer.appropriate_adult_present:
                body.append(f"Appropriate adult present: {offer.appropriate_adult_name}")
            if offer.parent_carer_present:
                body.append(f"Parent or carer present: {offer.parent_carer_name}")
            if offer.competence:
                body.append(f"Competence to consent: {offer.get_competence_display()}")
            items.append(
                TimelineItem(
                    offer.offered_at,
                    f"Offer: {offer.get_outcome_display()}",
                    body,
                    _name(offer.recorded_by),
                    "offer",
                )
            )
        for admin in episode.administrations.select_related(
            "instrument_version", "administered_by"
        ):
            result = [
                f"Score {admin.total:g}" if admin.total is not None else "",
                admin.band,
                admin.outcome,
            ]
            flags = [f"Flag: {flag}" for flag in admin.flags]
            items.append(
                TimelineItem(
                    admin.completed_at or admin.started_at,
                    f"Screening: {admin.instrument_version.title}",
                    [" - ".join(part for part in result if part), *flags],
                    _name(admin.administered_by),
                    "screening",
                )
            )
        for assessment in episode.assessments.select_related("recorded_by"):
            urgent = [
                codelists.display("urgent-action", code) for code in assessment.urgent_actions
            ]
            body = [assessment.presenting_needs]
            if urgent:
                body.append("Urgent actions: " + ", ".join(urgent))
            if assessment.safeguarding_concern:
                body.append(
                    "Safeguarding concern raised"
                    + (
                        f" (ref {assessment.safeguarding_referral_reference})"
                        if assessment.safeguarding_referral_reference
                        else ""
                    )
                )
            title = "Assessment completed" if assessment.completed_at else "Assessment started"
            items.append(
                TimelineItem(
                    assessment.completed_at or assessment.started_at,
                    title,
                    body,
                    _name(assessment.recorded_by),
                    "assessment",
                )
            )
        for contact in episode.contacts.select_related("recorded_by"):
            items.append(
                TimelineItem(
                    contact.occurred_at,
                    f"Contact: {contact.get_contact_type_display()}",
                    [contact.note],
                    _name(contact.recorded_by),
                    "contact",
                )
            )
        for referral in episode.referrals.select_related("service", "created_by"):
            items.append(
                TimelineItem(
                    referral.created_at,
                    f"Onward referral: {referral.service}",
                    [f"Status: {referral.get_status_display()}"],
                    _name(referral.created_by),
                    "referral",
                )
            )
        for disclosure in episode.disclosures.select_related("agency", "created_by"):
            if disclosure.shared_at:
                items.append(
                    TimelineItem(
                        disclosure.shared_at,
                        f"Information shared with {disclosure.agency}",
                        [
                            codelists.display("disclosure-purpose", disclosure.purpose),
                            "Lawful basis: "
                            + codelists.display("lawful-basis", disclosure.lawful_basis),
                        ],
                        _name(disclosure.created_by),
                        "disclosure",
                    )
                )
        for outcome in episode.policeoutcomes.select_related("recorded_by"):
            items.append(
                TimelineItem(
                    outcome.decided_at,
                    f"Police decision: {outcome.outcome_display}",
                    [outcome.reported_by],
                    _name(outcome.recorded_by),
                    "outcome",
                )
            )
        for hearing in episode.courthearings.select_related("court", "recorded_by"):
            body = [codelists.display("court-outcome", hearing.outcome)]
            if hearing.sentence_type:
                body.append(
                    "Sentence: " + codelists.display("sentence-type", hearing.sentence_type)
                )
            items.append(
                TimelineItem(
                    hearing.decided_at or hearing.recorded_at,
                    f"Court hearing at {hearing.court}",
                    body,
                    _name(hearing.recorded_by),
                    "outcome",
                )
            )
        if episode.closed_at:
            items.append(
                TimelineItem(
                    episode.closed_at,
                    "Episode closed",
                    [
                        codelists.display("closure-reason", episode.closure_reason),
                        episode.closure_note,
                    ],
                    _name(episode.closed_by),
                    "closure",
                )
            )
        for item in items:
            item.body = [line for line in item.body if line]
        needs = [
            {
                "category": need.get_category_display(),
                "identified_by": need.get_identified_by_display(),
                "note": need.note,
            }
            for need in episode.needs.all()
        ]
        return cls(episode, PersonPresenter.load(episode.person), sorted(items), needs)

    @property
    def stage_label(self) -> str:
        return Stage(getattr(self.episode, "stage", Stage.NEW)).label

    def tasks(self) -> list[dict[str, Any]]:
        return [
            {
                "title": task.title,
                "due": uk_date(task.due_on),
                "done": task.completed_at is not None,
            }
            for task in self.episode.tasks.all()
        ]

    def key_facts(self) -> list[tuple[str, str]]:
        e = self.episode
        return [
            ("Stage", self.stage_label),
            ("Pathway", e.get_pathway_display()),
            ("Age at referral", str(e.age_at_referral)),
            ("Site", str(e.site)),
            ("Force area", str(e.site.force_area)),
            ("Pathway point", codelists.display("pathway-point", e.pathway_point)),
            ("Referral received", uk_datetime(e.referral_received_at)),
            ("Arrest or detention", uk_datetime(e.detained_at) or "Not recorded"),
            ("Custody record", e.custody_record_number or "Not recorded"),
            (
                "Alleged offence",
                codelists.display("alleged-offence-category", e.alleged_offence_category)
                or "Not recorded",
            ),
            ("Allocated to", _name(e.allocated_to) or "Not allocated"),
        ]
