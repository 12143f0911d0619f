"""The person page costs the same number of queries however long the person's history."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from divert.cases import actions as case_actions
from divert.cases.tests import factories
from divert.people import actions as people_actions

pytestmark = pytest.mark.django_db


def add_history(person, author, service, number):
    """One more episode (alternately closed and at the court), alias and alert."""
    site = service["sites"]["north-court" if number % 2 else "north-custody"]
    episode = factories.episode(
        author,
        subject=person,
        site=site,
        team=service["teams"]["north"],
        received_at=timezone.now() - dt.timedelta(days=30 * (number + 1)),
    )
    case_actions.record_offer(episode=episode, by=author, outcome="accepted")
    if number % 2:
        case_actions.close_episode(episode=episode, by=author, reason="other")
    people_actions.add_alias(person=person, by=author, family_name=f"Alias{number}")
    people_actions.raise_alert(
        person=person, by=author, category="other", description=f"Alert {number}"
    )


def test_person_page_query_count_does_not_grow_with_history(
    users, service, client_for, django_assert_max_num_queries
):
    """Four episodes, aliases and alerts cost no more queries than one of each (no N+1)."""
    author = users["practitioner"]
    person = factories.person(author)
    add_history(person, author, service, 0)
    client = client_for("practitioner")
    url = f"/people/{person.pk}/"
    with CaptureQueriesContext(connection) as one_of_each:
        assert client.get(url).status_code == 200
    for number in [1, 2, 3]:
        add_history(person, author, service, number)

    with django_assert_max_num_queries(len(one_of_each.captured_queries)):
        response = client.get(url)

    html = response.content.decode()
    assert all(f"Alert {number}" in html for number in range(4))
