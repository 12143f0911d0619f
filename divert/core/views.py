"""Home page for each role, the about page and the health probe."""

import datetime as dt

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from divert.accounts.access import current_user, has_permission
from divert.accounts.permissions import Permission
from divert.audit.models import AuditEvent
from divert.cases.models import Episode
from divert.core import presenters
from divert.organisation.models import Site, Team
from divert.sharing.models import Disclosure


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on what it works with; sections appear only with the permission."""
    user = current_user(request)
    context: dict[str, object] = {"page_title": "Home", "roles": presenters.role_labels(user)}
    if has_permission(user, Permission.VIEW_CASELOAD):
        episodes = Episode.objects.visible_to(user).open()
        context["caseload"] = {
            "open_count": episodes.count(),
            "mine_count": episodes.filter(allocated_to=user).count(),
            "unallocated_count": episodes.filter(allocated_to__isnull=True).count(),
            "today": list(
                episodes.with_stage()
                .filter(referral_received_at__gte=timezone.now() - dt.timedelta(hours=24))
                .select_related("person", "site")
                .order_by("-referral_received_at")[:10]
            ),
        }
    if has_permission(user, Permission.VIEW_AGGREGATES):
        context["site_counts"] = presenters.site_counts(
            Site.objects.annotate(
                open_count=Count("episodes", filter=Q(episodes__closed_at__isnull=True))
            ).order_by("name"),
            suppress=not has_permission(user, Permission.VIEW_UNSUPPRESSED_REPORTS),
        )
    if has_permission(user, Permission.VIEW_PARTNER_INBOX) and user.agency_id:
        context["agency"] = user.agency
        context["unacknowledged"] = (
            Disclosure.objects.visible_to(user).filter(acknowledged_at__isnull=True).count()
        )
    if has_permission(user, Permission.VIEW_AUDIT):
        context["audit_events"] = list(AuditEvent.objects.order_by("-sequence")[:20])
    if has_permission(user, Permission.MANAGE_CONFIGURATION):
        context["teams"] = list(
            Team.objects.annotate(member_count=Count("memberships")).prefetch_related("sites")
        )
    return render(request, "core/home.jinja", context)


@require_GET
@login_not_required
def about(request: HttpRequest) -> HttpResponse:
    return render(request, "core/about.jinja", {"page_title": "About Divert"})


@require_GET
@login_not_required
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability for a load balancer; no personal data."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})
