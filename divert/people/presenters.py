"""Display-ready values for a person."""

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from divert.core import codelists
from divert.core.formatting import age_on, nhs_number, uk_date
from divert.people.models import Alert, Alias, Person


@dataclass
class PersonPresenter:
    person: Person
    aliases: list[Alias]
    alerts: list[Alert]

    @classmethod
    def load(cls, person: Person) -> "PersonPresenter":
        return cls(
            person=person,
            aliases=list(person.aliases.order_by("family_name", "given_name")),
            alerts=list(person.alerts.filter(ended_at__isnull=True).select_related("raised_by")),
        )

    @property
    def age_today(self) -> int:
        return age_on(self.person.date_of_birth, timezone.localdate())

    def identity_rows(self) -> list[dict[str, Any]]:
        p = self.person
        dob = uk_date(p.date_of_birth) + (" (estimated)" if p.date_of_birth_is_estimated else "")
        rows = [
            ("Divert ID", p.local_id),
            ("NHS number", nhs_number(p.nhs_number) or "Not known"),
            ("PNC ID", p.pnc_id or "Not known"),
            ("Date of birth", f"{dob} (age {self.age_today})"),
            ("Gender identity", p.get_gender_identity_display()),
            ("Ethnic category", p.get_ethnic_category_display()),
            (
                "Address",
                "No fixed abode"
                if p.has_no_fixed_abode
                else ", ".join(part for part in [p.address_line, p.postcode] if part)
                or "Not known",
            ),
            (
                "GP practice",
                " ".join(
                    part
                    for part in [
                        p.gp_practice_name,
                        f"({p.gp_practice_code})" if p.gp_practice_code else "",
                    ]
                    if part
                )
                or "Not known",
            ),
            ("Communication needs", p.communication_needs or "None recorded"),
            ("Interpreter", p.interpreter_language or "Not needed"),
            ("Learning disability status", p.get_ld_status_display()),
            ("Autism status", p.get_autism_status_display()),
        ]
        return [{"key": {"text": key}, "value": {"text": value}} for key, value in rows]

    def alert_items(self) -> list[dict[str, str]]:
        return [
            {
                "category": codelists.display("alert-category", alert.category),
                "description": alert.description,
                "raised": uk_date(alert.raised_at),
            }
            for alert in self.alerts
        ]
