"""Read helpers for the worklist page: filters, stage counts, rows, allocation choices, tasks.

Every helper takes an already-scoped queryset, so scope is decided once, in the view.
"""

from collections import defaultdict
from collections.abc import Iterable
from functools import cached_property
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import QueryDict
from django.utils import timezone

from divert.accounts.models import TeamMembership
from divert.accounts.roles import RoleName
from divert.cases.models import Episode, Task


def filtered(visible: QuerySet[Episode], *, user: Any, filters: dict[str, Any]) -> Any:
    episodes = visible.with_stage()  # type: ignore[attr-defined]
    show = filters.get("show", "open")
    if show != "all":
        episodes = episodes.filter(closed_at__isnull=True)
    if show == "mine":
        episodes = episodes.filter(allocated_to=user)
    elif show == "unallocated":
        episodes = episodes.filter(allocated_to__isnull=True)
    if filters.get("site"):
        episodes = episodes.filter(site_id=filters["site"])
    if filters.get("pathway"):
        episodes = episodes.filter(pathway=filters["pathway"])
    return episodes


def stage_counts(episodes: Any) -> dict[str, int]:
    """Episodes per stage in one grouped query."""
    rows = episodes.order_by().values("stage").annotate(count=Count("id"))
    return {row["stage"]: row["count"] for row in rows}


def total(stage_counts: dict[str, int], stage: str | None) -> int:
    """How many episodes the list holds, from the stage counts (so no second count)."""
    return stage_counts.get(stage, 0) if stage else sum(stage_counts.values())


class _CountedPaginator(Paginator):  # type: ignore[type-arg]
    """A paginator told its count, which the worklist already has from the stage counts."""

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


def page(episodes: Any, *, number: Any, count: int, per_page: int) -> Page:  # type: ignore[type-arg]
    """One page of episodes, newest referral first, each with its row details.

    The page's ids come from the ordered index alone; only those rows are then read with
    their person, site, allocation, stage and tasks. ``count`` is the list's length.
    """
    ids_in_order = episodes.order_by("-referral_received_at", "-pk").values_list("pk", flat=True)
    chosen = _CountedPaginator(ids_in_order, per_page, count=count).get_page(number)
    ids = list(chosen.object_list)
    by_id = {episode.pk: episode for episode in rows(episodes.filter(pk__in=ids))}
    chosen.object_list = [by_id[pk] for pk in ids if pk in by_id]
    return chosen


def rows(episodes: QuerySet[Episode]) -> QuerySet[Episode]:
    today = timezone.localdate()
    open_tasks = Task.objects.filter(episode=OuterRef("pk"), completed_at__isnull=True)
    return episodes.select_related("person", "site", "allocated_to").annotate(
        open_task_count=Count("tasks", filter=Q(tasks__completed_at__isnull=True)),
        has_overdue_task=Exists(open_tasks.filter(due_on__lt=today)),
    )


def allocation_choices(episodes: Iterable[Episode]) -> dict[int, list[tuple[int, str]]]:
    """For each episode, the practitioners and team leaders in its team (one query)."""
    episodes = list(episodes)
    team_ids = {episode.team_id for episode in episodes}
    members = (
        TeamMembership.objects.filter(
            team_id__in=team_ids,
            left_on__isnull=True,
            user__is_active=True,
            user__role_assignments__role__in=[RoleName.PRACTITIONER, RoleName.TEAM_LEADER],
        )
        .select_related("user")
        .order_by("user__first_name", "user__last_name")
        .distinct()
    )
    by_team: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for membership in members:
        by_team[membership.team_id].append(
            (membership.user_id, membership.user.get_full_name() or membership.user.username)
        )
    return {episode.pk: by_team[episode.team_id] for episode in episodes}


def tasks_due(user: Any, visible: QuerySet[Episode]) -> list[Task]:
    """Open tasks due today or earlier, for the user or for nobody in particular."""
    on_open_visible_episode = Exists(visible.filter(pk=OuterRef("episode_id"), closed_at=None))
    return list(
        Task.objects.filter(
            on_open_visible_episode,
            completed_at__isnull=True,
            due_on__lte=timezone.localdate(),
        )
        .filter(Q(assigned_to=user) | Q(assigned_to__isnull=True))
        .select_related("episode__person")
        .order_by("due_on")[:20]
    )


def query_without(query: QueryDict, *keys: str) -> str:
    """The current query string without some keys, for building filter and page links."""
    remaining = query.copy()
    for key in keys:
        remaining.pop(key, None)
    encoded = remaining.urlencode()
    return f"{encoded}&" if encoded else ""
