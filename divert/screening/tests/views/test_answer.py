"""Answering a questionnaire: NHS.UK radios in a fieldset per question, skip rules applied on
the server after each save, errors that name the question, and completion."""

import re

import pytest

from divert.audit.models import AuditEvent
from divert.screening.tests.views.pages import (
    PHQ9_MODERATE_WITH_ITEM_9,
    answer_url,
    compact,
    main_text,
    result_url,
)

pytestmark = pytest.mark.django_db

AUDIT_Q2 = "2. How many units of alcohol do you drink on a typical day when you are drinking?"
AUDIT_Q8 = "8. How often during the last year have you been unable to remember"
AUDIT_Q9 = "9. Have you or somebody else been injured as a result of your drinking?"


def saved(administration):
    return dict(administration.answers.values_list("link_id", "value"))


def test_answer_page_one_fieldset_per_question(client, episode, administer):
    """Each question is a fieldset of native radios, the number and question as its legend and
    the time period as its hint, described by that hint."""
    administration = administer(episode, "phq-9", complete=False)

    response = client.get(answer_url(administration))

    html = compact(response)
    assert response.status_code == 200
    assert html.count("<fieldset") == 10
    assert (
        '<fieldset class="nhsuk-fieldset" aria-describedby="id_q1-hint">'
        '<legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">'
        "1. Little interest or pleasure in doing things</legend>"
        '<div class="nhsuk-hint" id="id_q1-hint">Time period: last 2 weeks.</div>'
    ) in html
    assert html.count('type="radio" value="0"') == 9  # "Not at all" on items 1 to 9
    assert '<input class="nhsuk-radios__input" id="id_q1" name="q1" type="radio" value="0">' in html
    buttons = re.findall(r"<button[^>]*>", html)
    assert any('name="action"' in b and 'value="complete"' in b for b in buttons)
    assert any('name="action"' in b and 'value="save"' in b for b in buttons)


def test_answer_audit_never_drinking_removes_questions_2_to_8(client, episode, administer):
    """AUDIT: questions 2 to 8 are on the page until question 1 is answered "Never" and saved;
    then they are removed and the page says they are not asked."""
    administration = administer(episode, "audit", complete=False)
    before = main_text(client.get(answer_url(administration)))

    response = client.post(answer_url(administration), {"q1": "0", "action": "save"})
    after = main_text(client.get(answer_url(administration)))

    assert AUDIT_Q2 in before
    assert AUDIT_Q8 in before
    assert response.status_code == 302
    assert response["Location"] == answer_url(administration)
    assert AUDIT_Q2 not in after
    assert AUDIT_Q8 not in after
    assert AUDIT_Q9 in after
    assert "Questions 2 to 8 are not asked because of the answers given so far." in after
    assert "Answers saved" in after
    assert saved(administration) == {"q1": "0"}


def test_answer_audit_skipped_answers_discarded_on_save(client, episode, administer):
    """Answers to questions the skip rule rules out are not kept."""
    administration = administer(episode, "audit", complete=False)

    client.post(
        answer_url(administration),
        {"q1": "0", "q2": "3", "q4": "4", "q9": "no", "action": "save"},
    )

    assert saved(administration) == {"q1": "0", "q9": "no"}


def test_answer_audit_questions_4_to_8_follow_from_questions_2_and_3(client, episode, administer):
    """AUDIT: drinking, but 1 to 2 units and never 6 or more, skips 4 to 8; more brings them
    back once saved."""
    administration = administer(episode, "audit", complete=False)

    client.post(answer_url(administration), {"q1": "2", "q2": "0", "q3": "0", "action": "save"})
    skipped = main_text(client.get(answer_url(administration)))
    client.post(answer_url(administration), {"q1": "2", "q2": "1", "q3": "0", "action": "save"})
    asked = main_text(client.get(answer_url(administration)))

    assert AUDIT_Q2 in skipped
    assert AUDIT_Q8 not in skipped
    assert "Questions 4 to 8 are not asked" in skipped
    assert AUDIT_Q8 in asked
    assert "not asked" not in asked


