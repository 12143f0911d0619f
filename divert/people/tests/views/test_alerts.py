"""Alerts on a person: raised and ended from the person page, shown wherever the banner is."""

import pytest

from divert.audit.models import AuditEvent
from divert.cases.tests import factories
from divert.people import actions as people_actions

pytestmark = pytest.mark.django_db


@pytest.fixture
def episode(service, users):
    return factories.episode(
        users["practitioner"],
        site=service["sites"]["north-custody"],
        team=service["teams"]["north"],
    )


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("practitioner", 200),
        ("team_leader", 200),
        ("other_practitioner", 404),
        ("service_manager", 403),
        ("commissioner", 403),
        ("court", 403),
        ("anonymous", 302),
    ],
)
def test_raise_alert_page_by_role(client_for, episode, role, status):
    """The person's team may raise alerts; another team gets 404; others 403."""

    response = client_for(role).get(f"/people/{episode.person_id}/alerts/new/")

    assert response.status_code == status


def test_raise_alert_shows_on_the_episode_banner(client_for, episode):
    """A raised alert appears in the banner on the episode page."""
    client = client_for("practitioner")

    response = client.post(
        f"/people/{episode.person_id}/alerts/new/",
        {"category": "communication_needs", "description": "Use simple language; easy-read"},
    )
    html = client.get(f"/episodes/{episode.pk}/").content.decode()

    assert response["Location"] == f"/people/{episode.person_id}/"
    assert "Communication needs" in html
    assert "Use simple language; easy-read" in html


def test_raise_alert_invalid(client_for, episode):
    """No category or description is explained in the error summary."""

    html = (
        client_for("practitioner")
        .post(f"/people/{episode.person_id}/alerts/new/", {})
        .content.decode()
    )

    assert "There is a problem" in html
    assert "Choose the kind of alert" in html
    assert "Describe the alert" in html
    assert 'href="#id_category"' in html


def test_raise_alert_page_writes_one_access_event(client_for, episode):
    """The form shows the person, so opening it writes exactly one access event."""
    before = AuditEvent.objects.count()

    client_for("practitioner").get(f"/people/{episode.person_id}/alerts/new/")

    assert AuditEvent.objects.count() == before + 1


def test_end_alert_removes_it_from_the_banner(client_for, episode, users):
    """Ending an alert with a reason takes it off the banner; a reason is required."""
    alert = people_actions.raise_alert(
        person=episode.person, by=users["practitioner"], category="medical", description="Diabetic"
    )
    client = client_for("practitioner")
    url = f"/people/{episode.person_id}/alerts/{alert.pk}/end/"

    refused = client.post(url, {"reason": ""}).content.decode()
    client.post(url, {"reason": "Recorded on the wrong person"})
    html = client.get(f"/episodes/{episode.pk}/").content.decode()

    assert "Give a reason for ending the alert" in refused
    alert.refresh_from_db()
    assert alert.end_reason == "Recorded on the wrong person"
    assert "Diabetic" not in html


def test_end_alert_of_another_team_or_already_ended_is_404(client_for, episode, users):
    """Another team cannot end the alert, and an ended alert cannot be ended again."""
    alert = people_actions.raise_alert(
        person=episode.person, by=users["practitioner"], category="medical", description="Asthma"
    )
    people_actions.end_alert(alert=alert, by=users["practitioner"], reason="Resolved")
    url = f"/people/{episode.person_id}/alerts/{alert.pk}/end/"

    assert client_for("other_practitioner").get(url).status_code == 404
    assert client_for("practitioner").get(url).status_code == 404
