"""The episode recording forms: who may open them, valid and invalid submissions, one access
event per page, and the next steps on the episode page."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from divert.audit.models import AuditEvent
from divert.cases import actions
from divert.cases.models import Episode
from divert.cases.tests import factories
from divert.screening import registry
from divert.screening.actions import start_administration
from divert.screening.models import InstrumentVersion

pytestmark = pytest.mark.django_db

FORM_PATHS = [
    "offer/",
    "needs/",
    "assessment/",
    "contact/",
    "tasks/new/",
    "police-outcome/",
    "court-hearing/",
    "close/",
]


@pytest.fixture
def north(service):
    return {"site": service["sites"]["north-custody"], "team": service["teams"]["north"]}


@pytest.fixture
def author(users):
    return users["practitioner"]


@pytest.fixture
def episode(author, north):
    return factories.episode(author, **north)


@pytest.fixture
def client(client_for):
    return client_for("practitioner")


def when(prefix, moment=None):
    """The date input and time boxes for ``moment`` (default: ten minutes ago), UK time."""
    local = timezone.localtime(moment or timezone.now() - dt.timedelta(minutes=10))
    return {
        f"{prefix}_day": local.day,
        f"{prefix}_month": local.month,
        f"{prefix}_year": local.year,
        f"{prefix}_time": f"{local:%H:%M}",
    }


def on(prefix, day):
    return {f"{prefix}_day": day.day, f"{prefix}_month": day.month, f"{prefix}_year": day.year}


def stage_of(episode):
    return Episode.objects.with_stage().get(pk=episode.pk).stage


@pytest.mark.parametrize("path", FORM_PATHS)
@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("practitioner", 200),
        ("team_leader", 200),
        ("other_practitioner", 404),
        ("service_manager", 403),
        ("commissioner", 403),
        ("police", 403),
        ("anonymous", 302),
    ],
)
def test_recording_forms_by_role(client_for, episode, path, role, status):
    """The team records; another team gets 404; commissioners and partners get 403."""

    response = client_for(role).get(f"/episodes/{episode.pk}/{path}")

    assert response.status_code == status


@pytest.mark.parametrize("path", FORM_PATHS)
def test_recording_form_page_writes_one_access_event(client, episode, path, users):
    """A form page shows the person's banner, so opening it writes exactly one access event."""
    before = AuditEvent.objects.count()

    client.get(f"/episodes/{episode.pk}/{path}")

    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.order_by("-sequence").first()
    assert (event.event, event.person_id) == ("episode.viewed", episode.person_id)


@pytest.mark.parametrize("path", FORM_PATHS)
def test_recording_forms_have_a_back_link_and_the_person(client, episode, path):
    """Each form sits under the person banner, with a back link to the episode."""

    html = client.get(f"/episodes/{episode.pk}/{path}").content.decode()

    assert "Sam Tester" in html
    assert f'href="/episodes/{episode.pk}/"' in html
    assert "nhsuk-back-link" in html


def test_record_offer_accepted(client, episode):
    """An accepted offer is saved and the episode moves on from 'new referral'."""

    response = client.post(
        f"/episodes/{episode.pk}/offer/", {"outcome": "accepted", **when("offered_at")}
    )

    assert response["Location"] == f"/episodes/{episode.pk}/"
    assert episode.offers.get().outcome == "accepted"
    assert stage_of(episode) == "awaiting_screening"


def test_record_offer_not_possible_needs_a_reason(client, episode):
    """'Not possible now' without a reason is refused, in the error summary."""

    html = client.post(
        f"/episodes/{episode.pk}/offer/", {"outcome": "not_possible", **when("offered_at")}
    ).content.decode()

    assert "There is a problem" in html
    assert 'href="#id_not_possible_reason"' in html
    assert "Choose why the offer was not possible" in html
    assert not episode.offers.exists()


def test_record_offer_before_the_referral_is_refused(client, episode):
    """The action's rule arrives on the field: an offer cannot predate the referral."""
    early = episode.referral_received_at - dt.timedelta(hours=1)

    html = client.post(
        f"/episodes/{episode.pk}/offer/", {"outcome": "declined", **when("offered_at", early)}
    ).content.decode()

    assert "The offer cannot be before the referral" in html


