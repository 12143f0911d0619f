"""Corrections with a reason, their history on the episode page, and the assessment's
optimistic locking: a save on top of someone else's unseen change is refused and rebased."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from divert.cases import actions
from divert.cases.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def north(service):
    return {"site": service["sites"]["north-custody"], "team": service["teams"]["north"]}


@pytest.fixture
def author(users):
    return users["practitioner"]


@pytest.fixture
def episode(author, north):
    return factories.episode(author, **north)


def moment(prefix, value):
    local = timezone.localtime(value)
    return {
        f"{prefix}_day": local.day,
        f"{prefix}_month": local.month,
        f"{prefix}_year": local.year,
        f"{prefix}_time": f"{local:%H:%M}",
    }


def offer_form(offer, **changes):
    data = {"outcome": offer.outcome, "reason_detail": offer.reason_detail}
    data |= moment("offered_at", offer.offered_at)
    return data | changes


def test_correct_offer_shows_the_change_on_the_episode_page(client_for, episode, author):
    """A corrected outcome reads 'changed from X to Y by Z on date: reason' on the episode."""
    offer = actions.record_offer(episode=episode, by=author, outcome="declined")
    client = client_for("team_leader")

    response = client.post(
        f"/episodes/{episode.pk}/offers/{offer.pk}/correct/",
        offer_form(offer, outcome="accepted", reason="Recorded against the wrong episode"),
    )
    html = client.get(f"/episodes/{episode.pk}/").content.decode()

    assert response.status_code == 302
    assert re.search(
        r"Outcome changed from Declined to Accepted by Team-Leader Tester on .+: "
        r"Recorded against the wrong episode",
        html,
    )


def test_correct_offer_needs_a_reason_and_a_change(client_for, episode, author):
    """A correction without a reason, or that changes nothing, is refused."""
    offer = actions.record_offer(episode=episode, by=author, outcome="declined")
    client = client_for("practitioner")
    url = f"/episodes/{episode.pk}/offers/{offer.pk}/correct/"

    no_reason = client.post(url, offer_form(offer, outcome="accepted")).content.decode()
    no_change = client.post(url, offer_form(offer, reason="Checking")).content.decode()

    assert "Give a reason for the correction" in no_reason
    assert "You have not changed anything" in no_change
    offer.refresh_from_db()
    assert offer.outcome == "declined"


def test_correct_offer_of_another_team_is_404(client_for, episode, author):
    """Another team cannot open a correction."""
    offer = actions.record_offer(episode=episode, by=author, outcome="declined")

    response = client_for("other_practitioner").get(
        f"/episodes/{episode.pk}/offers/{offer.pk}/correct/"
    )

    assert response.status_code == 404


def test_correct_offer_under_sixteen_still_needs_gillick(client_for, author, north):
    """Correcting a 15-year-old's 'declined' to 'accepted' needs competence, like recording."""
    youth = factories.youth_episode(author, age=15, **north)
    offer = actions.record_offer(episode=youth, by=author, outcome="declined")

    html = (
        client_for("practitioner")
        .post(
            f"/episodes/{youth.pk}/offers/{offer.pk}/correct/",
            offer_form(offer, outcome="accepted", reason="Wrong box"),
        )
        .content.decode()
    )

    assert "Record whether this under-16 is competent to consent (Gillick)" in html


@pytest.fixture
def assessment(episode, author):
    return actions.record_assessment(
        episode=episode,
        by=author,
        started_at=timezone.now() - dt.timedelta(minutes=30),
        presenting_needs="Low mood",
        risk_to_self="Thoughts of self-harm last week",
        recommendations="GP follow-up",
    )


def assessment_form(assessment, **changes):
    data = {
        "presenting_needs": assessment.presenting_needs,
        "history": assessment.history,
        "risk_to_self": assessment.risk_to_self,
        "risk_to_others": assessment.risk_to_others,
        "risk_from_others": assessment.risk_from_others,
        "safeguarding_concern": "yes" if assessment.safeguarding_concern else "no",
        "recommendations": assessment.recommendations,
        "reasonable_adjustments": assessment.reasonable_adjustments,
        "urgent_actions": assessment.urgent_actions,
        "status": "in_progress",
        "version": assessment.version,
        **moment("started_at", assessment.started_at),
    }
    return data | changes


