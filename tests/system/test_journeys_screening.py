"""Journeys: screening on an episode (issue #4), with axe on every page reached.

Set DIVERT_JOURNEY_SCREENSHOTS to a folder to keep a full-page screenshot of each page checked.
"""

import re

import pytest
from playwright.sync_api import expect

from divert.cases import actions
from divert.cases.tests import factories
from divert.screening import registry
from divert.screening.models import Administration
from tests.system.journey import check, heading, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ITEM_9_FLAG = "Item 9 (thoughts of self-harm) answered above zero: clinician follow-up today"
AUDIT_Q2 = "2. How many units of alcohol do you drink on a typical day when you are drinking?"


def answer(page, question, option):
    """Choose ``option`` in the question whose legend starts with ``question`` ("3.")."""
    group = page.get_by_role("group", name=re.compile(rf"^{re.escape(question)} "))
    group.get_by_label(option, exact=True).check()


def test_practitioner_screens_with_phq9_and_audit(live_server, page, service, users):
    """
    Given a practitioner in the north team, and an episode awaiting screening
    When they screen with the PHQ-9, answering item 9 "Several days", and record the need it
      suggests; then screen with the AUDIT, answering question 1 "Never" with the keyboard,
      saving and checking, and completing
    Then they see each score, band and outcome, the item-9 follow-up flag and the statement that
      screening is not risk prediction; the AUDIT skips questions 2 to 8; and no page has axe
      violations
    """
    registry.sync_instruments()  # a transactional test may have flushed the published rows
    practitioner = users["practitioner"]
    episode = factories.episode(
        practitioner, site=service["sites"]["north-custody"], team=service["teams"]["north"]
    )
    actions.record_offer(episode=episode, by=practitioner, outcome="accepted")
    sign_in(page, live_server, practitioner)

    page.goto(f"{live_server.url}/episodes/{episode.pk}/")
    expect(heading(page)).to_contain_text("Awaiting screening")
    check(page, "s01-episode-awaiting-screening")
    page.get_by_role("link", name="Screen with a questionnaire").click()

    expect(heading(page)).to_contain_text("Choose a screening questionnaire")
    check(page, "s02-choose-instrument")
    page.get_by_role("button", name="Start the PHQ-9").click()

    expect(heading(page)).to_contain_text("Patient Health Questionnaire (PHQ-9)")
    check(page, "s03-phq9-questions")
    answer(page, "1.", "More than half the days")
    answer(page, "2.", "More than half the days")
    for number in range(3, 10):
        answer(page, f"{number}.", "Several days")
    page.get_by_role("button", name="Complete and see the result").click()

    expect(heading(page)).to_contain_text("PHQ-9 result")
    main = page.locator("main")
    expect(page.locator(".nhsuk-card--warning")).to_contain_text(ITEM_9_FLAG)
    expect(main).to_contain_text(re.compile(r"Score\s+11 out of 27"))
    expect(main).to_contain_text("Moderate")
    expect(main).to_contain_text("Positive screen")
    expect(main).to_contain_text("not a prediction of suicide or self-harm risk")
    check(page, "s04-phq9-result")
    page.get_by_role("button", name="Record this need").click()
    expect(main).to_contain_text("Mental health recorded as a need")
    expect(main).to_contain_text("Mental health is already recorded on this episode")
    check(page, "s05-phq9-need-recorded")

    page.get_by_role("link", name="Override the calculated result").click()
    expect(heading(page)).to_contain_text("Override the calculated result")
    page.get_by_role("button", name="Save the override").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Select the band you judge right")
    check(page, "s06-override-errors")
    page.get_by_label("Moderately severe").check()
    page.get_by_label("Why are you overriding the calculated result?").fill(
        "Not eating or sleeping for a week; more unwell than the score says"
    )
    page.get_by_role("button", name="Save the override").click()
    expect(main).to_contain_text("Clinician's result")
    expect(main).to_contain_text("Not eating or sleeping for a week")
    expect(page.locator(".nhsuk-card--warning")).to_contain_text(ITEM_9_FLAG)
    check(page, "s07-phq9-overridden")

    page.get_by_role("link", name="Go back to the episode").click()
    expect(heading(page)).to_contain_text("Awaiting assessment")
    expect(page.get_by_text("Screening: Patient Health Questionnaire (PHQ-9)")).to_be_visible()
    expect(page.get_by_text("Flag: " + ITEM_9_FLAG)).to_be_visible()
    check(page, "s08-episode-screened")
    page.get_by_text("Record something else").click()
    page.get_by_role("link", name="Screen with a questionnaire").click()
    page.get_by_role("button", name="Start the AUDIT", exact=True).click()

    expect(heading(page)).to_contain_text("Alcohol Use Disorders Identification Test (AUDIT)")
    expect(main).to_contain_text(AUDIT_Q2)
    check(page, "s09-audit-questions")
    never = page.locator("#id_q1")
    never.focus()
    page.keyboard.press("Space")
    expect(never).to_be_checked()
    page.get_by_role("button", name="Save and check").focus()
    page.keyboard.press("Enter")

    expect(main).to_contain_text("Answers saved")
    expect(main).to_contain_text("Questions 2 to 8 are not asked because of the answers given")
    expect(main).not_to_contain_text(AUDIT_Q2)
    expect(page.locator("#id_q1")).to_be_checked()
    check(page, "s10-audit-after-skip")
    page.get_by_role("button", name="Complete and see the result").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text(
        "Select an answer for question 9: Have you or somebody else been injured"
    )
    check(page, "s11-audit-errors")
    summary.get_by_role("link").first.click()
    expect(page.locator("#id_q9")).to_be_focused()
    answer(page, "9.", "No")
    answer(page, "10.", "Yes, during the last year")
    page.get_by_role("button", name="Complete and see the result").click()

    expect(heading(page)).to_contain_text("AUDIT result")
    expect(main).to_contain_text(re.compile(r"Score\s+4 out of 40"))
    expect(main).to_contain_text("Lower risk")
    expect(main).to_contain_text("Negative screen")
    expect(main).to_contain_text("Not asked (skipped because of an earlier answer)")
    expect(page.locator(".nhsuk-card--warning")).to_contain_text("item 9 or 10 scored 4")
    check(page, "s12-audit-result")
    bands = dict(
        Administration.objects.filter(episode=episode).values_list(
            "instrument_version__slug", "band"
        )
    )
    assert bands == {"phq-9": "moderate", "audit": "lower_risk"}
