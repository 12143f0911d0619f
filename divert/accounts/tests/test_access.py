"""Who sees which people and episodes: scoped QuerySets and the pages built on them."""

import pytest
from django.utils import timezone

from divert.accounts import access
from divert.accounts import actions as account_actions
from divert.accounts.models import TeamMembership
from divert.audit.models import AuditEvent
from divert.cases.models import Episode
from divert.cases.tests import factories
from divert.people.models import Person

pytestmark = pytest.mark.django_db

ROLES = [
    "practitioner",
    "team_leader",
    "other_practitioner",
    "service_manager",
    "commissioner",
    "police",
    "court",
    "ig",
    "admin",
]

# Which of the two episodes (north, south) each role's scoped QuerySet returns.
VISIBLE = {
    "practitioner": {"north"},
    "team_leader": {"north"},
    "other_practitioner": {"south"},
    "service_manager": {"north", "south"},
    "commissioner": set(),
    "police": set(),
    "court": set(),
    "ig": set(),
    "admin": set(),
}

# What the north episode's and north person's pages return to each role.
PAGE_STATUS = {
    "practitioner": 200,
    "team_leader": 200,
    "service_manager": 200,
    "other_practitioner": 404,
    "commissioner": 403,
    "police": 403,
    "court": 403,
    "ig": 404,  # IG may open records, but only with a request reference (no grant here)
    "admin": 403,
}


@pytest.fixture
def episodes(service, users):
    """An episode at a north site and one at the south site, for different people."""
    author = users["service_manager"]
    north = factories.episode(
        author,
        subject=factories.person(author, given_name="Northa", family_name="Person"),
        site=service["sites"]["north-custody"],
        team=service["teams"]["north"],
    )
    south = factories.episode(
        author,
        subject=factories.person(author, given_name="Southa", family_name="Person"),
        site=service["sites"]["south-custody"],
        team=service["teams"]["south"],
    )
    return {"north": north, "south": south}


def labels(objects, episodes, attribute="pk"):
    by_key = {getattr(episode, attribute): name for name, episode in episodes.items()}
    return {by_key[obj.pk] for obj in objects}


@pytest.mark.parametrize("role", ROLES)
def test_episode_visible_to_each_role(users, episodes, role):
    """Practitioners see their team's sites, service managers everything, other roles nothing."""

    visible = Episode.objects.visible_to(users[role])

    assert labels(visible, episodes) == VISIBLE[role]


@pytest.mark.parametrize("role", ROLES)
def test_person_visible_to_each_role(users, episodes, role):
    """People are visible exactly when one of their episodes is."""

    visible = Person.objects.visible_to(users[role])

    assert labels(visible, episodes, "person_id") == VISIBLE[role]


@pytest.mark.parametrize("role", ROLES)
def test_sites_with_episodes_visible_to_each_role(users, episodes, role):
    """The worklist's site choices are exactly the sites of the episodes the role may see."""

    sites = access.sites_with_episodes_visible_to(users[role])

    expected = {episode.site_id for episode in Episode.objects.visible_to(users[role])}
    assert set(sites.values_list("pk", flat=True)) == expected


def test_sites_with_episodes_visible_to_includes_granted_people(service, users, episodes):
    """A granted person's episode adds its site; a caseload site with no episode is left out."""
    account_actions.grant_access(
        user=users["ig"],
        person=episodes["south"].person,
        kind="ig_request",
        reason="Subject access request from the person",
        reference="SAR-1",
        by=users["ig"],
    )
    account_actions.grant_access(
        user=users["practitioner"],
        person=episodes["south"].person,
        kind="break_glass",
        reason="Out of hours, covering the South suite",
        by=users["practitioner"],
    )

    for_ig = set(access.sites_with_episodes_visible_to(users["ig"]))
    for_practitioner = set(access.sites_with_episodes_visible_to(users["practitioner"]))

    south, north = service["sites"]["south-custody"], service["sites"]["north-custody"]
    assert for_ig == {south}
    assert for_practitioner == {north, south}  # not north-court: no episode there


def test_episode_visible_to_practitioner_at_any_team_site(service, users, episodes):
    """A practitioner sees episodes at every site their team covers, such as its court."""
    author = users["service_manager"]
    at_court = factories.episode(
        author, site=service["sites"]["north-court"], team=service["teams"]["north"]
    )

    visible = set(Episode.objects.visible_to(users["practitioner"]))

    assert visible == {episodes["north"], at_court}


def test_episode_visible_to_member_who_left_team_none(users, episodes):
    """A practitioner who has left their team no longer sees its caseload."""
    practitioner = users["practitioner"]
    TeamMembership.objects.filter(user=practitioner).update(left_on=timezone.localdate())

    episodes_seen = Episode.objects.visible_to(practitioner)

    assert not episodes_seen.exists()
    assert not Person.objects.visible_to(practitioner).exists()


