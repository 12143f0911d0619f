"""Amendments: correcting any recorded item with a reason, keeping what it said before."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from divert.audit import auditor
from divert.audit.models import AuditEvent
from divert.core.models import Amendment


def _json_value(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


@transaction.atomic
def amend(
    *,
    record: models.Model,
    by: Any,
    changes: dict[str, Any],
    reason: str,
    person_id: int | None = None,
) -> list[Amendment]:
    """Change fields on ``record``; one Amendment row per changed field, all or nothing."""
    if not reason.strip():
        raise ValidationError({"reason": "Give a reason for the correction"})
    record = type(record)._default_manager.select_for_update().get(pk=record.pk)
    amendments = []
    now = timezone.now()
    for field, new in changes.items():
        old = getattr(record, field)
        if old == new:
            continue
        setattr(record, field, new)
        amendments.append(
            Amendment(
                model_label=record._meta.label,
                object_id=str(record.pk),
                person_id=person_id,
                field=field,
                old_value=_json_value(old),
                new_value=_json_value(new),
                reason=reason,
                amended_by=by,
                amended_at=now,
            )
        )
    if not amendments:
        return []
    if hasattr(record, "version"):
        record.version += 1
    record.full_clean()
    record.save()
    Amendment.objects.bulk_create(amendments)
    auditor.record(
        event="record.amended",
        action=AuditEvent.Action.UPDATE,
        by=by,
        target=record,
        person_id=person_id,
        changes={"fields": [a.field for a in amendments]},
    )
    return amendments
