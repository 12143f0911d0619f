"""find_services: the category, force area, age and text filters, and the ranking."""

import pytest

from divert.core import codelists
from divert.directory import actions
from divert.directory.search import NEED_TO_CATEGORIES, categories_for_need, find_services
from divert.directory.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(users, service):
    return factories.directory(users["admin"], service)


@pytest.fixture
def areas(service):
    return {
        "north": service["sites"]["north-custody"].force_area,
        "south": service["sites"]["south-custody"].force_area,
    }


def names(services):
    return [service.name for service in services]


def test_find_services_by_category_area_and_adult_age(built, areas):
    """An adult in the north gets the local adult service first, then the national one."""

    found = find_services(category="drug_and_alcohol", force_area=areas["north"], age=30)

    assert found == [built["adult_drugs"], built["national_drugs"]]


def test_find_services_other_area_excludes_local_services(built, areas):
    """A service that lists only the north is not offered in the south; everywhere ones are."""

    found = find_services(category="drug_and_alcohol", force_area=areas["south"], age=30)

    assert found == [built["national_drugs"]]


def test_find_services_young_person_gets_youth_service_first(built, areas):
    """A 15-year-old gets the youth service (age range fits) before the any-age one."""

    found = find_services(category="drug_and_alcohol", force_area=areas["north"], age=15)

    assert found == [built["youth_drugs"], built["national_drugs"]]


@pytest.mark.parametrize(("age", "expected"), [(17, False), (18, True), (99, True)])
def test_find_services_minimum_age_bound(built, areas, age, expected):
    """The age range is inclusive at both ends."""

    found = find_services(category="drug_and_alcohol", force_area=areas["north"], age=age)

    assert (built["adult_drugs"] in found) is expected


def test_find_services_text_matches_every_word(built):
    """Every word must appear in the name, organisation, description or eligibility."""

    found = find_services(text="advice LINE")

    assert found == [built["national_drugs"]]


def test_find_services_text_in_name_ranks_first(built):
    """A match in the name ranks above a match only in the description."""

    found = find_services(text="drug")

    assert found[0] in {built["youth_drugs"], built["national_drugs"]}
    assert found[-1] == built["adult_drugs"]


def test_find_services_leaves_out_inactive(built, users):
    """Inactive services and services of inactive organisations are not offered."""
    actions.deactivate_service(service=built["national_drugs"], by=users["admin"])
    actions.deactivate_organisation(
        organisation=built["adult_drugs"].organisation, by=users["admin"]
    )

    found = find_services(category="drug_and_alcohol")

    assert found == [built["youth_drugs"]]


def test_find_services_without_filters_lists_every_active_service(built):
    """No filters: every active service, by name."""

    found = find_services()

    assert names(found) == sorted(names(built.values()), key=str.casefold)


def test_need_to_categories_uses_known_codes():
    """Every need maps to real service categories, and every need is mapped."""
    known = set(codelists.codes("service-category"))

    assert all(set(cats) <= known for cats in NEED_TO_CATEGORIES.values())
    assert set(NEED_TO_CATEGORIES) == set(codelists.codes("vulnerability"))
    assert categories_for_need("unknown") == ()
