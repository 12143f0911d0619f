"""Directory actions: validation, audit events and deactivation."""

import pytest
from django.core.exceptions import ValidationError

from divert.audit.models import AuditEvent
from divert.directory import actions
from divert.directory.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(users):
    return users["admin"]


@pytest.fixture
def built(admin, service):
    return factories.directory(admin, service)


def test_create_service_unknown_category_refused(admin, built):
    """A category outside the service-category code list is refused, naming the field."""
    organisation = built["adult_drugs"].organisation

    with pytest.raises(ValidationError) as caught:
        actions.create_service(
            by=admin, organisation=organisation, name="New (synthetic)", categories=["magic"]
        )

    assert "categories" in caught.value.message_dict


def test_create_service_without_category_refused(admin, built):
    """Every service has at least one category, so it can be found by need."""
    organisation = built["adult_drugs"].organisation

    with pytest.raises(ValidationError) as caught:
        actions.create_service(by=admin, organisation=organisation, name="X", categories=[])

    assert "categories" in caught.value.message_dict


def test_create_service_duplicate_name_refused_on_name(admin, built):
    """A second service with the same name in the organisation is refused on the name field."""
    existing = built["adult_drugs"]

    with pytest.raises(ValidationError) as caught:
        actions.create_service(
            by=admin,
            organisation=existing.organisation,
            name=existing.name,
            categories=["housing"],
        )

    assert "name" in caught.value.message_dict


def test_create_service_ages_out_of_order_refused(admin, built):
    """A maximum age below the minimum is refused on max_age."""
    organisation = built["adult_drugs"].organisation

    with pytest.raises(ValidationError) as caught:
        actions.create_service(
            by=admin,
            organisation=organisation,
            name="Backwards (synthetic)",
            categories=["housing"],
            min_age=18,
            max_age=10,
        )

    assert "max_age" in caught.value.message_dict


def test_create_service_audited_without_free_text(admin, service):
    """Creating a service writes one audit event with codes only."""
    organisation = actions.create_organisation(by=admin, name="Audit Org (synthetic)")
    before = AuditEvent.objects.count()

    created = actions.create_service(
        by=admin,
        organisation=organisation,
        name="Audited (synthetic)",
        categories=["housing"],
        description="Free text that must not be audited",
        areas_served=[service["sites"]["north-custody"].force_area],
    )

    event = AuditEvent.objects.order_by("-sequence").first()
    assert AuditEvent.objects.count() == before + 1
    assert (event.event, event.target_id, event.person_id) == (
        "directory.service_created",
        str(created.pk),
        None,
    )
    assert event.changes == {"categories": ["housing"], "areas_served": ["north"]}


def test_update_service_names_changed_fields_only(admin, built):
    """An update audits the names of the fields that changed, and a no-op writes nothing."""
    target = built["adult_drugs"]
    actions.update_service(service=target, by=admin, hours="Weekdays", phone=target.phone)
    before = AuditEvent.objects.count()

    actions.update_service(service=target, by=admin, hours="Weekdays")

    assert AuditEvent.objects.count() == before
    event = AuditEvent.objects.filter(event="directory.service_updated").latest("sequence")
    assert event.changes == {"fields": ["hours"]}


def test_deactivate_organisation_deactivates_its_services(admin, built):
    """Deactivating an organisation takes all its services out of search."""
    organisation = built["adult_drugs"].organisation

    actions.deactivate_organisation(organisation=organisation, by=admin)

    assert not organisation.services.filter(is_active=True).exists()
    event = AuditEvent.objects.latest("sequence")
    assert event.event == "directory.organisation_deactivated"


def test_deactivate_service_twice_refused(admin, built):
    """An inactive service cannot be deactivated again."""
    actions.deactivate_service(service=built["south_housing"], by=admin)

    with pytest.raises(ValidationError):
        actions.deactivate_service(service=built["south_housing"], by=admin)
