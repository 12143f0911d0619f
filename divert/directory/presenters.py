"""Display-ready values for directory services (list cards and the detail page)."""

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.html import format_html

from divert.core.formatting import uk_datetime
from divert.directory.models import DirectoryService


def age_range(service: DirectoryService) -> str:
    low, high = service.min_age, service.max_age
    if low is None and high is None:
        return "Any age"
    if high is None:
        return f"{low} and over"
    if low is None:
        return f"Up to {high}"
    return f"{low} to {high}"


def areas(service: DirectoryService) -> str:
    names = [area.name for area in service.areas_served.all()]
    text = ", ".join(names) if names else "Anywhere"
    return f"{text} ({service.area_description})" if service.area_description else text


@dataclass
class ServiceCard:
    name: str
    organisation: str
    href: str
    categories: str
    ages: str
    areas: str
    description: str
    contact: str
    service: DirectoryService

    @classmethod
    def of(cls, service: DirectoryService) -> "ServiceCard":
        return cls(
            name=service.name,
            organisation=service.organisation.name,
            href=reverse("directory:service_detail", args=[service.pk]),
            categories=", ".join(service.category_labels()),
            ages=age_range(service),
            areas=areas(service),
            description=service.description,
            contact=" · ".join(part for part in (service.phone, service.email) if part),
            service=service,
        )


def service_rows(service: DirectoryService) -> list[dict[str, Any]]:
    """The service as NHS.UK summary-list rows."""
    rows: list[tuple[str, str]] = [
        ("Organisation", service.organisation.name),
        ("Needs it meets", ", ".join(service.category_labels())),
        ("Description", service.description),
        ("Who it is for", service.eligibility),
        ("Ages", age_range(service)),
        ("Area served", areas(service)),
        ("Opening hours", service.hours),
        ("Telephone", service.phone),
        ("Email", service.email),
        ("Website", service.website),
        ("Address", service.address),
        ("How to refer", service.referral_route),
        ("Self-referral", "Yes" if service.is_self_referral_accepted else "No"),
        ("Accessibility", service.accessibility),
        ("Languages", service.languages),
        ("In search", "Yes" if service.is_active and service.organisation.is_active else "No"),
        ("Last updated", uk_datetime(service.updated_at) if service.updated_at else ""),
    ]
    return [
        {
            "key": {"text": key},
            "value": {"html": format_html('<span class="divert-pre-line">{}</span>', value)}
            if value
            else {"text": "Not recorded"},
        }
        for key, value in rows
    ]
