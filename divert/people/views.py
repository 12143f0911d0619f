"""The person page: identity, alerts and every episode the viewer may see."""

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from divert.accounts import actions as account_actions
from divert.accounts.access import current_user, get_visible_or_404, require_permission
from divert.accounts.models import AccessGrant
from divert.accounts.permissions import Permission
from divert.audit import auditor
from divert.audit.models import AuditEvent
from divert.cases.models import Episode
from divert.people import presenters
from divert.people.models import Person


class BreakGlassForm(forms.Form):
    reason = forms.CharField(
        label="Why do you need to open this record?",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say why you need to open this record"},
    )


@require_GET
@require_permission(Permission.VIEW_RECORDS)
def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    person = get_visible_or_404(request, Person.objects.visible_to(request.user), pk=person_id)
    episodes = (
        Episode.objects.visible_to(request.user)
        .filter(person=person)
        .with_stage()
        .select_related("site")
        .order_by("-referral_received_at")
    )
    auditor.record(
        event="person.viewed",
        action=AuditEvent.Action.VIEW,
        by=request.user,
        target=person,
        person_id=person.pk,
        request=request,
    )
    return render(
        request,
        "people/person_detail.jinja",
        {
            "page_title": person.full_name,
            "person": person,
            "view": presenters.PersonPresenter.load(person),
            "episodes": list(episodes),
        },
    )


@require_http_methods(["GET", "POST"])
@require_permission(Permission.BREAK_GLASS)
def break_glass(request: HttpRequest, person_id: int) -> HttpResponse:
    """Open a record outside the caseload by giving a reason; the team leader and IG review it."""
    user = current_user(request)
    # Deliberately unscoped: this is the one route to a record outside the caseload, and it
    # shows nothing of the person until the reason is recorded and audited.
    # scoped-query: allow (break-glass)
    person = get_object_or_404(Person.objects.current(), pk=person_id)
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account_actions.grant_access(
                user=user,
                person=person,
                kind=AccessGrant.Kind.BREAK_GLASS,
                reason=form.cleaned_data["reason"],
                by=user,
                request=request,
            )
        except ValidationError as error:
            form.add_error("reason", error.message_dict.get("reason", error.messages))
        else:
            return redirect("people:person_detail", person_id=person.pk)
    return render(
        request,
        "people/break_glass.jinja",
        {"form": form, "page_title": "Open a record outside your caseload"},
    )
