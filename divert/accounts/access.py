"""Who may see what. Every view and scoped QuerySet goes through these functions.

- Practitioners and team leaders: people and episodes at the sites of their current teams.
- Service managers: the whole service.
- Anyone else with a clinical or IG role: only people they hold an active access grant for
  (break-glass with a reason, or an IG request with a reference), and those people's episodes.
- Commissioners, partners and administrators: no person or episode, ever, through these.

Records outside a user's scope are answered with 404, and the attempt is audited.
"""

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse

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


def granted_person_ids(user: Any) -> QuerySet[Any]:
    """People this user holds an active break-glass or IG-request grant for."""
    from divert.accounts.models import AccessGrant

    if not (
        has_permission(user, Permission.BREAK_GLASS) or has_permission(user, Permission.VIEW_AUDIT)
    ):
        return AccessGrant.objects.none().values("person_id")
    return AccessGrant.objects.active().filter(user=user).values("person_id")


def episodes_visible_to(user: Any, queryset: "EpisodeQuerySet") -> "EpisodeQuerySet":
    if has_permission(user, Permission.VIEW_SERVICE_RECORDS):
        return queryset
    # The grants are read now (one small query): most users hold none, and a plain site
    # filter, without an OR across two indexes, lets the database answer lists from the site
    # indexes alone.
    granted_ids = list(granted_person_ids(user).values_list("person_id", flat=True))
    granted = Q(person_id__in=granted_ids)
    if has_permission(user, Permission.VIEW_CASELOAD):
        on_caseload = Q(site_id__in=caseload_site_ids(user))
        return queryset.filter(on_caseload | granted if granted_ids else on_caseload)
    if has_permission(user, Permission.VIEW_AUDIT):
        return queryset.filter(granted)
    return queryset.none()


def sites_with_episodes_visible_to(user: Any) -> QuerySet[Any]:
    """Sites with at least one episode the user may see: ``episodes_visible_to``'s sites.

    Built from the two halves of that rule (a caseload site with any episode; any site of a
    granted person's episode) so that it reads a few index entries per site rather than every
    visible episode.
    """
    from divert.cases.models import Episode
    from divert.organisation.models import Site

    has_episode = Exists(Episode.objects.filter(site_id=OuterRef("pk")))
    if has_permission(user, Permission.VIEW_SERVICE_RECORDS):
        return Site.objects.filter(has_episode)
    granted = Q(
        pk__in=Episode.objects.filter(person_id__in=granted_person_ids(user)).values("site_id")
    )
    if has_permission(user, Permission.VIEW_CASELOAD):
        return Site.objects.filter((Q(pk__in=caseload_site_ids(user)) & has_episode) | granted)
    if has_permission(user, Permission.VIEW_AUDIT):
        return Site.objects.filter(granted)
    return Site.objects.none()


def people_visible_to(user: Any, queryset: "PersonQuerySet") -> "PersonQuerySet":
    from divert.cases.models import Episode

    if has_permission(user, Permission.VIEW_SERVICE_RECORDS):
        return queryset
    granted = Q(pk__in=granted_person_ids(user))
    if has_permission(user, Permission.VIEW_CASELOAD):
        on_caseload = Episode.objects.filter(
            person_id=OuterRef("pk"), site_id__in=caseload_site_ids(user)
        )
        return queryset.filter(Exists(on_caseload) | granted)
    if has_permission(user, Permission.VIEW_AUDIT):
        return queryset.filter(granted)
    return queryset.none()


def get_visible_or_404(request: HttpRequest, queryset: QuerySet[Any], **lookup: Any) -> Any:
    """Fetch one object from an already-scoped queryset; a miss is audited and answered 404.

    The same 404 answers "does not exist" and "not yours", so existence is never revealed.
    """
    from divert.audit import auditor
    from divert.audit.models import AuditEvent

    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        auditor.record(
            event=f"{queryset.model._meta.model_name}.denied",
            action=AuditEvent.Action.DENIED,
            by=request.user if request.user.is_authenticated else None,
            request=request,
            changes={"lookup": {key: str(value) for key, value in lookup.items()}},
        )
        raise Http404 from None