def test_record_offer_on_a_closed_episode_is_refused(client, episode, author):
    """A closed episode takes no new offer until it is reopened."""
    actions.close_episode(episode=episode, by=author, reason="other")

    html = client.post(
        f"/episodes/{episode.pk}/offer/", {"outcome": "accepted", **when("offered_at")}
    ).content.decode()

    assert "This episode is closed. Reopen it before recording more." in html


def test_record_needs_grouped_and_saved(client, episode):
    """Needs are offered in their groups; ticked ones are saved with who identified them."""
    page = client.get(f"/episodes/{episode.pk}/needs/").content.decode()

    response = client.post(
        f"/episodes/{episode.pk}/needs/",
        {"categories": ["mental_health", "adhd"], "identified_by": "ld_practitioner"},
    )

    assert "Neurodevelopmental and learning" in page
    assert "Risk and safeguarding" in page
    assert response.status_code == 302
    assert sorted(episode.needs.values_list("category", flat=True)) == ["adhd", "mental_health"]


def test_record_needs_hides_those_already_recorded(client, episode, author):
    """A need already on the episode is listed as recorded, not offered again."""
    actions.record_need(episode=episode, by=author, category="autism", identified_by="police")

    html = client.get(f"/episodes/{episode.pk}/needs/").content.decode()

    assert "Already recorded on this episode: Autism" in html
    assert 'value="autism"' not in html


def test_record_needs_invalid(client, episode):
    """Nothing ticked is explained in the error summary."""

    html = client.post(f"/episodes/{episode.pk}/needs/", {}).content.decode()

    assert "There is a problem" in html
    assert "Choose at least one vulnerability or need" in html
    assert "Choose who identified them" in html


def assessment_data(**overrides):
    return {
        "presenting_needs": "Hearing voices since Tuesday",
        "risk_to_self": "Low while in custody; higher if released alone at night",
        "risk_to_others": "None identified",
        "risk_from_others": "Exploited by a neighbour",
        "safeguarding_concern": "yes",
        "safeguarding_referral_reference": "SG-2025-001",
        "recommendations": "Mental Health Act assessment",
        "urgent_actions": ["mha_assessment_requested"],
        **when("started_at", timezone.now() - dt.timedelta(minutes=40)),
        "status": "complete",
        **when("completed_at"),
    } | overrides


def test_record_assessment_complete_moves_to_support(client, episode):
    """A completed assessment is saved as formulation text, and the stage becomes 'assessed'."""

    response = client.post(f"/episodes/{episode.pk}/assessment/", assessment_data())

    assert response.status_code == 302
    assessment = episode.assessments.get()
    assert assessment.urgent_actions == ["mha_assessment_requested"]
    assert assessment.safeguarding_referral_reference == "SG-2025-001"
    assert stage_of(episode) == "support"


def test_record_assessment_in_progress_leaves_completion_blank(client, episode):
    """An assessment marked 'in progress' has no completion time, whatever the hidden box says."""

    client.post(f"/episodes/{episode.pk}/assessment/", assessment_data(status="in_progress"))

    assert episode.assessments.get().completed_at is None


def test_record_assessment_has_no_risk_score(client, episode):
    """Risk is asked for as a formulation; the form offers no score or rating."""

    html = client.get(f"/episodes/{episode.pk}/assessment/").content.decode()

    assert "A formulation, not a score" in html
    assert "score" not in html.lower().replace("not a score", "")


