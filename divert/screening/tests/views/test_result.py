"""The result page: score, band, outcome, every flag, the statement that screening is not risk
prediction, the answers, and the suggested need recorded in one click."""

import pytest

from divert.audit.models import AuditEvent
from divert.cases.models import Need
from divert.screening import actions
from divert.screening.presenters import NOT_A_PREDICTION
from divert.screening.tests.views.pages import (
    PHQ9_MILD,
    PHQ9_MODERATE_WITH_ITEM_9,
    compact,
    main_text,
    result_url,
)

pytestmark = pytest.mark.django_db

ITEM_9_FLAG = "Item 9 (thoughts of self-harm) answered above zero: clinician follow-up today"


def need_url(administration):
    return result_url(administration).replace("/result/", "/need/")


def test_result_shows_score_band_outcome_and_item_nine_flag(client, episode, administer):
    """PHQ-9 scoring 12 with item 9 at 1: "12 out of 27", Moderate, positive, the item-9 flag in
    a warning callout, the not-a-prediction statement and every answer with its score."""
    administration = administer(episode, "phq-9", PHQ9_MODERATE_WITH_ITEM_9)

    response = client.get(result_url(administration))

    text = main_text(response)
    html = compact(response)
    assert response.status_code == 200
    assert "PHQ-9 result" in text
    assert "Score 12 out of 27" in text
    assert "Band Moderate" in text
    assert "Outcome Positive screen" in text
    assert "Probable major depression (10 or more)" in text
    assert '<div class="nhsuk-card nhsuk-card--warning">' in html
    warning = html[html.index("nhsuk-card--warning") : html.index("nhsuk-inset-text")]
    assert ITEM_9_FLAG in warning
    assert NOT_A_PREDICTION in text
    assert "1. Little interest or pleasure in doing things Nearly every day (scores 3)" in text
    assert "10. If you checked off any problems" in text
    assert "Not answered" in text  # the optional question 10


def test_result_item_nine_flag_shows_whatever_the_band(client, episode, administer):
    """A mild total does not hide the item-9 flag."""
    answers = PHQ9_MILD | {"q8": "0", "q9": "1"}  # total 8, item 9 at 1
    administration = administer(episode, "phq-9", answers)

    text = main_text(client.get(result_url(administration)))

    assert "Band Mild" in text
    assert ITEM_9_FLAG in text


def test_result_bjmhs_shows_the_referral_outcome(client, episode, administer):
    """BJMHS has no total: the page shows its rule-based outcome, "Refer"."""
    answers = {f"q{n}": "no" for n in range(1, 10)} | {"q7": "yes"}
    administration = administer(episode, "bjmhs", answers)

    text = main_text(client.get(result_url(administration)))

    assert "Outcome Refer for a fuller assessment" in text
    assert "Score" not in text.split("Outcome")[0].split("Instrument")[1]


def test_result_audit_lists_skipped_questions_as_not_asked(client, episode, administer):
    """AUDIT with question 1 "Never": questions 2 to 8 show as not asked, not as missing."""
    administration = administer(episode, "audit", {"q1": "0", "q9": "no", "q10": "no"})

    text = main_text(client.get(result_url(administration)))

    assert "Score 0 out of 40" in text
    assert "Band Lower risk" in text
    assert text.count("Not asked (skipped because of an earlier answer)") == 7
    assert "Suggested need" not in text


def test_result_page_writes_one_access_event(client, episode, administer):
    """Opening a result writes one access event for the administration and the person."""
    administration = administer(episode, "phq-9", PHQ9_MILD)
    before = AuditEvent.objects.count()

    client.get(result_url(administration))

    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("sequence")
    assert (event.event, event.target_id) == ("screening.viewed", str(administration.pk))
    assert event.changes == {"episode_id": episode.pk}


def test_result_in_progress_opens_the_questions_for_a_practitioner(client, episode, administer):
    """An unfinished screening's result address takes a practitioner back to its questions."""
    administration = administer(episode, "phq-9", complete=False)

    response = client.get(result_url(administration))

    assert response.status_code == 302
    assert response["Location"] == result_url(administration).replace("result/", "")


