"""The episode page: key facts and a timeline of everything recorded, in fixed queries."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils.html import format_html

from divert.cases import amendments
from divert.cases.models import Assessment, Episode, Offer
from divert.cases.stages import Stage
from divert.core import codelists
from divert.core.formatting import uk_date, uk_datetime
from divert.people.presenters import PersonPresenter
from divert.screening import registry, scoring


@dataclass(order=True)
class TimelineItem:
    at: dt.datetime
    title: str = field(compare=False)
    body: list[str] = field(compare=False, default_factory=list)
    by: str = field(compare=False, default="")
    kind: str = field(compare=False, default="")
    # (text, href) links such as "Correct this offer", and "changed from X to Y" sentences.
    links: list[tuple[str, str]] = field(compare=False, default_factory=list)
    history: list[str] = field(compare=False, default_factory=list)

    @property
    def when(self) -> str:
        return uk_datetime(self.at)


def _name(user: Any) -> str:
    return user.get_full_name() or user.username if user else ""


@dataclass
class Action:
    text: str
    href: str


@dataclass
class EpisodePresenter:
    episode: Episode
    person: PersonPresenter
    timeline: list[TimelineItem]
    needs: list[dict[str, str]]
    assessments: list[Assessment] = field(default_factory=list)
    offers: list[Offer] = field(default_factory=list)
    assessment_history: dict[int, list[amendments.Change]] = field(default_factory=dict)

    @classmethod
    def load(cls, episode: Episode) -> "EpisodePresenter":
        offers = list(episode.offers.select_related("recorded_by"))
        assessments = list(episode.assessments.select_related("recorded_by"))
        offer_history = amendments.history(Offer, [offer.pk for offer in offers])
        assessment_history = amendments.history(Assessment, [a.pk for a in assessments])
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
        for offer in offers:
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
                    links=[
                        (
                            "Correct this offer",
                            reverse("cases:correct_offer", args=[episode.pk, offer.pk]),
                        )
                    ],
                    history=[change.sentence for change in offer_history.get(offer.pk, [])],
                )
            )
        definitions: dict[int, Any] = {}
        for admin in episode.administrations.select_related(
            "instrument_version", "administered_by"
        ).prefetch_related("answers"):
            # Bands and flags are stored as codes; the exact version used gives their wording.
            if admin.instrument_version_id not in definitions:
                definitions[admin.instrument_version_id] = registry.definition_of(
                    admin.instrument_version
                )
            definition = definitions[admin.instrument_version_id]
            band = definition.band(admin.band) if admin.band else None
            result = [
                f"Score {admin.total.normalize():f}" if admin.total is not None else "",
                band.label if band else admin.band,
                admin.outcome.replace("_", " ").capitalize() if admin.outcome else "",
            ]
            flags = []
            for code in admin.flags:
                rule = definition.flag(code)
                flags.append(f"Flag: {rule.text if rule else code}")
            if not admin.is_complete:
                # Flags stand on the answers given so far (PHQ-9 item 9), before completion.
                so_far = {answer.link_id: answer.value for answer in admin.answers.all()}
                for raised in scoring.score(definition, so_far).flags:
                    flags.append(f"Flag: {raised.text}")
            if admin.override_band:
                overriding = definition.band(admin.override_band)
                label = (
                    overriding.label
                    if overriding
                    else admin.override_band.replace("_", " ").capitalize()
                )
                flags.append(f"Clinician override: {label}")
            result_href = reverse("screening:result", args=[episode.pk, admin.pk])
            items.append(
                TimelineItem(
                    admin.completed_at or admin.started_at,
                    f"Screening: {admin.instrument_version.title}"
                    + ("" if admin.is_complete else " (in progress)"),
                    [" - ".join(part for part in result if part), *flags],
                    _name(admin.administered_by),
                    "screening",
                    links=[
                        (
                            "See the screening result"
                            if admin.is_complete
                            else "Open this screening",
                            result_href,
                        )
                    ],
                )
            )
        for assessment in assessments:
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
        for referral in episode.referrals.select_related("service", "created_by", "need"):
            appointment = referral.first_appointment_at
            items.append(
                TimelineItem(
                    referral.created_at,
                    f"Onward referral: {referral.service}",
                    [
                        f"Status: {referral.get_status_display()}",
                        f"For: {referral.need.get_category_display()}" if referral.need else "",
                        f"First appointment: {uk_datetime(appointment)}" if appointment else "",
                    ],
                    _name(referral.created_by),
                    "referral",
                    links=[
                        (
                            "See the referral",
                            reverse("referrals:referral_detail", args=[episode.pk, referral.pk]),
                        )
                    ],
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
        return cls(
            episode,
            PersonPresenter.load(episode.person),
            sorted(items),
            needs,
            assessments=assessments,
            offers=offers,
            assessment_history=assessment_history,
        )

    @property
    def stage_label(self) -> str:
        return Stage(getattr(self.episode, "stage", Stage.NEW)).label

    def tasks(self) -> list[dict[str, Any]]:
        return [
            {
                "id": task.pk,
                "title": task.title,
                "due": uk_date(task.due_on),
                "assigned_to": _name(task.assigned_to) or "Anyone in the team",
                "done": task.completed_at is not None,
                "complete_href": reverse("cases:complete_task", args=[self.episode.pk, task.pk]),
            }
            for task in self.episode.tasks.select_related("assigned_to")
        ]

    def _href(self, name: str, *args: Any) -> str:
        return reverse(f"cases:{name}", args=[self.episode.pk, *args])

    def _screening_href(self) -> str:
        return reverse("screening:choose_instrument", args=[self.episode.pk])

    def _referral_href(self) -> str:
        return reverse("referrals:choose_need", args=[self.episode.pk])

    def next_actions(self) -> list[Action]:
        """What to do next, from the stage: offer, screening, needs, assessment, support and
        outcomes, closure."""
        stage = Stage(getattr(self.episode, "stage", Stage.NEW))
        if stage == Stage.CLOSED:
            # Criminal-justice outcomes often arrive after L&D's part has ended.
            closed = [Action("Reopen the episode", self._href("reopen_episode"))]
            if not self.episode.policeoutcomes.exists():
                closed.append(
                    Action("Record the police outcome", self._href("record_police_outcome"))
                )
            closed.append(Action("Record a court hearing", self._href("record_court_hearing")))
            return closed
        if stage == Stage.NEW:
            return [Action("Record the offer of support", self._href("record_offer"))]
        if stage == Stage.NOT_ENGAGED:
            return [
                Action("Record a new offer of support", self._href("record_offer")),
                Action("Close the episode", self._href("close_episode")),
            ]
        actions: list[Action] = []
        if stage == Stage.AWAITING_SCREENING:
            actions.append(Action("Screen with a questionnaire", self._screening_href()))
        if stage in {Stage.AWAITING_SCREENING, Stage.AWAITING_ASSESSMENT}:
            if not self.needs:
                actions.append(
                    Action("Record vulnerabilities and needs", self._href("record_needs"))
                )
            in_progress = [a for a in self.assessments if a.completed_at is None]
            if in_progress:
                actions.append(
                    Action(
                        "Complete the assessment",
                        self._href("edit_assessment", in_progress[-1].pk),
                    )
                )
            else:
                actions.append(Action("Record the assessment", self._href("record_assessment")))
            return actions
        # Assessed: support, outcomes, then closure.
        actions.append(Action("Refer on to a service", self._referral_href()))
        actions.append(Action("Record a contact", self._href("record_contact")))
        actions.append(Action("Add a task", self._href("add_task")))
        if not self.episode.policeoutcomes.exists():
            actions.append(Action("Record the police outcome", self._href("record_police_outcome")))
        actions.append(Action("Record a court hearing", self._href("record_court_hearing")))
        actions.append(Action("Close the episode", self._href("close_episode")))
        return actions

    def other_actions(self) -> list[Action]:
        """Everything else that can be recorded now, so nothing depends on the stage guessing
        right (a police outcome may arrive before the assessment, for example)."""
        if not self.episode.is_open:
            return []
        every = [
            Action("Record an offer of support", self._href("record_offer")),
            Action("Screen with a questionnaire", self._screening_href()),
            Action("Record vulnerabilities and needs", self._href("record_needs")),
            Action("Record an assessment", self._href("record_assessment")),
            Action("Record a contact", self._href("record_contact")),
            Action("Refer on to a service", self._referral_href()),
            Action("Add a task", self._href("add_task")),
            Action("Record the police outcome", self._href("record_police_outcome")),
            Action("Record a court hearing", self._href("record_court_hearing")),
            Action("Close the episode", self._href("close_episode")),
        ]
        primary = {action.href for action in self.next_actions()}
        return [action for action in every if action.href not in primary]

    def assessment_rows(self, assessment: Assessment) -> list[dict[str, Any]]:
        """The assessment as NHS.UK summary-list rows."""
        rows = [
            ("Presenting needs", assessment.presenting_needs),
            ("Relevant history", assessment.history),
            ("Risk to self", assessment.risk_to_self),
            ("Risk to others", assessment.risk_to_others),
            ("Risk from others", assessment.risk_from_others),
            (
                "Safeguarding concern",
                (
                    "Yes"
                    + (
                        f" (referral {assessment.safeguarding_referral_reference})"
                        if assessment.safeguarding_referral_reference
                        else ""
                    )
                )
                if assessment.safeguarding_concern
                else "No",
            ),
            ("Recommendations", assessment.recommendations),
            ("Reasonable adjustments", assessment.reasonable_adjustments),
            (
                "Urgent actions",
                ", ".join(
                    codelists.display("urgent-action", code) for code in assessment.urgent_actions
                ),
            ),
            ("Started", uk_datetime(assessment.started_at)),
            ("Completed", uk_datetime(assessment.completed_at) or "In progress"),
        ]
        return [
            {
                "key": {"text": key},
                # The span keeps the practitioner's line breaks without the template's.
                "value": {"html": format_html('<span class="divert-pre-line">{}</span>', value)}
                if value
                else {"text": "Not recorded"},
            }
            for key, value in rows
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
