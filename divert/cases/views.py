"""The worklist, allocation and the episode page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from divert.accounts.access import (
    current_user,
    get_visible_or_404,
    has_permission,
    require_permission,
)
from divert.accounts.models import User
from divert.accounts.permissions import Permission
from divert.audit import auditor
from divert.audit.models import AuditEvent
from divert.cases import actions, presenters, worklist
from divert.cases.forms import AllocateForm, WorklistFilterForm
from divert.cases.models import Episode
from divert.cases.stages import Stage
from divert.organisation.models import Site

PAGE_SIZE = 50


@require_GET
@require_permission(Permission.VIEW_CASELOAD)
def caseload(request: HttpRequest) -> HttpResponse:
    """The worklist: the team's episodes by stage, newest referral first, with time waiting."""
    user = current_user(request)
    visible = Episode.objects.visible_to(user)
    site_choices = list(
        Site.objects.filter(pk__in=visible.values("site_id"))
        .order_by("name")
        .values_list("pk", "name")
    )
    form = WorklistFilterForm(request.GET or None, sites=site_choices)
    filters = form.filters() if request.GET else {"show": "open"}
    episodes = worklist.filtered(visible, user=user, filters=filters)
    stage_counts = worklist.stage_counts(episodes)
    if filters.get("stage"):
        episodes = episodes.filter(stage=filters["stage"])
    page = Paginator(worklist.rows(episodes).order_by("-referral_received_at"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    auditor.record(
        event="caseload.listed",
        action=AuditEvent.Action.SEARCH,
        by=user,
        request=request,
        changes={"episode_ids": [episode.pk for episode in page.object_list]},
    )
    return render(
        request,
        "cases/caseload.jinja",
        {
            "page_title": "Worklist",
            "page": page,
            "form": form,
            "filters": filters,
            "stage_counts": stage_counts,
            "stages": Stage,
            "can_allocate": has_permission(user, Permission.ALLOCATE_WORK),
            "allocation_choices": worklist.allocation_choices(page.object_list),
            "query_without_page": worklist.query_without(request.GET, "page"),
            "query_without_stage": worklist.query_without(request.GET, "stage", "page"),
            "tasks_due": worklist.tasks_due(user, visible),
        },
    )


@require_POST
@require_permission(Permission.ALLOCATE_WORK)
def allocate(request: HttpRequest, episode_id: int) -> HttpResponse:
    """A team leader allocates an open episode to a practitioner in the episode's team."""
    user = current_user(request)
    episode = get_visible_or_404(request, Episode.objects.visible_to(user), pk=episode_id)
    choices = worklist.allocation_choices([episode]).get(episode.pk, [])
    form = AllocateForm(request.POST, choices=choices)
    if form.is_valid():
        practitioner = User.objects.get(pk=form.cleaned_data["practitioner"])
        try:
            actions.allocate_episode(episode=episode, to=practitioner, by=user)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, f"{episode.reference} allocated to {practitioner}")
    else:
        messages.error(request, str(form.errors["practitioner"][0]))
    return redirect(request.POST.get("next") or "cases:caseload")


@require_GET
@require_permission(Permission.VIEW_RECORDS)
def episode_detail(request: HttpRequest, episode_id: int) -> HttpResponse:
    episode = get_visible_or_404(
        request,
        Episode.objects.visible_to(request.user)
        .with_stage()
        .select_related("person", "site__force_area", "team", "allocated_to", "created_by"),
        pk=episode_id,
    )
    auditor.record(
        event="episode.viewed",
        action=AuditEvent.Action.VIEW,
        by=request.user,
        target=episode,
        person_id=episode.person_id,
        request=request,
    )
    return render(
        request,
        "cases/episode_detail.jinja",
        {
            "page_title": f"Episode {episode.reference}",
            "episode": episode,
            "view": presenters.EpisodePresenter.load(episode),
            "back_href": None,
        },
    )
