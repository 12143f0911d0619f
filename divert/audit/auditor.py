"""Write audit events. Actions call ``record`` explicitly, inside their transaction."""

from typing import Any

from django.db import models
from django.http import HttpRequest
from django.utils import timezone

from divert.audit.models import AuditEvent


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
    return AuditEvent.objects.create(
        at=timezone.now(),
        actor_id=actor_id,
        actor_username=getattr(by, "username", "") or "",
        actor_roles=",".join(sorted(getattr(by, "role_names", set()) or ())) if actor_id else "",
        action=action,
        event=event,
        target_type=target._meta.label if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        person_id=person_id,
        route=request.resolver_match.view_name if request and request.resolver_match else "",
        ip_address=_client_ip(request),
        reason=reason,
        changes=changes or {},
    )
