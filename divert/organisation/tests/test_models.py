"""Database constraints on the shape of a service: sites, opening hours, teams, agencies."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from divert.organisation.models import (
    Agency,
    ForceArea,
    LDService,
    OpeningHours,
    Provider,
    Site,
    Team,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(service):
    return service["sites"]["north-custody"]


def test_provider_duplicate_ods_code_refused(service):
    """Two providers cannot share an ODS code."""
    ods_code = service["ld"].provider.ods_code

    with pytest.raises(IntegrityError), transaction.atomic():
        Provider.objects.create(name="Another trust", ods_code=ods_code)


def test_ldservice_duplicate_name_for_provider_refused(service):
    """A provider cannot run two L&D services with the same name."""
    ld = service["ld"]

    with pytest.raises(IntegrityError), transaction.atomic():
        LDService.objects.create(provider=ld.provider, name=ld.name)


def test_force_area_duplicate_code_refused(service):
    """Two force areas cannot share a code."""

    with pytest.raises(IntegrityError), transaction.atomic():
        ForceArea.objects.create(code="north", name="Another North", service=service["ld"])


def test_site_unknown_type_refused(service, site):
    """A site type outside the list is refused."""
    fields = {
        "service": service["ld"],
        "force_area": site.force_area,
        "code": "prison",
        "name": "A prison",
        "site_type": "prison",
    }

    with pytest.raises(IntegrityError, match="site_type_valid"), transaction.atomic():
        Site.objects.create(**fields)


def test_site_duplicate_code_refused(service, site):
    """Two sites cannot share a code."""
    fields = {
        "service": service["ld"],
        "force_area": site.force_area,
        "code": site.code,
        "name": "Copy",
        "site_type": "community",
    }

    with pytest.raises(IntegrityError), transaction.atomic():
        Site.objects.create(**fields)


@pytest.mark.parametrize("weekday", [7, 100])
def test_opening_hours_weekday_after_sunday_refused(site, weekday):
    """Weekdays stop at 6 (Sunday)."""
    fields = {"site": site, "weekday": weekday, "opens": dt.time(9), "closes": dt.time(17)}

    with pytest.raises(IntegrityError, match="weekday_range"), transaction.atomic():
        OpeningHours.objects.create(**fields)


def test_opening_hours_negative_weekday_refused(site):
    """Weekdays start at 0 (Monday)."""
    fields = {"site": site, "weekday": -1, "opens": dt.time(9), "closes": dt.time(17)}

    with pytest.raises(IntegrityError), transaction.atomic():
        OpeningHours.objects.create(**fields)


@pytest.mark.parametrize(("opens", "closes"), [(dt.time(17), dt.time(9)), (dt.time(9), dt.time(9))])
def test_opening_hours_closing_not_after_opening_refused(site, opens, closes):
    """Opening hours that close before, or as, they open are refused."""
    fields = {"site": site, "weekday": 0, "opens": opens, "closes": closes}

    with (
        pytest.raises(IntegrityError, match="opening_hours_close_after_open"),
        transaction.atomic(),
    ):
        OpeningHours.objects.create(**fields)


@pytest.mark.parametrize(
    ("opens", "closes"),
    [(dt.time(9), dt.time(17)), (dt.time(22), dt.time(0)), (dt.time(0), dt.time(0))],
)
def test_opening_hours_valid_accepted(site, opens, closes):
    """Hours that close after opening, or at midnight (00:00), are stored."""
    fields = {"site": site, "weekday": 6, "opens": opens, "closes": closes}

    hours = OpeningHours.objects.create(**fields)

    assert hours.pk is not None


def test_team_duplicate_name_in_service_refused(service):
    """A service cannot have two teams with the same name."""

    with pytest.raises(IntegrityError), transaction.atomic():
        Team.objects.create(service=service["ld"], name="North team")


def test_agency_unknown_recipient_class_refused(db):
    """An agency's recipient class must come from the code list."""

    with pytest.raises(IntegrityError, match="agency_recipient_class_valid"), transaction.atomic():
        Agency.objects.create(name="Neighbourhood watch", recipient_class="neighbours")


def test_agency_duplicate_name_refused(service):
    """Two agencies cannot share a name."""

    with pytest.raises(IntegrityError), transaction.atomic():
        Agency.objects.create(name="North Police", recipient_class="police")


def test_agency_known_recipient_class_accepted(db):
    """An agency with a listed recipient class is stored."""

    agency = Agency.objects.create(name="Probation (synthetic)", recipient_class="probation")

    assert agency.pk is not None
