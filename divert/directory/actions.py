"""Maintaining the directory of services: organisations and the services they run.

Each action takes keyword-only arguments with the actor as ``by=``, runs in one transaction,
validates before writing (``ValidationError`` keyed by field) and writes one audit event. The
directory holds no personal data, so the events carry no ``person_id``.
"""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from divert.accounts.models import User
from divert.audit import auditor
from divert.audit.models import AuditEvent
from divert.core import codelists
from divert.directory.models import DirectoryOrganisation, DirectoryService
from divert.organisation.models import ForceArea

ORGANISATION_FIELDS = ("name", "description", "website", "email", "phone")
SERVICE_FIELDS = (
    "name",
    "description",
    "categories",
    "eligibility",
    "min_age",
    "max_age",
    "area_description",
    "hours",
    "email",
    "phone",
    "website",
    "address",
    "referral_route",
    "is_self_referral_accepted",
    "accessibility",
    "languages",
)


def _check_categories(categories: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(categories))
    if not chosen:
        raise ValidationError({"categories": "Choose at least one category"})
    known = set(codelists.codes("service-category"))
    unknown = [code for code in chosen if code not in known]
    if unknown:
        raise ValidationError(
            {"categories": f"Unknown service category: {', '.join(sorted(unknown))}"}
        )
    return chosen


def _full_clean(service: DirectoryService) -> None:
    # The age order and organisation+name uniqueness are checked here so messages name fields.
    if (
        service.min_age is not None
        and service.max_age is not None
        and service.max_age < service.min_age
    ):
        raise ValidationError({"max_age": "The maximum age must not be below the minimum age"})
    service.full_clean(exclude=["organisation"], validate_unique=False)
    clash = DirectoryService.objects.filter(
        organisation_id=service.organisation_id, name=service.name
    ).exclude(pk=service.pk)
    if clash.exists():
        raise ValidationError({"name": "This organisation already lists a service with this name"})


@transaction.atomic
def create_organisation(*, by: User, name: str, **details: Any) -> DirectoryOrganisation:
    organisation = DirectoryOrganisation(name=name.strip(), **details)
    organisation.full_clean()
    organisation.save()
    auditor.record(
        event="directory.organisation_created",
        action=AuditEvent.Action.CREATE,
        by=by,
        target=organisation,
    )
    return organisation


@transaction.atomic
def update_organisation(
    *, organisation: DirectoryOrganisation, by: User, **changes: Any
) -> DirectoryOrganisation:
    organisation = DirectoryOrganisation.objects.select_for_update().get(pk=organisation.pk)
    changed = [name for name in changes if getattr(organisation, name) != changes[name]]
    for name in changed:
        if name not in ORGANISATION_FIELDS:
            raise ValidationError({name: "This field cannot be changed here"})
        setattr(organisation, name, changes[name])
    organisation.full_clean()
    organisation.save()
    auditor.record(
        event="directory.organisation_updated",
        action=AuditEvent.Action.UPDATE,
        by=by,
        target=organisation,
        changes={"fields": sorted(changed)},
    )
    return organisation


@transaction.atomic
def deactivate_organisation(
    *, organisation: DirectoryOrganisation, by: User
) -> DirectoryOrganisation:
    """Take an organisation and every service it runs out of search; history keeps them."""
    organisation = DirectoryOrganisation.objects.select_for_update().get(pk=organisation.pk)
    if not organisation.is_active:
        raise ValidationError("This organisation is already inactive")
    organisation.is_active = False
    organisation.save(update_fields=["is_active"])
    services = list(organisation.services.filter(is_active=True).values_list("pk", flat=True))
    organisation.services.filter(pk__in=services).update(is_active=False, updated_at=timezone.now())
    auditor.record(
        event="directory.organisation_deactivated",
        action=AuditEvent.Action.UPDATE,
        by=by,
        target=organisation,
        changes={"services_deactivated": services},
    )
    return organisation


@transaction.atomic
def create_service(
    *,
    by: User,
    organisation: DirectoryOrganisation,
    name: str,
    categories: Iterable[str],
    areas_served: Iterable[ForceArea] = (),
    **details: Any,
) -> DirectoryService:
    """Add a service to the directory. No areas served means it serves everywhere."""
    unknown = set(details) - set(SERVICE_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: "This field cannot be set here"})
    if not organisation.is_active:
        raise ValidationError({"organisation": "This organisation is inactive"})
    service = DirectoryService(
        organisation=organisation,
        name=name.strip(),
        categories=_check_categories(categories),
        updated_at=timezone.now(),
        **details,
    )
    _full_clean(service)
    service.save()
    areas = list(areas_served)
    service.areas_served.set(areas)
    auditor.record(
        event="directory.service_created",
        action=AuditEvent.Action.CREATE,
        by=by,
        target=service,
        changes={"categories": service.categories, "areas_served": [a.code for a in areas]},
    )
    return service


@transaction.atomic
def update_service(
    *,
    service: DirectoryService,
    by: User,
    areas_served: Iterable[ForceArea] | None = None,
    **changes: Any,
) -> DirectoryService:
    """Change a service's details; only what differs is written and named in the audit."""
    service = DirectoryService.objects.select_for_update().get(pk=service.pk)
    unknown = set(changes) - set(SERVICE_FIELDS) - {"is_active"}
    if unknown:
        raise ValidationError({sorted(unknown)[0]: "This field cannot be changed here"})
    if "categories" in changes:
        changes["categories"] = _check_categories(changes["categories"])
    if "name" in changes:
        changes["name"] = changes["name"].strip()
    changed = sorted(name for name, value in changes.items() if getattr(service, name) != value)
    for name in changed:
        setattr(service, name, changes[name])
    old_areas = set(service.areas_served.values_list("pk", flat=True))
    new_areas = None if areas_served is None else list(areas_served)
    if new_areas is not None and {a.pk for a in new_areas} != old_areas:
        changed.append("areas_served")
    if not changed:
        return service
    _full_clean(service)
    service.updated_at = timezone.now()
    service.save()
    if new_areas is not None and "areas_served" in changed:
        service.areas_served.set(new_areas)
    auditor.record(
        event="directory.service_updated",
        action=AuditEvent.Action.UPDATE,
        by=by,
        target=service,
        changes={"fields": changed},
    )
    return service


@transaction.atomic
def deactivate_service(*, service: DirectoryService, by: User) -> DirectoryService:
    """Take a service out of search. Referrals already made to it keep pointing at it."""
    service = DirectoryService.objects.select_for_update().get(pk=service.pk)
    if not service.is_active:
        raise ValidationError("This service is already inactive")
    service.is_active = False
    service.updated_at = timezone.now()
    service.save(update_fields=["is_active", "updated_at"])
    auditor.record(
        event="directory.service_deactivated",
        action=AuditEvent.Action.UPDATE,
        by=by,
        target=service,
    )
    return service


@transaction.atomic
def reactivate_service(*, service: DirectoryService, by: User) -> DirectoryService:
    """Put an inactive service back in search (its organisation must be active)."""
    service = DirectoryService.objects.select_for_update().get(pk=service.pk)
    if service.is_active:
        raise ValidationError("This service is already in search")
    if not service.organisation.is_active:
        raise ValidationError("Its organisation is inactive; it cannot be put back in search")
    service.is_active = True
    service.updated_at = timezone.now()
    service.save(update_fields=["is_active", "updated_at"])
    auditor.record(
        event="directory.service_reactivated",
        action=AuditEvent.Action.UPDATE,
        by=by,
        target=service,
    )
    return service
