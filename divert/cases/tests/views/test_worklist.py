"""The worklist: stages, filters, tasks due, allocation by team leaders, and no N+1 queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from divert.cases import actions
from divert.cases.models import Episode
from divert.cases.tests import factories
from divert.cases.views import PAGE_SIZE

pytestmark = pytest.mark.django_db


@pytest.fixture
def north(service):
    return {"site": service["sites"]["north-custody"], "team": service["teams"]["north"]}


def test_worklist_counts_episodes_by_stage(users, north, client_for):
    """Stage links show how many open episodes are at each stage."""
    author = users["practitioner"]
    factories.episode(author, **north)
    accepted = factories.episode(author, **north)
    actions.record_offer(episode=accepted, by=author, outcome="accepted")

    html = client_for("practitioner").get("/episodes/").content.decode()

    assert "New referral (1)" in html
    assert "Awaiting screening (1)" in html
    assert "All (2)" in html


def test_worklist_filters_by_stage_and_site(users, service, north, client_for):
    """Choosing a stage or a site narrows the list."""
    author = users["practitioner"]
    at_court = factories.episode(
        author,
        subject=factories.person(author, family_name="Courtly"),
        site=service["sites"]["north-court"],
        team=service["teams"]["north"],
    )
    in_custody = factories.episode(
        author, subject=factories.person(author, family_name="Custodian"), **north
    )
    actions.record_offer(episode=in_custody, by=author, outcome="declined")
    client = client_for("practitioner")

    by_site = client.get(f"/episodes/?site={at_court.site_id}").content.decode()
    by_stage = client.get("/episodes/?stage=not_engaged").content.decode()

    assert "Courtly" in by_site
    assert "Custodian" not in by_site
    assert "Custodian" in by_stage
    assert "Courtly" not in by_stage


def test_worklist_shows_tasks_due_and_overdue(users, north, client_for):
    """Open tasks due today or before appear at the top; overdue ones are marked."""
    author = users["practitioner"]
    episode = factories.episode(author, **north)
    actions.add_task(
        episode=episode,
        by=author,
        title="Check attendance at first appointment",
        due_on=timezone.localdate() - dt.timedelta(days=1),
    )

    html = client_for("practitioner").get("/episodes/").content.decode()

    assert "Check attendance at first appointment" in html
    assert "Overdue" in html


def test_team_leader_allocates_to_a_team_member(users, north, client_for):
    """A team leader allocates an episode to a practitioner in the episode's team."""
    episode = factories.episode(users["practitioner"], **north)
    client = client_for("team_leader")

    response = client.post(
        f"/episodes/{episode.pk}/allocate/", {"practitioner": users["practitioner"].pk}
    )

    episode.refresh_from_db()
    assert response.status_code == 302
    assert episode.allocated_to == users["practitioner"]


def test_allocation_outside_the_team_is_refused(users, north, client_for):
    """Someone who is not in the episode's team cannot be chosen."""
    episode = factories.episode(users["practitioner"], **north)
    client = client_for("team_leader")

    client.post(
        f"/episodes/{episode.pk}/allocate/", {"practitioner": users["other_practitioner"].pk}
    )

    episode.refresh_from_db()
    assert episode.allocated_to is None


def test_practitioner_cannot_allocate(users, north, client_for):
    """Allocation needs the team leader's permission."""
    episode = factories.episode(users["practitioner"], **north)

    response = client_for("practitioner").post(
        f"/episodes/{episode.pk}/allocate/", {"practitioner": users["practitioner"].pk}
    )

    assert response.status_code == 403


def test_worklist_pages_newest_referral_first(users, north, client_for):
    """Fifty episodes to a page, newest referral first; the counts cover every page."""
    author = users["practitioner"]
    now = timezone.now()
    references = [
        factories.episode(author, received_at=now - dt.timedelta(hours=hours), **north).reference
        for hours in range(1, PAGE_SIZE + 3)
    ]
    client = client_for("practitioner")

    first = client.get("/episodes/").content.decode()
    second = client.get("/episodes/?page=2").content.decode()

    shown = [ref for ref in references if ref in first]
    assert shown == references[:PAGE_SIZE]
    assert sorted(shown, key=first.index) == shown
    assert [ref for ref in references if ref in second] == references[PAGE_SIZE:]
    assert "All (52)" in first
    assert "Page 1 of 2" in first
    assert "Page 2 of 2" in second


def test_worklist_stage_filter_pages_within_the_stage(users, north, client_for):
    """With a stage chosen, the list and its page count hold only that stage."""
    author = users["practitioner"]
    accepted = factories.episode(author, **north)
    actions.record_offer(episode=accepted, by=author, outcome="accepted")
    factories.episode(author, **north)

    html = client_for("practitioner").get("/episodes/?stage=awaiting_screening").content.decode()

    assert accepted.reference in html
    assert "Awaiting screening (1)" in html
    assert "All (2)" in html
    assert "Page 1 of" not in html


def queries_for(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries)


@pytest.mark.parametrize("role", ["practitioner", "team_leader"])
def test_worklist_query_count_does_not_grow_with_rows(
    users, north, service, client_for, django_assert_max_num_queries, role
):
    """Sixty episodes over two pages, with offers, tasks and allocations, cost no more
    queries than two bare episodes (no N+1)."""
    author = users["practitioner"]
    client = client_for(role)
    for _ in range(2):
        factories.episode(author, **north)
    few = queries_for(client, "/episodes/")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    for number in range(58):
        episode = factories.episode(author, **north)
        actions.record_offer(episode=episode, by=author, outcome="accepted")
        actions.add_task(episode=episode, by=author, title="Follow up", due_on=yesterday)
        if number % 2:
            actions.allocate_episode(episode=episode, to=author, by=users["team_leader"])
    at_court = {"site": service["sites"]["north-court"], "team": north["team"]}
    factories.episode(author, **at_court)

    for url in ["/episodes/", "/episodes/?page=2", "/episodes/?show=all&stage=awaiting_screening"]:
        with django_assert_max_num_queries(few):
            client.get(url)
    assert Episode.objects.count() == 61
