"""Journey by keyboard alone (issue #5): the practitioner's forms can be reached with Tab,
filled by typing, answered with Space and the arrow keys, and sent with Enter; an error moves
focus to the NHS.UK error summary, whose links take focus to the field. No mouse clicks, no
``fill`` or ``check`` calls after the first page load.
"""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from divert.cases.models import Episode
from tests.system.journey import check, heading, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUSED_NAME = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return "";
  const label = el.labels && el.labels.length ? el.labels[0].innerText : "";
  return (label || el.getAttribute("aria-label") || el.innerText || el.value || "").trim();
}"""


def tab_to(page, name, *, limit=120):
    """Press Tab until the focused control's label or text starts with ``name``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED_NAME).startswith(name):
            return
    raise AssertionError(f"{name!r} cannot be reached with the Tab key")


def choose(page, first, answer, *, limit=30):
    """Radios: Tab reaches the group (at its first option); the arrow keys move the choice."""
    tab_to(page, first)
    if first == answer:
        page.keyboard.press("Space")
        return
    for _ in range(limit):
        page.keyboard.press("ArrowDown")
        if page.evaluate(FOCUSED_NAME).startswith(answer):
            return
    raise AssertionError(f"{answer!r} cannot be chosen with the arrow keys")


def type_into(page, name, text):
    tab_to(page, name)
    page.keyboard.type(text)


def press_on(page, name, key="Enter"):
    """Tab to a control and press a key; Enter on a link or button loads the next page."""
    tab_to(page, name)
    if key == "Enter":
        with page.expect_navigation():
            page.keyboard.press(key)
    else:
        page.keyboard.press(key)


def test_practitioner_records_an_episode_by_keyboard_alone(live_server, page, service, users):
    """
    Given a practitioner signed in, on the worklist
    When, using only the keyboard, they search for a new person, add him, open the referral,
      record the offer, record a need, try to save the assessment empty, follow the error
      summary, complete the assessment and close the episode
    Then each form is reached, answered and sent by keyboard, the error summary takes focus and
      its link moves focus to the field, and the record holds every answer
    """
    sign_in(page, live_server, users["practitioner"])
    page.goto(f"{live_server.url}/episodes/new/")
    check(page, "k01-intake")

    type_into(page, "Given name", "Kieran")
    type_into(page, "Family name", "Ashworth")
    type_into(page, "Day", "4")
    type_into(page, "Month", "9")
    type_into(page, "Year", "1988")
    press_on(page, "Search")
    expect(page.get_by_role("heading", name="Nobody found")).to_be_visible()
    press_on(page, "Add a new person")
    expect(heading(page)).to_contain_text("Add")
    press_on(page, "Add the person and continue")

    expect(heading(page)).to_contain_text("Referral details")
    tab_to(page, "Where was the person referred?")
    page.keyboard.press("ArrowDown")
    tab_to(page, "Point in the criminal justice pathway")
    page.keyboard.press("ArrowDown")
    tab_to(page, "Who referred the person?")
    page.keyboard.press("ArrowDown")
    press_on(page, "Open the episode")
    expect(page).to_have_url(re.compile(r"/episodes/\d+/$"))
    check(page, "k02-episode")
    episode_url = page.url

    press_on(page, "Record the offer of support")
    expect(heading(page)).to_contain_text("offer")
    choose(page, "Accepted", "Accepted")
    press_on(page, "Save the offer")
    expect(heading(page)).to_contain_text("Awaiting screening")

    press_on(page, "Record vulnerabilities and needs")
    press_on(page, "Mental health", "Space")
    press_on(page, "L&D practitioner", "Space")
    press_on(page, "Save needs")
    expect(page.get_by_text("1 need recorded")).to_be_visible()

    press_on(page, "Record the assessment")
    expect(heading(page)).to_contain_text("assessment")
    press_on(page, "Save the assessment")
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    check(page, "k03-assessment-errors")
    first_link = summary.locator("a").first
    target = first_link.get_attribute("href")
    page.keyboard.press("Tab")
    expect(first_link).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(target)).to_be_focused()

    page.goto(page.url)  # start the form again from the top, still by keyboard
    type_into(page, "Presenting needs", "Low mood since losing his job; drinking more")
    choose(page, "Yes", "No")  # Is there a safeguarding concern?
    type_into(page, "Recommendations", "GP review and talking therapies")
    choose(page, "No, it is in progress", "Yes, it is complete")
    press_on(page, "Save the assessment")
    expect(heading(page)).to_contain_text("Assessed")

    page.goto(episode_url)
    press_on(page, "Close the episode")
    expect(heading(page)).to_contain_text("Close")
    choose(page, "Completed - referred on", "Admitted to inpatient care")
    press_on(page, "Close the episode")
    expect(heading(page)).to_contain_text("Closed")
    check(page, "k04-closed")

    episode = Episode.objects.get(person__family_name="Ashworth")
    assert episode.person.date_of_birth == dt.date(1988, 9, 4)
    assert episode.offers.get().outcome == "accepted"
    assert episode.needs.get().category == "mental_health"
    assert episode.assessments.get().completed_at is not None
    assert episode.closure_reason == "transferred_inpatient"
