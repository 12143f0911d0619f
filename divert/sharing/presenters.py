"""What a partner sees of a disclosure: identity, purpose, permitted sections, consent state."""

from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery

from divert.core import codelists
from divert.sharing.models import (
    ConsentDecision,
    ConsentDecisionKind,
    ConsentGivenBy,
    Disclosure,
    Document,
    DocumentStatus,
)
from divert.sharing.sections import SECTIONS, Section, visible_sections


def with_consent_state(queryset: QuerySet[Disclosure]) -> QuerySet[Disclosure]:
    """Annotate each disclosure with the latest consent decision for its recipient and purpose."""
    latest = ConsentDecision.objects.filter(
        episode_id=OuterRef("episode_id"),
        recipient_class=OuterRef("agency__recipient_class"),
        purpose=OuterRef("purpose"),
    ).order_by("-decided_at", "-id")
    return queryset.annotate(
        latest_consent_decision=Subquery(latest.values("decision")[:1]),
        latest_consent_at=Subquery(latest.values("decided_at")[:1]),
    )


@dataclass
class PartnerDisclosure:
    disclosure: Disclosure

    @property
    def person(self) -> Any:
        return self.disclosure.episode.person

    @property
    def purpose(self) -> str:
        return codelists.display("disclosure-purpose", self.disclosure.purpose)

    @property
    def lawful_basis(self) -> str:
        return codelists.display("lawful-basis", self.disclosure.lawful_basis)

    @property
    def consent_withdrawn_at(self) -> Any:
        decision = getattr(self.disclosure, "latest_consent_decision", None)
        if decision == ConsentDecisionKind.WITHDRAWN:
            return self.disclosure.latest_consent_at  # type: ignore[attr-defined]
        return None

    @property
    def document_title(self) -> str:
        document = self.disclosure.document
        return document.get_kind_display() if document else "Information shared"

    def sections(self) -> list[tuple[Section, str]]:
        """Only what the consent covers; a non-consent basis shows the approved document."""
        document = self.disclosure.document
        content: dict[str, Any] = dict(document.content) if document else {}
        if self.disclosure.summary:
            content.setdefault("summary", self.disclosure.summary)
        if self.disclosure.lawful_basis == "consent":
            consent = self.disclosure.consent
            scope = ["summary", *(consent.scope if consent else [])]
        else:
            scope = None
        return visible_sections(content, scope=scope)


# Staff pages under an episode.


@dataclass(frozen=True)
class ConsentRow:
    decision: ConsentDecision

    @property
    def recipient(self) -> str:
        return codelists.display("recipient-class", self.decision.recipient_class)

    @property
    def purpose(self) -> str:
        return codelists.display("disclosure-purpose", self.decision.purpose)

    @property
    def given_by(self) -> str:
        if self.decision.given_by == ConsentGivenBy.PARENTAL_RESPONSIBILITY:
            return f"{self.decision.given_by_name} (parental responsibility)"
        return "The person"

    @property
    def scope(self) -> str:
        titles = [section.title for section in SECTIONS if section.code in self.decision.scope]
        return ", ".join(titles) if titles else "Nothing"

    @property
    def tag(self) -> str:
        return {
            ConsentDecisionKind.GIVEN: "green",
            ConsentDecisionKind.REFUSED: "red",
            ConsentDecisionKind.WITHDRAWN: "orange",
        }.get(ConsentDecisionKind(self.decision.decision), "grey")


@dataclass
class SharingOverview:
    episode: Any
    decisions: list[ConsentDecision]
    documents: list[Document]
    disclosures: list[Disclosure]

    @classmethod
    def load(cls, episode: Any) -> "SharingOverview":
        return cls(
            episode=episode,
            decisions=list(episode.consents.select_related("recorded_by")),
            documents=list(
                episode.documents.select_related("drafted_by", "approved_by").order_by(
                    "-drafted_at"
                )
            ),
            disclosures=list(
                with_consent_state(
                    episode.disclosures.select_related("agency", "document", "created_by")
                )
            ),
        )

    @property
    def current_consents(self) -> list[ConsentRow]:
        """The latest decision per recipient class and purpose."""
        latest: dict[tuple[str, str], ConsentDecision] = {}
        for decision in self.decisions:  # ordered by decided_at, id
            latest[(decision.recipient_class, decision.purpose)] = decision
        return [ConsentRow(decision) for decision in latest.values()]

    @property
    def history(self) -> list[ConsentRow]:
        return [ConsentRow(decision) for decision in reversed(self.decisions)]

    def disclosure_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "disclosure": disclosure,
                "purpose": codelists.display("disclosure-purpose", disclosure.purpose),
                "basis": codelists.display("lawful-basis", disclosure.lawful_basis),
                "withdrawn_at": PartnerDisclosure(disclosure).consent_withdrawn_at,
            }
            for disclosure in self.disclosures
        ]


STATUS_TAGS = {
    DocumentStatus.DRAFT: "grey",
    DocumentStatus.SUBMITTED: "blue",
    DocumentStatus.RETURNED: "orange",
    DocumentStatus.APPROVED: "green",
    DocumentStatus.WITHDRAWN: "red",
}


@dataclass
class DocumentView:
    document: Document

    @property
    def title(self) -> str:
        return self.document.get_kind_display()

    @property
    def tag(self) -> str:
        return STATUS_TAGS.get(DocumentStatus(self.document.status), "grey")

    @property
    def written_for(self) -> str:
        if not self.document.recipient_class:
            return "Not recorded"
        return (
            f"{codelists.display('recipient-class', self.document.recipient_class)}, for "
            f"{codelists.display('disclosure-purpose', self.document.purpose).lower()}"
        )

    def sections(self) -> list[tuple[Section, str]]:
        return visible_sections(dict(self.document.content or {}), scope=None)

    def left_out(self) -> list[str]:
        included = {section.code for section, _ in self.sections()}
        return [section.title for section in SECTIONS if section.code not in included]


def status_tag(status: str) -> str:
    return STATUS_TAGS.get(DocumentStatus(status), "grey")