@pytest.mark.parametrize(
    ("overrides", "message", "anchor"),
    [
        (
            {"safeguarding_concern": ""},
            "Say whether there is a safeguarding concern",
            "#id_safeguarding_concern",
        ),
        ({"status": ""}, "Say whether the assessment is complete", "#id_status"),
        (
            when("completed_at", timezone.now() - dt.timedelta(hours=2)),
            "The completion time must be after the start",
            "#id_completed_at",
        ),
        ({"started_at_time": "25:00"}, "using the 24-hour clock", "#id_started_at"),
    ],
)
def test_record_assessment_invalid(client, episode, overrides, message, anchor):
    """Each mistake is named in the error summary and linked to its question."""

    html = client.post(
        f"/episodes/{episode.pk}/assessment/", assessment_data(**overrides)
    ).content.decode()

    assert "There is a problem" in html
    assert message in html
    assert f'href="{anchor}"' in html
    assert not episode.assessments.exists()


def test_record_contact(client, episode):
    """A contact is saved with its type, time, length and note."""

    client.post(
        f"/episodes/{episode.pk}/contact/",
        {"contact_type": "phone", **when("occurred_at"), "duration_minutes": "20", "note": "Ok"},
    )

    contact = episode.contacts.get()
    assert (contact.contact_type, contact.duration_minutes) == ("phone", 20)


def test_record_contact_invalid(client, episode):
    """A contact longer than a day, or with no type, is refused."""

    html = client.post(
        f"/episodes/{episode.pk}/contact/", {**when("occurred_at"), "duration_minutes": "2000"}
    ).content.decode()

    assert "Choose the type of contact" in html
    assert "The length of the contact must be at most 1,440 minutes" in html


def test_add_task_assigned_to_a_team_member(client, episode, users):
    """A task can be given to someone in the episode's team."""

    client.post(
        f"/episodes/{episode.pk}/tasks/new/",
        {
            "title": "Check attendance",
            **on("due_on", timezone.localdate() + dt.timedelta(days=2)),
            "assigned_to": users["team_leader"].pk,
        },
    )

    task = episode.tasks.get()
    assert (task.title, task.assigned_to) == ("Check attendance", users["team_leader"])


def test_add_task_invalid(client, episode, users):
    """No title, an impossible date, or someone outside the team are refused."""

    html = client.post(
        f"/episodes/{episode.pk}/tasks/new/",
        {
            "title": "",
            "due_on_day": "31",
            "due_on_month": "2",
            "due_on_year": "2030",
            "assigned_to": users["other_practitioner"].pk,
        },
    ).content.decode()

    assert "Enter what needs doing" in html
    assert "The due date must be a real date" in html
    assert "Choose someone in the episode" in html
    assert not episode.tasks.exists()


def test_complete_task(client, episode, author):
    """'Mark as done' completes the task; doing it twice says it is already done."""
    task = actions.add_task(episode=episode, by=author, title="Call", due_on=timezone.localdate())

    first = client.post(f"/episodes/{episode.pk}/tasks/{task.pk}/complete/")
    second = client.post(f"/episodes/{episode.pk}/tasks/{task.pk}/complete/", follow=True)

    task.refresh_from_db()
    assert first.status_code == 302
    assert task.completed_by == author
    assert "This task is already complete" in second.content.decode()


def test_complete_task_is_post_only_and_scoped(client_for, episode, author):
    """GET does nothing; another team's practitioner gets 404."""
    task = actions.add_task(episode=episode, by=author, title="Call", due_on=timezone.localdate())

    got = client_for("practitioner").get(f"/episodes/{episode.pk}/tasks/{task.pk}/complete/")
    other = client_for("other_practitioner").post(
        f"/episodes/{episode.pk}/tasks/{task.pk}/complete/"
    )

    assert got.status_code == 405
    assert other.status_code == 404


def test_police_outcome_uses_the_adult_list(client, episode):
    """An adult episode offers the adult outcomes and saves one."""
    page = client.get(f"/episodes/{episode.pk}/police-outcome/").content.decode()

    client.post(
        f"/episodes/{episode.pk}/police-outcome/",
        {"outcome": "simple_caution", **when("decided_at")},
    )

    assert "Simple caution" in page
    assert "Youth conditional caution" not in page
    assert episode.policeoutcomes.get().outcome == "simple_caution"


