"""Caseload and the read-only episode page. Editing arrives with the workflow issue."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from divert.accounts.access import current_user, get_visible_or_404, require_permission
from divert.accounts.permissions import Permission
from divert.audit import auditor
from divert.audit.models import AuditEvent
from divert.cases import presenters
from divert.cases.models import Episode
from divert.cases.stages import Stage

PAGE_SIZE = 50


@require_GET
@require_permission(Permission.VIEW_CASELOAD)
def caseload(request: HttpRequest) -> HttpResponse:
    episodes = (
        Episode.objects.visible_to(request.user)
        .with_stage()
        .select_related("person", "site", "allocated_to")
        .order_by("-referral_received_at")
    )
    show = request.GET.get("show", "open")
    if show == "open":
        episodes = episodes.open()
    elif show == "mine":
        episodes = episodes.open().filter(allocated_to=current_user(request))
    page = Paginator(episodes, PAGE_SIZE).get_page(request.GET.get("page"))
    auditor.record(
        event="caseload.listed",
        action=AuditEvent.Action.SEARCH,
        by=request.user,
        request=request,
        changes={"episode_ids": [episode.pk for episode in page.object_list]},
    )
    return render(
        request,
        "cases/caseload.jinja",
        {"page_title": "Caseload", "page": page, "show": show, "stages": Stage},
    )


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