def test_answer_complete_with_a_question_unanswered_names_it(client, episode, administer):
    """Completing with question 3 unanswered completes nothing; the NHS.UK error summary names
    the question and links to its first radio, and the title starts "Error:"."""
    administration = administer(episode, "phq-9", complete=False)
    answers = {f"q{n}": "1" for n in range(1, 10) if n != 3}

    response = client.post(answer_url(administration), answers | {"action": "complete"})

    html = compact(response)
    message = (
        "Select an answer for question 3: Trouble falling or staying asleep, or sleeping too much"
    )
    assert response.status_code == 200
    assert "<title>Error: Patient Health Questionnaire (PHQ-9) - Divert</title>" in html
    summary = html[html.index('class="nhsuk-error-summary"') : html.index("<fieldset")]
    assert f'<a href="#id_q3">{message}</a>' in summary
    assert (
        '<span class="nhsuk-error-message" id="id_q3-error">'
        f'<span class="nhsuk-u-visually-hidden">Error:</span>{message}</span>'
    ) in html
    assert 'aria-describedby="id_q3-hint id_q3-error"' in html
    assert 'id="id_q3" name="q3" type="radio"' in html
    assert 'id="id_q1-2" name="q1" type="radio" value="1" checked' in html
    administration.refresh_from_db()
    assert administration.is_complete is False


def test_answer_complete_scores_and_opens_the_result(client, episode, administer):
    """Completing saves the answers, scores them with the version used and opens the result."""
    administration = administer(episode, "phq-9", complete=False)

    response = client.post(
        answer_url(administration), PHQ9_MODERATE_WITH_ITEM_9 | {"action": "complete"}
    )

    administration.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == result_url(administration)
    assert administration.is_complete
    assert (administration.total, administration.band) == (12, "moderate")
    assert administration.flags == ["phq9_item9_positive"]
    events = (
        AuditEvent.objects.filter(
            target_type="screening.Administration", target_id=str(administration.pk)
        )
        .order_by("sequence")
        .values_list("event", flat=True)
    )
    assert list(events) == ["screening.started", "screening.answers_saved", "screening.completed"]


def test_answer_audit_completes_with_the_skip_rule(client, episode, administer):
    """AUDIT completes with questions 2 to 8 unanswered when question 1 is "Never"."""
    administration = administer(episode, "audit", complete=False)

    response = client.post(
        answer_url(administration), {"q1": "0", "q9": "no", "q10": "no", "action": "complete"}
    )

    administration.refresh_from_db()
    assert response.status_code == 302
    assert (administration.total, administration.band) == (0, "lower_risk")


def test_answer_item_nine_flag_shows_before_completion(client, episode, administer):
    """Once item 9 is saved above zero the follow-up flag shows while the rest is answered."""
    administration = administer(episode, "phq-9", {"q9": "2"}, complete=False)

    text = main_text(client.get(answer_url(administration)))

    assert "Flag raised" in text
    assert "Item 9 (thoughts of self-harm) answered above zero: clinician follow-up today" in text


def test_answer_core10_completes_prorated_with_one_item_missing(client, episode, administer):
    """CORE-10 may be completed with one item unanswered (prorated); two unanswered are named."""
    administration = administer(episode, "core-10", complete=False)
    nine = {f"q{n}": "2" for n in range(1, 10)}
    eight = {f"q{n}": "2" for n in range(1, 9)}

    refused = client.post(answer_url(administration), eight | {"action": "complete"})
    accepted = client.post(answer_url(administration), nine | {"action": "complete"})

    assert refused.status_code == 200
    assert "Answer question 9: I have felt unhappy" in main_text(refused)
    assert accepted.status_code == 302
    administration.refresh_from_db()
    assert administration.is_complete
    assert administration.is_prorated


def test_answer_completed_screening_opens_its_result(client, episode, administer):
    """A completed screening's question page goes to its result: answers cannot change."""
    administration = administer(episode, "phq-9", PHQ9_MODERATE_WITH_ITEM_9)

    response = client.get(answer_url(administration))

    assert response.status_code == 302
    assert response["Location"] == result_url(administration)


def test_answer_page_writes_one_access_event(client, episode, administer):
    """Opening the questions writes one access event naming the administration and person."""
    administration = administer(episode, "gad-7", complete=False)
    before = AuditEvent.objects.count()

    client.get(answer_url(administration))

    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("sequence")
    assert (event.event, event.action) == ("screening.viewed", "view")
    assert event.target_id == str(administration.pk)
    assert event.person_id == episode.person_id


def test_answer_administration_of_another_episode_is_404(
    client, episode, administer, service, practitioner
):
    """An administration is only found under its own episode, even in the same team."""
    from divert.cases.tests import factories

    other = factories.episode(
        practitioner, site=service["sites"]["north-custody"], team=service["teams"]["north"]
    )
    administration = administer(other, "phq-9", complete=False)

    response = client.get(f"/episodes/{episode.pk}/screening/{administration.pk}/")

    assert response.status_code == 404
