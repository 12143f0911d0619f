"""Who may read and maintain the directory of services.

The directory holds no personal data. Clinical staff read it to refer people on (anyone who
records clinical work or sees the whole service); administrators read and maintain it. Reads
are not audited; every change is, by the directory actions.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from divert.accounts.access import has_permission
from divert.accounts.permissions import Permission

READ_PERMISSIONS = (
    Permission.RECORD_CLINICAL,
    Permission.VIEW_SERVICE_RECORDS,
    Permission.MANAGE_CONFIGURATION,
)


def can_read_directory(user: Any) -> bool:
    return any(has_permission(user, permission) for permission in READ_PERMISSIONS)


def can_maintain_directory(user: Any) -> bool:
    return has_permission(user, Permission.MANAGE_CONFIGURATION)


def require_directory_reader(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """View decorator: 403 unless the user may read the directory."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_read_directory(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.divert_permission = READ_PERMISSIONS  # type: ignore[attr-defined]
    return wrapped
