"""Finding a service to refer to: by need (service category), force area, age and words.

The directory is small (hundreds of services), so the active services are read once and
filtered and ranked in Python; this behaves the same on SQLite and PostgreSQL (JSON ``contains``
is not available on SQLite).
"""

from dataclasses import dataclass

from divert.directory.models import DirectoryService
from divert.organisation.models import ForceArea

# Need (vulnerability code list) -> the service categories that usually meet it, best first.
NEED_TO_CATEGORIES: dict[str, tuple[str, ...]] = {
    "mental_health": ("mental_health",),
    "personality_disorder": ("mental_health",),
    "trauma": ("mental_health",),
    "suicide_self_harm": ("mental_health",),
    "substance_misuse_drugs": ("drug_and_alcohol",),
    "substance_misuse_alcohol": ("drug_and_alcohol",),
    "accommodation": ("housing",),
    "financial": ("debt_and_benefits",),
    "learning_disability": ("learning_disability_autism",),
    "learning_difficulty": ("learning_disability_autism",),
    "autism": ("learning_disability_autism",),
    "adhd": ("learning_disability_autism", "mental_health"),
    "speech_language_communication": ("learning_disability_autism", "youth_services"),
    "domestic_abuse": ("domestic_abuse_support",),
    "sexual_abuse": ("domestic_abuse_support",),
    "safeguarding": ("social_care",),
    "social_isolation": ("voluntary_sector",),
    "employment_education": ("education_employment",),
    "physical_health": ("gp_primary_care",),
    "veteran": ("veterans",),
    "female_pathway": ("womens_services",),
    "charge_related": ("mental_health",),
}


def categories_for_need(need_category: str) -> tuple[str, ...]:
    return NEED_TO_CATEGORIES.get(need_category, ())


@dataclass(frozen=True)
class _Rank:
    text_in_name: bool
    area_listed: bool
    age_bounded: bool
    name: str

    def key(self) -> tuple[int, int, int, str]:
        return (
            0 if self.text_in_name else 1,
            0 if self.area_listed else 1,
            0 if self.age_bounded else 1,
            self.name.casefold(),
        )


def find_services(
    *,
    category: str | None = None,
    force_area: ForceArea | None = None,
    age: int | None = None,
    text: str = "",
) -> list[DirectoryService]:
    """Active services of active organisations that fit, ranked.

    Fits: lists ``category``; serves ``force_area`` (a service with no areas serves everywhere);
    takes people of ``age``; mentions every word of ``text`` in its name, organisation,
    description or eligibility. Ranked: words in the name first, then services that list the
    area (local before national), then services with an age range that fits (a youth service
    before an all-ages one for a young person), then by name.
    """
    queryset = (
        DirectoryService.objects.filter(is_active=True, organisation__is_active=True)
        .select_related("organisation")
        .prefetch_related("areas_served")
    )
    if age is not None:
        queryset = queryset.exclude(min_age__gt=age).exclude(max_age__lt=age)
    words = text.casefold().split()
    ranked: list[tuple[tuple[int, int, int, str], DirectoryService]] = []
    for service in queryset:
        if category and category not in service.categories:
            continue
        areas = {area.pk for area in service.areas_served.all()}
        if force_area is not None and areas and force_area.pk not in areas:
            continue
        haystack = " ".join(
            [service.name, service.organisation.name, service.description, service.eligibility]
        ).casefold()
        if any(word not in haystack for word in words):
            continue
        rank = _Rank(
            text_in_name=bool(words) and all(word in service.name.casefold() for word in words),
            area_listed=force_area is not None and force_area.pk in areas,
            age_bounded=age is not None
            and (service.min_age is not None or service.max_age is not None),
            name=service.name,
        )
        ranked.append((rank.key(), service))
    ranked.sort(key=lambda pair: pair[0])
    return [service for _, service in ranked]