def test_result_reader_sees_result_without_recording_controls(client_for, episode, administer):
    """A service manager reads the result, and an unfinished one, with no record or override."""
    done = administer(episode, "phq-9", PHQ9_MODERATE_WITH_ITEM_9)
    unfinished = administer(episode, "gad-7", {"q1": "1"}, complete=False)
    reader = client_for("service_manager")

    result = reader.get(result_url(done))
    in_progress = reader.get(result_url(unfinished))

    assert result.status_code == 200
    assert ITEM_9_FLAG in main_text(result)
    assert "Record this need" not in main_text(result)
    assert "Override the calculated result" not in main_text(result)
    assert "Status In progress: not completed yet" in main_text(in_progress)


def test_record_need_records_the_suggested_need_once(client, episode, administer, practitioner):
    """A positive PHQ-9 suggests "Mental health"; one click records it as identified by a
    screening tool, and afterwards the page says it is recorded instead of offering it again."""
    administration = administer(episode, "phq-9", PHQ9_MODERATE_WITH_ITEM_9)
    offered = main_text(client.get(result_url(administration)))

    response = client.post(need_url(administration), follow=True)
    again = client.post(need_url(administration), follow=True)

    assert "This result suggests a need: Mental health" in offered
    assert "Record this need" in offered
    need = Need.objects.get(episode=episode)
    assert (need.category, need.identified_by) == ("mental_health", "screening_instrument")
    assert need.recorded_by == practitioner
    assert need.note.startswith("Suggested by screening: PHQ-9, score 12, Moderate")
    assert "Mental health recorded as a need" in main_text(response)
    assert "Mental health is already recorded on this episode" in main_text(response)
    assert "Record this need" not in main_text(response)
    assert "already recorded on the episode" in main_text(again)
    assert Need.objects.filter(episode=episode).count() == 1


def test_record_need_not_offered_for_a_negative_result(client, episode, administer):
    """A mild PHQ-9 suggests nothing, and a forced post records nothing."""
    administration = administer(episode, "phq-9", PHQ9_MILD)

    text = main_text(client.get(result_url(administration)))
    response = client.post(need_url(administration), follow=True)

    assert "Suggested need" not in text
    assert "This result does not suggest a need" in main_text(response)
    assert not Need.objects.exists()


def test_record_need_follows_the_clinician_override(client, episode, administer, practitioner):
    """A positive PHQ-9 overridden to "Mild" no longer suggests the need; a negative AUDIT
    overridden to "Increasing risk" does."""
    phq9 = administer(episode, "phq-9", PHQ9_MODERATE_WITH_ITEM_9)
    audit = administer(episode, "audit", {"q1": "0", "q9": "no", "q10": "no"})
    actions.override_result(administration=phq9, band="mild", reason="Grieving", by=practitioner)
    actions.override_result(
        administration=audit, band="increasing_risk", reason="Minimised use", by=practitioner
    )

    phq9_text = main_text(client.get(result_url(phq9)))
    audit_text = main_text(client.get(result_url(audit)))

    assert "Suggested need" not in phq9_text
    assert "This result suggests a need: Substance misuse - alcohol" in audit_text


def test_result_page_shows_a_replaced_override_with_its_reason_and_author(
    client, episode, administer, practitioner, users
):
    """The clinician's current result is shown with when it was given; the override it replaced
    stays visible as history."""
    phq9 = administer(episode, "phq-9", PHQ9_MODERATE_WITH_ITEM_9)
    actions.override_result(administration=phq9, band="mild", reason="Grieving", by=practitioner)
    actions.override_result(
        administration=phq9, band="severe", reason="Seen again", by=users["team_leader"]
    )

    text = main_text(client.get(result_url(phq9)))

    assert "Earlier override" in text
    assert "Mild (reason given: Grieving), replaced on" in text
    assert "Seen again" in text
