"""The duplicate review pages: queue, compare, decide, merge, undo; scoped and audited."""

import datetime as dt
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from divert.audit.models import AuditEvent
from divert.cases.tests import factories
from divert.linkage import actions
from divert.linkage.models import DuplicateCandidate, LinkDecision, PersonMerge
from divert.people.models import Person

pytestmark = pytest.mark.django_db

BORN = dt.date(1996, 5, 3)


def two_records(users, service, *, second_site="north-custody"):
    """Lee and Leigh Marshall, one person on two records, each with an episode."""
    author = users["practitioner"]
    team = service["teams"]["north" if second_site.startswith("north") else "south"]
    lee = factories.person(
        author, given_name="Lee", family_name="Marshall", date_of_birth=BORN, postcode="DH1 3LE"
    )
    leigh = factories.person(
        author, given_name="Leigh", family_name="Marshall", date_of_birth=BORN, postcode="DH1 3LE"
    )
    factories.episode(
        author,
        site=service["sites"]["north-custody"],
        team=service["teams"]["north"],
        subject=lee,
    )
    factories.episode(
        author,
        site=service["sites"][second_site],
        team=team,
        subject=leigh,
        received_at=timezone.now() - dt.timedelta(days=200),
    )
    actions.find_duplicates(by=users["team_leader"])
    return lee, leigh, DuplicateCandidate.objects.for_pair(lee.pk, leigh.pk).get()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("team_leader", 200),
        ("service_manager", 200),
        ("practitioner", 403),
        ("ig", 403),
        ("commissioner", 403),
        ("anonymous", 302),
    ],
)
def test_compare_page_by_role(role, status, users, service, client_for):
    """Team leaders and service managers compare; others are refused; anonymous signs in."""
    _, _, candidate = two_records(users, service)

    response = client_for(role).get(f"/people/duplicates/{candidate.pk}/")

    assert response.status_code == status


def test_pair_outside_the_team_is_hidden_from_the_team_leader(users, service, client_for):
    """A pair with one record on another team's caseload is not listed for the north team
    leader and opens as 404; the service manager sees it."""
    _, _, candidate = two_records(users, service, second_site="south-custody")

    queue = client_for("team_leader").get("/people/duplicates/").content.decode()
    compare = client_for("team_leader").get(f"/people/duplicates/{candidate.pk}/")
    managed = client_for("service_manager").get("/people/duplicates/").content.decode()

    assert "Leigh Marshall" not in queue
    assert compare.status_code == 404
    assert "Leigh Marshall" in managed


def test_queue_lists_the_pair_and_audits_the_listing(users, service, client_for):
    """The queue shows both names with a compare link, and records who listed it."""
    _, _, candidate = two_records(users, service)

    html = client_for("team_leader").get("/people/duplicates/").content.decode()

    assert "Lee Marshall" in html
    assert "Leigh Marshall" in html
    assert f"/people/duplicates/{candidate.pk}/" in html
    event = AuditEvent.objects.filter(event="duplicates.listed").latest("sequence")
    assert event.changes == {"candidate_ids": [candidate.pk]}


def test_find_duplicates_button_runs_a_search(users, service, client_for):
    """The button starts a run and reports what it found."""
    two_records(users, service)
    DuplicateCandidate.objects.all().delete()

    response = client_for("team_leader").post("/people/duplicates/find/", follow=True)

    assert "1 possible duplicates to look at" in response.content.decode()
    assert DuplicateCandidate.objects.count() == 1


def test_compare_shows_side_by_side_evidence_and_audits_both_reads(users, service, client_for):
    """The compare page shows both records and the evidence in words; each read is audited."""
    lee, leigh, candidate = two_records(users, service)

    html = client_for("service_manager").get(f"/people/duplicates/{candidate.pk}/").content
    text = html.decode()

    assert lee.local_id in text
    assert leigh.local_id in text
    assert "Date of birth matches" in text
    assert "Family name" in text
    reads = AuditEvent.objects.filter(event="person.compared").values_list("person_id", flat=True)
    assert sorted(reads) == sorted([lee.pk, leigh.pk])


