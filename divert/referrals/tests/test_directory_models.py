"""Database constraints on the directory of services referrals are made to.

The directory app has no tests package of its own yet, so its constraints are tested here,
beside the referrals that use it.
"""

import pytest
from django.db import IntegrityError, transaction

from divert.directory.models import DirectoryOrganisation, DirectoryService

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation(db):
    return DirectoryOrganisation.objects.create(name="Example Wellbeing (synthetic)")


def test_directory_service_duplicate_name_in_organisation_refused(organisation):
    """An organisation cannot list two services with the same name."""
    DirectoryService.objects.create(organisation=organisation, name="Talking therapies")

    with pytest.raises(IntegrityError), transaction.atomic():
        DirectoryService.objects.create(organisation=organisation, name="Talking therapies")


def test_directory_service_same_name_in_other_organisation_accepted(organisation):
    """Two organisations may each have a service with the same name."""
    other = DirectoryOrganisation.objects.create(name="Another Charity (synthetic)")
    DirectoryService.objects.create(organisation=organisation, name="Talking therapies")

    service = DirectoryService.objects.create(organisation=other, name="Talking therapies")

    assert service.pk is not None


def test_directory_service_max_age_below_min_age_refused(organisation):
    """A service's maximum age cannot be below its minimum age."""
    fields = {"organisation": organisation, "name": "Youth service", "min_age": 18, "max_age": 17}

    with (
        pytest.raises(IntegrityError, match="directory_service_age_range_ordered"),
        transaction.atomic(),
    ):
        DirectoryService.objects.create(**fields)


@pytest.mark.parametrize(("min_age", "max_age"), [(10, 17), (18, 18), (None, 25), (18, None)])
def test_directory_service_age_range_accepted(organisation, min_age, max_age):
    """An ordered or open-ended age range is stored."""
    fields = {"organisation": organisation, "name": "Service", "min_age": min_age}

    service = DirectoryService.objects.create(**fields, max_age=max_age)

    assert (service.min_age, service.max_age) == (min_age, max_age)


def test_directory_organisation_duplicate_name_refused(organisation):
    """Two directory organisations cannot share a name."""

    with pytest.raises(IntegrityError), transaction.atomic():
        DirectoryOrganisation.objects.create(name=organisation.name)