def test_police_outcome_uses_the_youth_list(client, author, north):
    """A youth episode offers the youth outcomes; an adult-only outcome is refused."""
    youth = factories.youth_episode(author, **north)
    page = client.get(f"/episodes/{youth.pk}/police-outcome/").content.decode()

    refused = client.post(
        f"/episodes/{youth.pk}/police-outcome/",
        {"outcome": "simple_caution", **when("decided_at")},
    ).content.decode()

    assert "Youth conditional caution" in page
    assert "Simple caution" not in page
    assert "Choose an outcome from the youth list" in refused
    assert not youth.policeoutcomes.exists()


def test_court_hearing_with_a_sentence(client, episode, service):
    """A hearing at a court with 'sentenced' records the sentence type."""

    client.post(
        f"/episodes/{episode.pk}/court-hearing/",
        {
            "court": service["sites"]["north-court"].pk,
            **on("hearing_on", timezone.localdate()),
            "outcome": "sentenced",
            "sentence_type": "community_order_cstr",
            **when("decided_at"),
        },
    )

    hearing = episode.courthearings.get()
    assert (hearing.outcome, hearing.sentence_type) == ("sentenced", "community_order_cstr")


def test_court_hearing_sentence_only_when_sentenced(client, episode, service):
    """A sentence type sent with another outcome is dropped, and 'sentenced' needs one."""
    court = service["sites"]["north-court"].pk

    client.post(
        f"/episodes/{episode.pk}/court-hearing/",
        {
            "court": court,
            **on("hearing_on", timezone.localdate()),
            "outcome": "bail",
            "sentence_type": "fine",
            **when("decided_at"),
        },
    )
    html = client.post(
        f"/episodes/{episode.pk}/court-hearing/",
        {"court": court, **on("hearing_on", timezone.localdate()), "outcome": "sentenced"},
    ).content.decode()

    assert episode.courthearings.get().sentence_type == ""
    assert "Choose the sentence" in html


def test_court_hearing_lists_only_courts(client, episode, service):
    """Custody suites are not offered as courts."""

    html = client.get(f"/episodes/{episode.pk}/court-hearing/").content.decode()

    assert "North Magistrates&#39; Court" in html
    assert "North custody suite</option>" not in html


def test_court_hearing_with_no_outcome_yet(client, episode, service):
    """A listed hearing can be recorded before its outcome."""

    client.post(
        f"/episodes/{episode.pk}/court-hearing/",
        {
            "court": service["sites"]["north-court"].pk,
            **on("hearing_on", timezone.localdate() + dt.timedelta(days=7)),
            "outcome": "none_yet",
        },
    )

    hearing = episode.courthearings.get()
    assert (hearing.outcome, hearing.decided_at) == ("", None)


def test_close_and_reopen(client, episode):
    """Closing needs a reason; reopening needs a reason too, and the episode is open again."""
    refused = client.post(f"/episodes/{episode.pk}/close/", {}).content.decode()

    client.post(f"/episodes/{episode.pk}/close/", {"reason": "completed_no_further_need"})
    closed = Episode.objects.get(pk=episode.pk)
    no_reason = client.post(f"/episodes/{episode.pk}/reopen/", {"reason": ""}).content.decode()
    client.post(f"/episodes/{episode.pk}/reopen/", {"reason": "Closed in error"})

    assert "Choose why the episode is closing" in refused
    assert closed.closure_reason == "completed_no_further_need"
    assert "Give a reason for reopening the episode" in no_reason
    assert Episode.objects.get(pk=episode.pk).closed_at is None


def test_reopen_an_open_episode_is_refused(client, episode):
    """Only a closed episode can be reopened."""

    html = client.post(f"/episodes/{episode.pk}/reopen/", {"reason": "Why not"}).content.decode()

    assert "This episode is already open" in html