def test_edit_assessment_saves_with_history(client_for, episode, assessment):
    """Completing the assessment with a reason saves, bumps the version and shows the change."""
    client = client_for("practitioner")
    url = f"/episodes/{episode.pk}/assessments/{assessment.pk}/edit/"
    page = client.get(url).content.decode()

    response = client.post(
        url,
        assessment_form(
            assessment,
            recommendations="GP follow-up and CMHT referral",
            reason="Second interview",
        ),
    )
    html = client.get(f"/episodes/{episode.pk}/").content.decode()

    assessment.refresh_from_db()
    assert 'name="version" value="1"' in page
    assert response.status_code == 302
    assert assessment.version == 2
    assert "Recommendations changed from “GP follow-up” to “GP follow-up and CMHT referral”" in (
        html.replace("&#8220;", "“").replace("&#8221;", "”")
    )


def test_edit_assessment_unchanged_seconds_are_not_a_change(client_for, episode, assessment):
    """Submitting the form as loaded changes nothing (times are compared to the minute)."""

    html = (
        client_for("practitioner")
        .post(
            f"/episodes/{episode.pk}/assessments/{assessment.pk}/edit/",
            assessment_form(assessment, reason="Just looking"),
        )
        .content.decode()
    )

    assert "You have not changed anything" in html
    assessment.refresh_from_db()
    assert assessment.version == 1


def test_edit_assessment_conflict_shows_their_change_and_rebases(client_for, episode, assessment):
    """Two practitioners load version 1. The first saves a new risk to self; the second's save
    (recommendations) is refused, shows the first change, and keeps both in the form. Saving
    the rebased form applies the second change on top."""
    url = f"/episodes/{episode.pk}/assessments/{assessment.pk}/edit/"
    first, second = client_for("practitioner"), client_for("team_leader")
    loaded = assessment_form(assessment)
    first.post(
        url,
        loaded | {"risk_to_self": "No current thoughts of self-harm", "reason": "Reviewed"},
    )

    clash = second.post(
        url, loaded | {"recommendations": "Refer to CMHT", "reason": "Added referral"}
    )

    html = clash.content.decode()
    assessment.refresh_from_db()
    assert clash.status_code == 200
    assert assessment.version == 2
    assert assessment.recommendations == "GP follow-up"
    assert "Someone else changed this assessment while you were editing" in html
    assert "Risk to self changed from" in html
    assert "by Practitioner Tester" in html
    assert 'href="#id_risk_to_self"' in html
    assert "No current thoughts of self-harm</textarea>" in html
    assert "Refer to CMHT</textarea>" in html
    assert 'name="version" value="2"' in html
    assert "You both changed the same answer" not in html

    rebased = loaded | {
        "risk_to_self": "No current thoughts of self-harm",
        "recommendations": "Refer to CMHT",
        "version": 2,
        "reason": "Added referral",
    }
    saved = second.post(url, rebased)

    assessment.refresh_from_db()
    assert saved.status_code == 302
    assert assessment.version == 3
    assert assessment.risk_to_self == "No current thoughts of self-harm"
    assert assessment.recommendations == "Refer to CMHT"


def test_edit_assessment_conflict_on_the_same_answer_is_flagged(client_for, episode, assessment):
    """When both changed the same answer, the page says so and the form keeps the second
    editor's version for them to compare."""
    url = f"/episodes/{episode.pk}/assessments/{assessment.pk}/edit/"
    loaded = assessment_form(assessment)
    client_for("practitioner").post(
        url, loaded | {"risk_to_self": "Version A", "reason": "Reviewed"}
    )

    html = (
        client_for("team_leader")
        .post(url, loaded | {"risk_to_self": "Version B", "reason": "Reviewed"})
        .content.decode()
    )

    assert "You both changed the same answer" in html
    assert "Risk to self" in html
    assert "Version B</textarea>" in html
