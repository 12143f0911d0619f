"""Information governance: opening a record against a request, who has seen a record, and the
review of break-glass access."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from divert.accounts import actions as account_actions
from divert.accounts.access import current_user, has_permission, require_permission
from divert.accounts.models import AccessGrant, User
from divert.accounts.permissions import Permission
from divert.audit import auditor
from divert.audit.forms import IGRequestForm, ReviewForm
from divert.audit.models import AuditEvent
from divert.core.exports import csv_response
from divert.people.models import Person

REPORT_LIMIT = 500


@require_http_methods(["GET", "POST"])
@require_permission(Permission.VIEW_AUDIT)
def ig_home(request: HttpRequest) -> HttpResponse:
    """Open a person's record against a subject-access or investigation reference."""
    user = current_user(request)
    form = IGRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # IG officers have no caseload: the Divert ID lookup is the request itself, and it is
        # audited with its reference by grant_access.
        local_id = form.cleaned_data["local_id"]
        # scoped-query: allow (the IG request itself, audited with its reference)
        person = Person.objects.current().filter(local_id=local_id).first()
        if person is None:
            form.add_error("local_id", "No current person has that Divert ID")
        else:
            try:
                account_actions.grant_access(
                    user=user,
                    person=person,
                    kind=AccessGrant.Kind.IG_REQUEST,
                    reason=form.cleaned_data["reason"],
                    reference=form.cleaned_data["reference"],
                    by=user,
                    request=request,
                )
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, problems)
            else:
                return redirect("audit:person_access", person_id=person.pk)
    grants = AccessGrant.objects.filter(user=user).order_by("-granted_at")[:20]
    return render(
        request,
        "audit/ig_home.jinja",
        {"form": form, "grants": list(grants), "page_title": "Information governance"},
    )


def _access_events(person_id: int) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(person_id=person_id)
        .exclude(action=AuditEvent.Action.DENIED)
        .order_by("-sequence")[:REPORT_LIMIT]
    )


@require_GET
@require_permission(Permission.VIEW_AUDIT)
def person_access(request: HttpRequest, person_id: int) -> HttpResponse:
    """Who has seen or changed this person's record: identifiers only, newest first."""
    events = _access_events(person_id)
    auditor.record(
        event="audit.person_access_viewed",
        action=AuditEvent.Action.VIEW,
        by=request.user,
        person_id=person_id,
        request=request,
    )
    return render(
        request,
        "audit/person_access.jinja",
        {
            "events": events,
            "person_id": person_id,
            "limit": REPORT_LIMIT,
            "page_title": "Who has seen this record",
        },
    )


@require_GET
@require_permission(Permission.VIEW_AUDIT)
def person_access_csv(request: HttpRequest, person_id: int) -> HttpResponse:
    events = _access_events(person_id)
    auditor.record(
        event="audit.person_access_exported",
        action=AuditEvent.Action.EXPORT,
        by=request.user,
        person_id=person_id,
        request=request,
    )
    return csv_response(
        f"person-{person_id}-access.csv",
        [
            "sequence",
            "occurred_at_utc",
            "username",
            "roles",
            "action",
            "event",
            "record",
            "route",
            "ip_address",
            "reason",
        ],
        (
            [
                e.sequence,
                e.occurred_at.isoformat(),
                e.actor_username,
                e.actor_roles,
                e.action,
                e.event,
                f"{e.target_type} {e.target_id}".strip(),
                e.route,
                e.ip_address or "",
                e.reason,
            ]
            for e in events
        ),
    )


def _reviewable(user: User) -> list[AccessGrant]:
    grants = AccessGrant.objects.filter(reviewed_at__isnull=True).select_related("user")
    if has_permission(user, Permission.VIEW_AUDIT):
        scoped = grants
    else:
        # Team leaders review break-glass by members of their own teams.
        scoped = grants.filter(
            Q(kind=AccessGrant.Kind.BREAK_GLASS)
            & Q(user__memberships__team__memberships__user=user)
            & Q(user__memberships__left_on__isnull=True)
        ).distinct()
    return list(scoped.exclude(user=user).order_by("granted_at")[:200])


@require_GET
@require_permission(Permission.REVIEW_ACCESS)
def access_reviews(request: HttpRequest) -> HttpResponse:
    grants = _reviewable(current_user(request))
    return render(
        request,
        "audit/access_reviews.jinja",
        {"grants": grants, "form": ReviewForm(), "page_title": "Access to review"},
    )


@require_POST
@require_permission(Permission.REVIEW_ACCESS)
def review_grant(request: HttpRequest, grant_id: int) -> HttpResponse:
    user = current_user(request)
    grant = next((g for g in _reviewable(user) if g.pk == grant_id), None)
    if grant is None:
        return redirect("audit:access_reviews")
    form = ReviewForm(request.POST)
    if form.is_valid():
        account_actions.review_access_grant(
            grant=grant,
            outcome=form.cleaned_data["outcome"],
            note=form.cleaned_data["note"],
            by=user,
        )
        messages.success(request, "Review recorded")
    return redirect("audit:access_reviews")
