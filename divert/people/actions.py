"""Changes to people: creating a person, aliases, alerts. Each writes an audit event."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from divert.accounts.models import User
from divert.audit import auditor
from divert.audit.models import AuditEvent
from divert.core import locks
from divert.people import identifiers
from divert.people.models import Alert, Alias, Person


def _next_local_id() -> str:
    locks.serialise("person-local-id")
    last = Person.objects.aggregate(last=Max("local_id"))["last"]
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"DIV-{number:07d}"


def _refresh_lookup_keys(person_id: int) -> None:
    """Keep the intake lookup keys (linkage.PersonKey) in step with names and dates of birth."""
    from divert.linkage.lookup import refresh_keys

    refresh_keys([person_id])


@transaction.atomic
def create_person(
    *,
    by: User,
    given_name: str,
    family_name: str,
    date_of_birth: dt.date,
    nhs_number: str | None = None,
    pnc_id: str | None = None,
    **details: Any,
) -> Person:
    """Create a person after validating identifiers; raises ValidationError naming the field."""
    person = Person(
        local_id=_next_local_id(),
        given_name=given_name.strip(),
        family_name=family_name.strip(),
        date_of_birth=date_of_birth,
        nhs_number=identifiers.normalise_nhs_number(nhs_number) if nhs_number else None,
        pnc_id=identifiers.normalise_pnc_id(pnc_id) if pnc_id else None,
        created_at=timezone.now(),
        created_by=by,
        **details,
    )
    if person.postcode:
        person.postcode = identifiers.normalise_postcode(person.postcode)
    errors: dict[str, str] = {}
    if date_of_birth > timezone.localdate():
        errors["date_of_birth"] = "Date of birth must be today or in the past"
    if person.nhs_number and Person.objects.current().filter(nhs_number=person.nhs_number).exists():
        errors["nhs_number"] = (
            "Another person already has this NHS number. Search for them instead of adding a "
            "new person"
        )
    if errors:
        raise ValidationError(errors)
    person.full_clean(exclude=["merged_into"])
    person.save()
    _refresh_lookup_keys(person.pk)
    auditor.record(
        event="person.created",
        action=AuditEvent.Action.CREATE,
        by=by,
        target=person,
        person_id=person.pk,
    )
    return person


@transaction.atomic
def add_alias(
    *,
    person: Person,
    by: User,
    given_name: str = "",
    family_name: str = "",
    date_of_birth: dt.date | None = None,
    kind: str = Alias.Kind.ALIAS,
) -> Alias:
    alias = Alias(
        person=person,
        kind=kind,
        given_name=given_name,
        family_name=family_name,
        date_of_birth=date_of_birth,
        recorded_at=timezone.now(),
        recorded_by=by,
    )
    alias.full_clean()
    alias.save()
    _refresh_lookup_keys(person.pk)
    auditor.record(
        event="person.alias_added",
        action=AuditEvent.Action.CREATE,
        by=by,
        target=alias,
        person_id=person.pk,
    )
    return alias


@transaction.atomic
def raise_alert(*, person: Person, by: User, category: str, description: str) -> Alert:
    alert = Alert(
        person=person,
        category=category,
        description=description,
        raised_at=timezone.now(),
        raised_by=by,
    )
    alert.full_clean()
    alert.save()
    auditor.record(
        event="person.alert_raised",
        action=AuditEvent.Action.CREATE,
        by=by,
        target=alert,
        person_id=person.pk,
        changes={"category": category},
    )
    return alert


@transaction.atomic
def end_alert(*, alert: Alert, by: User, reason: str) -> Alert:
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.ended_at is not None:
        raise ValidationError("This alert has already ended")
    alert.ended_at = timezone.now()
    alert.ended_by = by
    alert.end_reason = reason
    alert.full_clean()
    alert.save(update_fields=["ended_at", "ended_by", "end_reason"])
    auditor.record(
        event="person.alert_ended",
        action=AuditEvent.Action.UPDATE,
        by=by,
        target=alert,
        person_id=alert.person_id,
    )
    return alert
