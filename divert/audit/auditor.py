"""Write audit events. Actions and views call ``record`` explicitly.

Appends are serialised so each event can link to the one before it: on PostgreSQL with a
transaction-scoped advisory lock, on SQLite by its single-writer IMMEDIATE transactions.
"""

from typing import Any

from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from divert.audit import chain
from divert.audit.models import AuditEvent
from divert.core import locks


def _client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(
    *,
    event: str,
    action: str,
    by: Any,
    target: models.Model | None = None,
    person_id: int | None = None,
    changes: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    reason: str = "",
) -> AuditEvent:
    """Append one audit event. Store identifiers only: never names or clinical text."""
    actor_id = getattr(by, "pk", None)
    values: dict[str, Any] = {
        "occurred_at": timezone.now(),
        "actor_id": actor_id,
        "actor_username": getattr(by, "username", "") or "",
        "actor_roles": ",".join(sorted(getattr(by, "role_names", set()) or ())) if actor_id else "",
        "action": str(action),
        "event": event,
        "target_type": target._meta.label if target is not None else "",
        "target_id": str(target.pk) if target is not None else "",
        "person_id": person_id,
        "route": request.resolver_match.view_name if request and request.resolver_match else "",
        "ip_address": _client_ip(request),
        "reason": reason,
        "changes": changes or {},
    }
    with transaction.atomic():
        locks.serialise("audit-chain")
        last = AuditEvent.objects.order_by("-sequence").values("sequence", "row_hash").first()
        values["sequence"] = (last["sequence"] if last else 0) + 1
        values["previous_hash"] = last["row_hash"] if last else chain.GENESIS_HASH
        values["row_hash"] = chain.row_hash(values)
        return AuditEvent.objects.create(**values)
