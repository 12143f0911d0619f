"""Who may see what. Every view and scoped QuerySet goes through these functions.

The full policy (break-glass, IG request references, partner consent scopes) is built on this in
the access-control issue; the caseload rule here is the foundation it extends.
"""

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse

from divert.accounts.permissions import Permission

if TYPE_CHECKING:
    from divert.accounts.models import User
    from divert.cases.models import EpisodeQuerySet
    from divert.people.models import PersonQuerySet


def current_user(request: HttpRequest) -> "User":
    """The signed-in user; every view behind LoginRequiredMiddleware has one."""
    user = request.user
    if not user.is_authenticated:
        raise PermissionDenied
    return user  # type: ignore[return-value]


def has_permission(user: Any, permission: Permission) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.has_divert_permission(permission))


def require_permission(
    permission: Permission,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """View decorator: 403 unless the signed-in user holds ``permission``."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not has_permission(request.user, permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.divert_permission = permission  # type: ignore[attr-defined]
        return wrapped

    return decorator


def caseload_site_ids(user: Any) -> QuerySet[Any]:
    from divert.organisation.models import Site

    return Site.objects.filter(
        teams__memberships__user=user, teams__memberships__left_on__isnull=True
    ).values("id")


def episodes_visible_to(user: Any, queryset: "EpisodeQuerySet") -> "EpisodeQuerySet":
    if has_permission(user, Permission.VIEW_SERVICE_RECORDS):
        return queryset
    if has_permission(user, Permission.VIEW_CASELOAD):
        return queryset.filter(site_id__in=caseload_site_ids(user))
    return queryset.none()


def people_visible_to(user: Any, queryset: "PersonQuerySet") -> "PersonQuerySet":
    from divert.cases.models import Episode

    if has_permission(user, Permission.VIEW_SERVICE_RECORDS):
        return queryset
    if has_permission(user, Permission.VIEW_CASELOAD):
        on_caseload = Episode.objects.filter(
            person_id=OuterRef("pk"), site_id__in=caseload_site_ids(user)
        )
        return queryset.filter(Exists(on_caseload))
    return queryset.none()
