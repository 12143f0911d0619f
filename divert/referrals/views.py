"""Onward referrals under an episode (issue #6): choose the need, pick a service found in the
directory for that need, the episode's force area and the person's age, then follow the
referral through its statuses.

Each view: permission, the episode from the user's scoped episodes, the referral from that
episode, then one action or one page. Pages that show the person write one access event;
actions write their own.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from divert.accounts.access import (
    current_user,
    get_visible_or_404,
    has_permission,
    require_permission,
)
from divert.accounts.permissions import Permission
from divert.audit import auditor
from divert.audit.models import AuditEvent
from divert.cases.fields import apply_validation_error
from divert.cases.models import Episode, Need
from divert.core import codelists
from divert.core.formatting import age_on
from divert.directory.models import DirectoryService
from divert.directory.presenters import ServiceCard
from divert.directory.search import categories_for_need, find_services
from divert.people.presenters import PersonPresenter
from divert.referrals import actions, presenters, states
from divert.referrals.forms import StatusForm
from divert.referrals.models import OnwardReferral, ReferralStatus

NO_NEED = "none"


def _episode(request: HttpRequest, episode_id: int) -> Episode:
    return get_visible_or_404(  # type: ignore[no-any-return]
        request,
        Episode.objects.visible_to(current_user(request)).select_related(
            "person", "site__force_area", "team"
        ),
        pk=episode_id,
    )


def _referral(request: HttpRequest, episode: Episode, referral_id: int) -> OnwardReferral:
    """A referral on this (already scoped) episode; any other id is a 404."""
    return get_visible_or_404(  # type: ignore[no-any-return]
        request,
        episode.referrals.select_related("service__organisation", "need", "created_by"),
        pk=referral_id,
    )


def _viewed(request: HttpRequest, episode: Episode, referral: OnwardReferral | None = None) -> None:
    """One access event per page that shows the person."""
    auditor.record(
        event="referral.viewed" if referral else "episode.viewed",
        action=AuditEvent.Action.VIEW,
        by=request.user,
        target=referral or episode,
        person_id=episode.person_id,
        request=request,
        changes={"episode_id": episode.pk} if referral else None,
    )


def _page(
    request: HttpRequest, episode: Episode, template: str, title: str, **context: Any
) -> HttpResponse:
    form = context.get("form")
    return render(
        request,
        template,
        {
            "page_title": ("Error: " if form is not None and form.errors else "") + title,
            "title": title,
            "caption": f"Episode {episode.reference}",
            "episode": episode,
            "person_view": PersonPresenter.load(episode.person),
            "back_link": reverse("cases:episode_detail", args=[episode.pk]),
            **context,
        },
    )


def _age_today(episode: Episode) -> int:
    return age_on(episode.person.date_of_birth, timezone.localdate())


@require_GET
@require_permission(Permission.RECORD_CLINICAL)
def choose_need(request: HttpRequest, episode_id: int) -> HttpResponse:
    """Step 1: which of the episode's needs the referral is for (or none in particular)."""
    episode = _episode(request, episode_id)
    needs = list(episode.needs.all())
    _viewed(request, episode)
    return _page(
        request,
        episode,
        "referrals/choose_need.jinja",
        "Which need is the referral for?",
        items=[
            {"value": str(need.pk), "text": need.get_category_display(), "checked": index == 0}
            for index, need in enumerate(needs)
        ]
        + [{"value": NO_NEED, "text": "Not for a recorded need", "checked": not needs}],
    )


