"""The person page: identity, alerts and every episode the viewer may see; raising and
ending alerts."""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from divert.accounts import actions as account_actions
from divert.accounts.access import (
    current_user,
    get_visible_or_404,
    has_permission,
    require_permission,
)
from divert.accounts.models import AccessGrant
from divert.accounts.permissions import Permission
from divert.audit import auditor
from divert.audit.models import AuditEvent
from divert.cases.fields import apply_validation_error
from divert.cases.models import Episode
from divert.linkage import presenters as linkage_presenters
from divert.people import actions as people_actions
from divert.people import presenters
from divert.people.forms import AlertForm, EndAlertForm
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
    survivor_id = linkage_presenters.survivor_id_of(person_id)
    if survivor_id is not None:
        # A merged-away record: show the person it was merged into, if in scope.
        survivor = get_visible_or_404(
            request, Person.objects.visible_to(request.user), pk=survivor_id
        )
        messages.info(
            request,
            f"Record {linkage_presenters.merged_away_local_id(person_id)} was merged into "
            f"{survivor.local_id}. You are seeing the merged record.",
        )
        return redirect("people:person_detail", person_id=survivor.pk)
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
            "can_record": has_permission(request.user, Permission.RECORD_CLINICAL),
            "merges": linkage_presenters.merges_into(person),
            "can_merge": has_permission(request.user, Permission.MERGE_PEOPLE),
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


def _person_form_page(
    request: HttpRequest, person: Person, form: Any, *, title: str, submit: str
) -> HttpResponse:
    """A form about a person, under their banner; the page shows the person, so it writes
    one access event."""
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
        "people/person_form.jinja",
        {
            "page_title": ("Error: " if form.errors else "") + title,
            "title": title,
            "caption": person.full_name,
            "person_view": presenters.PersonPresenter.load(person),
            "form": form,
            "submit": submit,
            "back_link": reverse("people:person_detail", args=[person.pk]),
        },
    )


@require_http_methods(["GET", "POST"])
@require_permission(Permission.RECORD_CLINICAL)
def raise_alert(request: HttpRequest, person_id: int) -> HttpResponse:
    """An alert shows wherever the person's banner appears, until it is ended."""
    user = current_user(request)
    person = get_visible_or_404(request, Person.objects.visible_to(user), pk=person_id)
    form = AlertForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            people_actions.raise_alert(person=person, by=user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "Alert raised")
            return redirect("people:person_detail", person_id=person.pk)
    return _person_form_page(request, person, form, title="Raise an alert", submit="Raise alert")


@require_http_methods(["GET", "POST"])
@require_permission(Permission.RECORD_CLINICAL)
def end_alert(request: HttpRequest, person_id: int, alert_id: int) -> HttpResponse:
    user = current_user(request)
    person = get_visible_or_404(request, Person.objects.visible_to(user), pk=person_id)
    alert = get_visible_or_404(request, person.alerts.filter(ended_at__isnull=True), pk=alert_id)
    form = EndAlertForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            people_actions.end_alert(alert=alert, by=user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            apply_validation_error(form, error, end_reason="reason")
        else:
            messages.success(request, f"Alert ended: {alert.get_category_display()}")
            return redirect("people:person_detail", person_id=person.pk)
    return _person_form_page(
        request,
        person,
        form,
        title=f"End the alert: {alert.get_category_display()}",
        submit="End alert",
    )