def test_decide_different_people_leaves_the_queue(users, service, client_for):
    """Deciding "different people" records the decision and the pair leaves the queue."""
    _, _, candidate = two_records(users, service)
    client = client_for("team_leader")

    response = client.post(
        f"/people/duplicates/{candidate.pk}/", {"outcome": "different", "reason": "Brothers"}
    )

    assert response.status_code == 302
    decision = LinkDecision.objects.get()
    assert (decision.outcome, decision.reason) == ("different", "Brothers")
    assert "Leigh Marshall" not in client.get("/people/duplicates/").content.decode()


def test_decide_without_an_answer_shows_the_error_summary(users, service, client_for):
    """No answer gives the NHS.UK error summary and records nothing."""
    _, _, candidate = two_records(users, service)

    response = client_for("team_leader").post(f"/people/duplicates/{candidate.pk}/", {})

    text = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in text
    assert "Choose whether these records are the same person" in text
    assert not LinkDecision.objects.exists()


def test_merge_then_undo_through_the_pages(users, service, client_for):
    """Same person leads to the merge page; merging shows one person with both episodes and
    the old record redirects there with a banner; undoing the merge separates them again."""
    lee, leigh, candidate = two_records(users, service)
    client = client_for("team_leader")

    chosen = client.post(f"/people/duplicates/{candidate.pk}/", {"outcome": "same"})
    merged = client.post(
        chosen["Location"],
        {"survivor": str(lee.pk), "reason": "Same tattoo, same phone number"},
        follow=True,
    )
    survivor_page = merged.content.decode()
    redirected = client.get(f"/people/{leigh.pk}/", follow=True)

    assert chosen["Location"] == f"/people/duplicates/{candidate.pk}/merge/"
    assert f"{leigh.local_id} merged into {lee.local_id}" in survivor_page
    assert len(re.findall(r"/episodes/\d+/", survivor_page)) == 2
    assert redirected.redirect_chain[-1][0] == f"/people/{lee.pk}/"
    assert f"Record {leigh.local_id} was merged into {lee.local_id}" in redirected.content.decode()

    merge = PersonMerge.objects.get()
    undone = client.post(
        f"/people/duplicates/merges/{merge.pk}/undo/",
        {"reason": "Different people: checked with GP"},
        follow=True,
    )

    assert "is a separate record again" in undone.content.decode()
    assert Person.objects.current().filter(pk__in=[lee.pk, leigh.pk]).count() == 2
    assert client.get(f"/people/{leigh.pk}/").status_code == 200


def test_merge_page_needs_a_reason(users, service, client_for):
    """A merge without a reason is refused with the error summary."""
    lee, _, candidate = two_records(users, service)

    response = client_for("team_leader").post(
        f"/people/duplicates/{candidate.pk}/merge/", {"survivor": str(lee.pk)}
    )

    assert "Say why you are sure they are the same person" in response.content.decode()
    assert not PersonMerge.objects.exists()


def test_find_duplicates_command_for_a_scheduler(users, service):
    """``divert people find-duplicates`` queues pairs and reports counts."""
    two_records(users, service)
    out = StringIO()

    call_command("people", "find-duplicates", stdout=out)

    assert "Waiting for review: 1" in out.getvalue()
    assert AuditEvent.objects.filter(event="linkage.duplicates_found").count() == 2


def test_review_leaves_no_personal_data_in_the_audit_trail(users, service, client_for):
    """Listing, comparing, deciding, merging and undoing write ids and counts, never the
    names, dates of birth or reasons typed."""
    lee, leigh, candidate = two_records(users, service)
    client = client_for("team_leader")
    client.get("/people/duplicates/")
    client.get(f"/people/duplicates/{candidate.pk}/")
    client.post(
        f"/people/duplicates/{candidate.pk}/merge/",
        {"survivor": str(lee.pk), "reason": "Marshall confirmed his nickname Leigh"},
    )
    client.post(
        f"/people/duplicates/merges/{PersonMerge.objects.get().pk}/undo/",
        {"reason": "Marshall brothers, not one man"},
    )

    rows = [
        str(row)
        for row in AuditEvent.objects.values_list("event", "target_id", "reason", "changes")
    ]

    assert any("person.unmerged" in row for row in rows)
    for canary in ["Marshall", "Leigh", "1996-05-03", "03/05/1996", lee.local_id]:
        assert not any(canary in row for row in rows), canary