@pytest.mark.parametrize(
    ("build", "expected", "absent"),
    [
        (lambda e, a: None, ["Record the offer of support"], ["Record the assessment"]),
        (
            lambda e, a: actions.record_offer(episode=e, by=a, outcome="declined"),
            ["Record a new offer of support", "Close the episode"],
            ["Record the assessment"],
        ),
        (
            lambda e, a: actions.record_offer(episode=e, by=a, outcome="accepted"),
            ["Record vulnerabilities and needs", "Record the assessment"],
            ["Reopen the episode"],
        ),
        (
            lambda e, a: (
                actions.record_offer(episode=e, by=a, outcome="accepted"),
                actions.record_assessment(
                    episode=e,
                    by=a,
                    started_at=e.referral_received_at,
                    completed_at=e.referral_received_at,
                ),
            ),
            ["Record a contact", "Record the police outcome", "Close the episode"],
            ["Record the offer of support"],
        ),
        (
            lambda e, a: actions.close_episode(episode=e, by=a, reason="other"),
            ["Reopen the episode", "Record a court hearing"],
            ["Record a contact"],
        ),
    ],
)
def test_episode_page_next_steps_follow_the_stage(client, episode, author, build, expected, absent):
    """The next steps are derived from the stage."""
    build(episode, author)

    html = client.get(f"/episodes/{episode.pk}/").content.decode()
    steps = html[html.index("Next steps") : html.index("Vulnerabilities and needs")]

    for text in expected:
        assert text in steps
    for text in absent:
        assert f">{text}<" not in steps.split("Record something else")[0]


def test_episode_page_has_no_recording_links_for_readers_who_cannot_record(client_for, episode):
    """Service managers read the episode but are not offered forms they cannot use."""

    html = client_for("service_manager").get(f"/episodes/{episode.pk}/").content.decode()

    assert "Next steps" not in html


NEEDS = ["mental_health", "substance_misuse_alcohol", "learning_disability"]
INSTRUMENTS = ["phq-9", "gad-7", "audit-c"]


def add_one_of_each(episode, author, service, number):
    """One more of every kind of record, with corrections, so a per-row query would show."""
    now = timezone.now()
    offer = actions.record_offer(episode=episode, by=author, outcome="declined")
    actions.correct_offer(
        offer=offer, by=author, changes={"outcome": "accepted"}, reason="Recorded the wrong answer"
    )
    actions.record_need(episode=episode, by=author, category=NEEDS[number], identified_by="police")
    assessment = actions.record_assessment(
        episode=episode, by=author, started_at=episode.referral_received_at, history="First"
    )
    actions.correct_assessment(
        assessment=assessment,
        by=author,
        changes={"history": "Corrected"},
        reason="Typing error",
        expected_version=assessment.version,
    )
    actions.record_contact(
        episode=episode, by=author, contact_type="phone", occurred_at=now - dt.timedelta(hours=1)
    )
    actions.add_task(
        episode=episode,
        by=author,
        title=f"Follow up {number}",
        due_on=timezone.localdate(),
        assigned_to=author,
    )
    actions.record_police_outcome(
        episode=episode, by=author, outcome="simple_caution", decided_at=now
    )
    actions.record_court_hearing(
        episode=episode,
        by=author,
        court=service["sites"]["north-court"],
        hearing_on=timezone.localdate() + dt.timedelta(days=7 + number),
    )
    registry.sync_instruments()
    start_administration(
        episode=episode,
        instrument_version=InstrumentVersion.objects.filter(slug=INSTRUMENTS[number]).latest(
            "version"
        ),
        by=author,
    )


def test_episode_page_query_count_does_not_grow_with_the_record(
    client, episode, author, service, django_assert_max_num_queries
):
    """Three of every kind of record (offers, needs, assessments, contacts, tasks, outcomes,
    hearings, screenings, corrections) cost no more queries than one of each (no N+1)."""
    url = f"/episodes/{episode.pk}/"
    add_one_of_each(episode, author, service, 0)
    with CaptureQueriesContext(connection) as one_of_each:
        assert client.get(url).status_code == 200
    for number in [1, 2]:
        add_one_of_each(episode, author, service, number)

    with django_assert_max_num_queries(len(one_of_each.captured_queries)):
        response = client.get(url)

    html = response.content.decode()
    assert "Follow up 2" in html
    assert html.count("Correct this offer") == 3
