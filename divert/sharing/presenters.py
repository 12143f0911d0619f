"""What a partner sees of a disclosure: identity, purpose, permitted sections, consent state."""

from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery

from divert.core import codelists
from divert.sharing.models import ConsentDecision, ConsentDecisionKind, Disclosure
from divert.sharing.sections import Section, visible_sections


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