@require_http_methods(["GET", "POST"])
@require_permission(Permission.RECORD_CLINICAL)
def choose_service(request: HttpRequest, episode_id: int) -> HttpResponse:
    """Step 2: services for the need's category in the episode's force area for the person's
    age; choosing one makes a draft referral."""
    user = current_user(request)
    episode = _episode(request, episode_id)
    data = request.POST if request.method == "POST" else request.GET
    need_value = data.get("need", NO_NEED)
    need: Need | None = None
    if need_value != NO_NEED:
        need = episode.needs.filter(pk=need_value).first() if need_value.isdigit() else None
        if need is None:
            messages.error(request, "Choose one of the needs listed")
            return redirect("referrals:choose_need", episode_id=episode.pk)
    if request.method == "POST":
        chosen = data.get("service", "")
        service = DirectoryService.objects.filter(pk=chosen).first() if chosen.isdigit() else None
        if service is None:
            messages.error(request, "Choose a service from the list")
        else:
            try:
                referral = actions.create_referral(
                    episode=episode, service=service, need=need, by=user
                )
            except ValidationError as error:
                messages.error(request, error.messages[0])
            else:
                messages.success(request, f"Draft referral to {service.name} made")
                return redirect(
                    "referrals:referral_detail", episode_id=episode.pk, referral_id=referral.pk
                )
    suggested = categories_for_need(need.category) if need else ()
    known = codelists.codes("service-category")
    category = data.get("category", "")
    if category not in known:
        category = suggested[0] if suggested else ""
    text = data.get("text", "")[:100]
    age = _age_today(episode)
    services = find_services(
        category=category or None, force_area=episode.site.force_area, age=age, text=text
    )
    _viewed(request, episode)
    return _page(
        request,
        episode,
        "referrals/choose_service.jinja",
        "Choose a service",
        need=need,
        need_value=need_value,
        category=category,
        category_items=[
            {"value": "", "text": "Any need", "selected": not category},
            *[
                {"value": code, "text": label, "selected": code == category}
                for code, label in codelists.choices("service-category")
            ],
        ],
        text=text,
        age=age,
        force_area=episode.site.force_area,
        services=[ServiceCard.of(service) for service in services],
        back_link=reverse("referrals:choose_need", args=[episode.pk]),
    )


@require_GET
@require_permission(Permission.VIEW_RECORDS)
def referral_detail(request: HttpRequest, episode_id: int, referral_id: int) -> HttpResponse:
    """The referral, its history and the statuses that may come next."""
    episode = _episode(request, episode_id)
    referral = _referral(request, episode, referral_id)
    can_record = has_permission(request.user, Permission.RECORD_CLINICAL)
    _viewed(request, episode, referral)
    view = presenters.ReferralPresenter.load(referral)
    return _page(
        request,
        episode,
        "referrals/referral_detail.jinja",
        f"Referral to {referral.service.name}",
        view=view,
        can_record=can_record,
    )


@require_http_methods(["GET", "POST"])
@require_permission(Permission.RECORD_CLINICAL)
def change_status(request: HttpRequest, episode_id: int, referral_id: int) -> HttpResponse:
    """Move the referral on. GET asks for what the move needs; POST makes it, unless someone
    else moved the referral since the page was loaded."""
    user = current_user(request)
    episode = _episode(request, episode_id)
    referral = _referral(request, episode, referral_id)
    detail = reverse("referrals:referral_detail", args=[episode.pk, referral.pk])
    data = request.POST if request.method == "POST" else request.GET
    to = data.get("to", "")
    if to not in ReferralStatus.values or not states.is_allowed(referral.status, to):
        if request.method == "POST" and str(referral.version) != data.get("version"):
            messages.error(request, presenters.changed_message(referral))
        else:
            messages.error(request, "That status cannot follow the referral's current status")
        return redirect(detail)
    form = StatusForm(
        request.POST if request.method == "POST" else None,
        initial={"to": to, "version": referral.version},
        current=referral.status,
        to=to,
    )
    if form.is_bound and form.is_valid():
        try:
            actions.change_status(referral=referral, by=user, **form.values())
        except actions.ReferralChangedError as error:
            messages.error(request, presenters.changed_message(error.current))
            return redirect(detail)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, f"Referral marked {ReferralStatus(to).label.lower()}")
            return redirect(detail)
    _viewed(request, episode, referral)
    return _page(
        request,
        episode,
        "referrals/change_status.jinja",
        presenters.STATUS_ACTIONS[ReferralStatus(to)],
        form=form,
        referral=referral,
        submit="Save",
        back_link=detail,
    )
