"""Break-glass, IG requests, denied attempts, audit completeness and safe exports (security.md
A3, A6, D1, D4)."""

import csv
import io

import pytest
from django.core.exceptions import ValidationError

from divert.accounts import actions as account_actions
from divert.accounts.models import AccessGrant
from divert.audit.models import AuditEvent
from divert.cases.tests import factories
from divert.core.exports import safe_cell

pytestmark = pytest.mark.django_db


@pytest.fixture
def north_episode(service, users):
    return factories.episode(
        users["practitioner"],
        site=service["sites"]["north-custody"],
        team=service["teams"]["north"],
    )


def events(**filters):
    return AuditEvent.objects.filter(**filters)


def test_other_team_record_is_404_and_the_attempt_is_audited(north_episode, client_for, users):
    """Another team's episode answers 404 for real and sequential ids, and each try is logged."""
    client = client_for("other_practitioner")

    real = client.get(f"/episodes/{north_episode.pk}/")
    sequential = client.get(f"/episodes/{north_episode.pk + 1}/")
    person = client.get(f"/people/{north_episode.person_id}/")

    assert real.status_code == sequential.status_code == person.status_code == 404
    denied = events(action="denied", actor_id=users["other_practitioner"].pk)
    assert denied.count() == 3
    assert "Sam" not in str(list(denied.values()))


@pytest.mark.parametrize(
    ("path_for", "event"),
    [
        (lambda e: f"/episodes/{e.pk}/", "episode.viewed"),
        (lambda e: f"/people/{e.person_id}/", "person.viewed"),
    ],
)
def test_each_personal_data_page_writes_exactly_one_access_event(
    north_episode, client_for, users, path_for, event
):
    """Opening a person or episode writes one access event with who, role, what and person."""
    client = client_for("practitioner")
    before = AuditEvent.objects.count()

    client.get(path_for(north_episode))

    assert AuditEvent.objects.count() == before + 1
    row = AuditEvent.objects.order_by("-sequence").first()
    assert row.event == event
    assert row.actor_id == users["practitioner"].pk
    assert row.actor_roles == "practitioner"
    assert row.person_id == north_episode.person_id
    assert row.ip_address == "127.0.0.1"


def test_break_glass_opens_the_record_with_a_reason(north_episode, client_for, users):
    """A practitioner outside the team opens the record only after giving a reason."""
    client = client_for("other_practitioner")
    url = f"/people/{north_episode.person_id}/open-with-reason/"

    refused = client.post(url, {"reason": "need"})
    opened = client.post(url, {"reason": "In South custody now; says known to the North team"})
    page = client.get(f"/people/{north_episode.person_id}/")

    assert refused.status_code == 200
    assert "at least 10 characters" in refused.content.decode()
    assert opened.status_code == 302
    assert page.status_code == 200
    glass = events(action="break_glass").get()
    assert glass.reason.startswith("In South custody")
    assert glass.person_id == north_episode.person_id


def test_break_glass_goes_to_the_team_leaders_review_queue(north_episode, client_for, users):
    """The practitioner's team leader sees the break-glass and records a review once."""
    south_leader = users["team_leader"]
    account_actions.add_to_team(user=south_leader, team=north_episode.team, by=None)
    account_actions.add_to_team(user=users["other_practitioner"], team=north_episode.team, by=None)
    grant = account_actions.grant_access(
        user=users["other_practitioner"],
        person=north_episode.person,
        kind="break_glass",
        reason="Out of hours, covering the North suite",
        by=users["other_practitioner"],
    )
    client = client_for("team_leader")

    queue = client.get("/audit/access-reviews/")
    client.post(f"/audit/access-reviews/{grant.pk}/", {"outcome": "appropriate"})

    assert "Out of hours, covering the North suite" in queue.content.decode()
    grant.refresh_from_db()
    assert grant.review_outcome == "appropriate"
    assert grant.reviewed_by == south_leader
    assert "Out of hours" not in client.get("/audit/access-reviews/").content.decode()


def test_nobody_reviews_their_own_access(north_episode, users):
    """A reviewer cannot approve their own break-glass."""
    grant = account_actions.grant_access(
        user=users["team_leader"],
        person=north_episode.person,
        kind="break_glass",
        reason="Checking a record for supervision",
        by=users["team_leader"],
    )

    with pytest.raises(ValidationError):
        account_actions.review_access_grant(
            grant=grant, outcome="appropriate", by=users["team_leader"]
        )


def test_service_manager_and_partners_cannot_break_glass(north_episode, users):
    """Only roles with the break-glass permission can open a record that way."""
    from django.core.exceptions import PermissionDenied

    for role in ["commissioner", "police", "admin"]:
        with pytest.raises(PermissionDenied):
            account_actions.grant_access(
                user=users[role],
                person=north_episode.person,
                kind="break_glass",
                reason="Curious about this one",
                by=users[role],
            )


def test_ig_officer_opens_a_record_only_with_a_reference(north_episode, client_for, users):
    """IG sees no record until a request reference is recorded, then sees that person only."""
    client = client_for("ig")
    person_url = f"/people/{north_episode.person_id}/"

    before = client.get(person_url)
    missing = client.post(
        "/audit/",
        {"local_id": north_episode.person.local_id, "reference": "", "reason": "SAR"},
    )
    opened = client.post(
        "/audit/",
        {
            "local_id": north_episode.person.local_id.lower(),
            "reference": "SAR-2026-041",
            "reason": "Subject access request received 20 November",
        },
    )
    after = client.get(person_url)

    assert before.status_code == 404
    assert "Enter the request or investigation reference" in missing.content.decode()
    assert opened.status_code == 302
    assert after.status_code == 200
    grant = AccessGrant.objects.get(user=users["ig"])
    assert grant.kind == "ig_request"
    assert "SAR-2026-041" in events(action="break_glass").get().reason


def test_who_has_seen_this_record(north_episode, client_for, users):
    """IG's report lists each access to the person, with who and when, newest first."""
    client_for("practitioner").get(f"/episodes/{north_episode.pk}/")
    client_for("team_leader").get(f"/people/{north_episode.person_id}/")
    ig = client_for("ig")

    page = ig.get(f"/audit/people/{north_episode.person_id}/").content.decode()
    exported = ig.get(f"/audit/people/{north_episode.person_id}/access.csv")

    assert page.index("team-leader") < page.index("episode.viewed")
    rows = list(csv.DictReader(io.StringIO(exported.content.decode())))
    assert {row["username"] for row in rows} >= {"practitioner", "team-leader"}
    assert events(action="export", person_id=north_episode.person_id).count() == 1


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+44 1632 960000", "'+44 1632 960000"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("Plain text", "Plain text"),
        (42, 42),
    ],
)
def test_csv_cells_cannot_become_formulas(value, expected):
    """Text a spreadsheet would run as a formula is neutralised with a leading apostrophe."""
    assert safe_cell(value) == expected
