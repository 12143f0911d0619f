"""The worklist: stages, filters, tasks due, allocation by team leaders, and no N+1 queries."""

import datetime as dt

import pytest
from django.utils import timezone

from divert.cases import actions
from divert.cases.models import Episode
from divert.cases.tests import factories

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


def test_worklist_query_count_does_not_grow_with_rows(
    users, north, client_for, django_assert_max_num_queries
):
    """Twenty episodes cost the same number of queries as two (no N+1)."""
    author = users["practitioner"]
    client = client_for("team_leader")
    for _ in range(2):
        factories.episode(author, **north)
    client.get("/episodes/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get("/episodes/")
    for _ in range(18):
        factories.episode(author, **north)

    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/episodes/")
    assert Episode.objects.count() == 20