def test_episode_visible_to_inactive_user_none(users, episodes):
    """A deactivated account sees nothing, whatever its roles."""
    manager = users["service_manager"]
    manager.is_active = False

    episodes_seen = Episode.objects.visible_to(manager)

    assert not episodes_seen.exists()
    assert not Person.objects.visible_to(manager).exists()


def test_person_with_episodes_in_both_teams_visible_to_both(service, users, episodes):
    """A person known to two teams is visible to both, but each sees only its own episode."""
    person = episodes["north"].person
    south_episode = factories.episode(
        users["service_manager"],
        subject=person,
        site=service["sites"]["south-custody"],
        team=service["teams"]["south"],
    )
    other = users["other_practitioner"]

    people_seen = Person.objects.visible_to(other)

    assert person in people_seen
    assert list(Episode.objects.visible_to(other).filter(person=person)) == [south_episode]


@pytest.mark.parametrize("role", sorted(PAGE_STATUS))
def test_episode_page_status_for_each_role(client_for, episodes, role):
    """The episode page is 200 on the caseload, 404 to another team and 403 without access."""

    response = client_for(role).get(f"/episodes/{episodes['north'].pk}/")

    assert response.status_code == PAGE_STATUS[role]


@pytest.mark.parametrize("role", sorted(PAGE_STATUS))
def test_person_page_status_for_each_role(client_for, episodes, role):
    """The person page is 200 on the caseload, 404 to another team and 403 without access."""

    response = client_for(role).get(f"/people/{episodes['north'].person_id}/")

    assert response.status_code == PAGE_STATUS[role]


@pytest.mark.parametrize("page", ["episode", "person", "caseload"])
def test_pages_anonymous_redirected_to_sign_in(client_for, episodes, page):
    """Someone not signed in is sent to the sign-in page and shown nothing."""
    url = {
        "episode": f"/episodes/{episodes['north'].pk}/",
        "person": f"/people/{episodes['north'].person_id}/",
        "caseload": "/episodes/",
    }[page]

    response = client_for("anonymous").get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/sign-in/")
    assert "Northa" not in response.content.decode()


def test_caseload_lists_only_visible_episodes(client_for, episodes):
    """The caseload lists the team's episodes and not another team's."""

    page = client_for("practitioner").get("/episodes/").content.decode()

    assert episodes["north"].reference in page
    assert episodes["south"].reference not in page


def test_caseload_for_service_manager_lists_all(client_for, episodes):
    """A service manager's caseload lists episodes across the service."""

    page = client_for("service_manager").get("/episodes/").content.decode()

    assert episodes["north"].reference in page
    assert episodes["south"].reference in page


@pytest.mark.parametrize("role", ["commissioner", "police", "court", "ig", "admin"])
def test_caseload_without_clinical_role_forbidden(client_for, episodes, role):
    """Roles without a caseload cannot open the caseload page."""

    response = client_for(role).get("/episodes/")

    assert response.status_code == 403


def test_person_page_lists_only_visible_episodes(service, users, client_for, episodes):
    """On a person known to two teams, each team sees only its own episode listed."""
    person = episodes["north"].person
    south_episode = factories.episode(
        users["service_manager"],
        subject=person,
        site=service["sites"]["south-custody"],
        team=service["teams"]["south"],
    )

    page = client_for("other_practitioner").get(f"/people/{person.pk}/").content.decode()

    assert south_episode.reference in page
    assert episodes["north"].reference not in page


@pytest.mark.parametrize("page", ["episode", "person"])
def test_record_page_writes_one_view_event(users, client_for, episodes, page):
    """Opening a person or episode page writes exactly one 'view' audit event for the viewer."""
    episode = episodes["north"]
    url, target = {
        "episode": (f"/episodes/{episode.pk}/", ("cases.Episode", str(episode.pk))),
        "person": (f"/people/{episode.person_id}/", ("people.Person", str(episode.person_id))),
    }[page]
    client = client_for("practitioner")

    client.get(url)

    events = list(AuditEvent.objects.filter(action="view"))
    assert len(events) == 1
    event = events[0]
    assert (event.target_type, event.target_id) == target
    assert (event.actor_id, event.person_id) == (users["practitioner"].pk, episode.person_id)


@pytest.mark.parametrize("role", ["other_practitioner", "commissioner"])
def test_record_page_refused_writes_no_view_event(client_for, episodes, role):
    """A refused request for an episode page records no 'view' of it."""

    client_for(role).get(f"/episodes/{episodes['north'].pk}/")

    assert not AuditEvent.objects.filter(action="view").exists()
