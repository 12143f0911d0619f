"""Display-ready values for the duplicate review pages: two records side by side and the
evidence in words, worked out from the records as they are now."""

from dataclasses import dataclass
from typing import Any

from divert.core.formatting import nhs_number, uk_date
from divert.linkage import explain as explaining
from divert.linkage import model as scoring
from divert.linkage.lookup import person_variants
from divert.linkage.models import PersonMerge
from divert.people.models import Person

COMPARE_ROWS = (
    "Divert ID",
    "Name",
    "Date of birth",
    "NHS number",
    "PNC ID",
    "Address",
    "Other names",
    "Alerts",
    "Episodes",
)


def survivor_id_of(person_id: int) -> int | None:
    """The current record a merged-away person now lives in (following a chain of merges),
    or None when ``person_id`` is not a merged-away person. The caller scopes the survivor."""
    seen: set[int] = set()
    row = Person.objects.filter(pk=person_id, merged_into__isnull=False).first()
    if row is None:
        return None
    while row.merged_into_id is not None and row.pk not in seen:
        seen.add(row.pk)
        row = Person.objects.get(pk=row.merged_into_id)
    return row.pk


def merged_away_local_id(person_id: int) -> str:
    return Person.objects.filter(pk=person_id).values_list("local_id", flat=True).first() or ""


def _record_values(person: Person) -> dict[str, str]:
    aliases = list(person.aliases.all())
    episodes = list(person.episodes.order_by("referral_received_at"))
    if person.has_no_fixed_abode:
        address = "No fixed abode"
    else:
        address = ", ".join(p for p in [person.address_line, person.postcode] if p) or "Not known"
    if episodes:
        first, last = episodes[0].referral_received_at, episodes[-1].referral_received_at
        seen = f"{len(episodes)}, from {uk_date(first)} to {uk_date(last)}"
    else:
        seen = "None"
    return {
        "Divert ID": person.local_id,
        "Name": person.full_name,
        "Date of birth": uk_date(person.date_of_birth),
        "NHS number": nhs_number(person.nhs_number) or "Not known",
        "PNC ID": person.pnc_id or "Not known",
        "Address": address,
        "Other names": ", ".join(str(a) for a in aliases if str(a)) or "None",
        "Alerts": str(person.alerts.filter(ended_at__isnull=True).count()),
        "Episodes": seen,
    }


@dataclass
class Comparison:
    first: Person
    second: Person
    explanation: explaining.Explanation

    @classmethod
    def load(cls, first: Person, second: Person) -> "Comparison":
        """The two records, and the evidence of their best-agreeing names (each record as
        recorded and under each alias)."""
        model = scoring.Model.load()
        prior = model.prior_for(Person.objects.current().count())
        best = None
        for a in person_variants(first, first.aliases.all()):
            for b in person_variants(second, second.aliases.all()):
                found = explaining.explain(a, b, model, prior=prior)
                if best is None or found.weight > best.weight:
                    best = found
        assert best is not None
        return cls(first, second, best)

    def rows(self) -> list[dict[str, Any]]:
        a, b = _record_values(self.first), _record_values(self.second)
        return [
            {"label": label, "first": a[label], "second": b[label], "same": a[label] == b[label]}
            for label in COMPARE_ROWS
        ]

    @property
    def decision_text(self) -> str:
        return {
            "match": "Likely the same person",
            "review": "Possibly the same person: needs a decision",
            "non-match": "Probably different people",
        }[self.explanation.decision]


def merges_into(person: Person) -> list[PersonMerge]:
    """Standing merges of other records into this person, newest first."""
    return list(
        PersonMerge.objects.filter(survivor=person, unmerged_at__isnull=True).select_related(
            "merged", "merged_by"
        )
    )
