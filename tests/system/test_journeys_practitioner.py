"""Journeys: the practitioner's day (issue #5), from intake to closure, with axe on every page.

Set DIVERT_JOURNEY_SCREENSHOTS to a folder to keep a full-page screenshot of each page checked.
"""

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from conftest import PASSWORD, totp_code, totp_device
from divert.cases import actions
from divert.cases.models import Episode
from divert.cases.tests import factories
from divert.people import actions as people_actions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Axe()


def check(page, name):
    """No axe violations on this page (and a screenshot when asked for)."""
    page.wait_for_load_state()
    page.locator("main h1").first.wait_for()
    results = AXE.run(page)
    assert results.violations_count == 0, f"{name}: {results.generate_report()}"
    folder = os.environ.get("DIVERT_JOURNEY_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def sign_in(page, live_server, user):
    device = totp_device(user)
    page.goto(f"{live_server.url}/accounts/sign-in/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Security code").fill(totp_code(device))
    page.get_by_role("button", name="Continue").click()


def fill_date(page, name, day):
    page.locator(f"#id_{name}").fill(str(day.day))
    page.locator(f"#id_{name}_month").fill(str(day.month))
    page.locator(f"#id_{name}_year").fill(str(day.year))


def heading(page):
    return page.get_by_role("heading", level=1)


def test_adult_custody_referral_from_intake_to_closure(live_server, page, service, users):
    """
    Given a practitioner in the north team, and a man not yet known to the service
    When they search for him, add him, take the custody referral, raise a communication alert,
      record his acceptance, his needs, a completed assessment with an urgent Mental Health Act
      request, the police decision, and close the episode
    Then each step shows on the episode page, the stage follows, and no page has axe violations
    """
    sign_in(page, live_server, users["practitioner"])
    check(page, "a01-home")

    page.get_by_role("link", name="Worklist").first.click()
    check(page, "a02-worklist")
    page.get_by_role("button", name="New referral").click()
    check(page, "a03-intake-search")
    page.get_by_label("Given name").fill("Daniel")
    page.get_by_label("Family name").fill("Okonkwo")
    fill_date(page, "date_of_birth", dt.date(1991, 11, 23))
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="Nobody found")).to_be_visible()
    assert "Okonkwo" not in page.url
    assert "1991" not in page.url
    check(page, "a04-intake-no-results")

    page.get_by_role("button", name="Add a new person").click()
    expect(page.get_by_label("Family name")).to_have_value("Okonkwo")
    page.get_by_label("NHS number (optional)").fill("401 023 2138")
    page.get_by_role("button", name="Add the person and continue").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("This NHS number is not valid")
    check(page, "a05-add-person-error")
    page.get_by_label("NHS number (optional)").fill("401 023 2137")
    page.get_by_label("Communication needs (optional)").fill("Prefers short questions")
    page.get_by_role("button", name="Add the person and continue").click()

    expect(heading(page)).to_contain_text("Referral details")
    check(page, "a06-referral-details")
    page.get_by_label("Where was the person referred?").select_option(label="North custody suite")
    page.get_by_label("Point in the criminal justice pathway").select_option(label="Police custody")
    page.get_by_label("Who referred the person?").select_option(label="Justice system - police")
    page.get_by_label("Referrer's role (optional)").fill("Custody sergeant")
    page.get_by_label("Reason for referral (optional)").fill("Responding to unseen voices")
    page.get_by_label("Custody record number (optional)").fill("CR/0240/25")
    page.get_by_label("Alleged offence category (optional)").select_option(
        label="Criminal damage and arson"
    )
    page.get_by_role("button", name="Open the episode").click()

    expect(page).to_have_url(re.compile(r"/episodes/\d+/$"))
    expect(heading(page)).to_contain_text("New referral")
    expect(page.get_by_text("opened").first).to_be_visible()
    check(page, "a07-episode-new")
    episode_url = page.url

    page.get_by_role("link", name="Daniel Okonkwo").click()
    check(page, "a07b-person")
    page.get_by_role("link", name="Raise an alert").click()
    check(page, "a07c-raise-alert")
    page.get_by_label("Communication needs").check()
    page.get_by_label("What should everyone who sees this person know?").fill(
        "Use short, simple questions and check understanding"
    )
    page.get_by_role("button", name="Raise alert").click()
    expect(page.get_by_text("Alert raised")).to_be_visible()
    page.goto(episode_url)
    expect(page.locator(".nhsuk-warning-callout")).to_contain_text("Use short, simple questions")

    page.get_by_role("link", name="Record the offer of support").click()
    check(page, "a08-offer")
    page.get_by_label("Accepted").check()
    page.get_by_role("button", name="Save the offer").click()
    expect(heading(page)).to_contain_text("Awaiting screening")

    page.get_by_role("link", name="Record vulnerabilities and needs").click()
    check(page, "a09-needs")
    page.get_by_label("Mental health", exact=True).check()
    page.get_by_label("Substance misuse - alcohol").check()
    page.get_by_label("Police or custody staff").check()
    page.get_by_role("button", name="Save needs").click()
    expect(page.get_by_text("2 needs recorded")).to_be_visible()

    page.get_by_role("link", name="Record the assessment").click()
    check(page, "a10-assessment")
    page.get_by_label("Presenting needs").fill("Hearing voices for three days; not sleeping")
    page.get_by_label("Risk to self").fill("Distressed; no plans to harm himself when asked")
    page.get_by_label("Risk to others").fill("None identified")
    page.locator("#id_safeguarding_concern-2").check()  # No
    page.get_by_label("Recommendations").fill("Mental Health Act assessment")
    page.get_by_label("Mental Health Act assessment requested").check()
    page.get_by_label("Yes, it is complete").check()
    page.get_by_role("button", name="Save the assessment").click()
    expect(heading(page)).to_contain_text("Assessed")
    expect(page.get_by_text("Mental Health Act assessment requested").first).to_be_visible()
    check(page, "a11-episode-assessed")

    page.get_by_role("link", name="Record the police outcome").click()
    check(page, "a12-police-outcome")
    page.get_by_label("No further action").check()
    page.get_by_role("button", name="Save the outcome").click()
    expect(page.get_by_text("Police decision: No further action")).to_be_visible()

    page.get_by_role("link", name="Close the episode").click()
    check(page, "a13-close")
    page.get_by_label("Admitted to inpatient care").check()
    page.get_by_role("button", name="Close the episode").click()

    expect(heading(page)).to_contain_text("Closed")
    expect(page.get_by_role("link", name="Reopen the episode")).to_be_visible()
    check(page, "a14-episode-closed")
    episode = Episode.objects.get(person__family_name="Okonkwo")
    assert (episode.pathway, episode.closure_reason) == ("adult", "transferred_inpatient")


def test_fifteen_year_old_declines_then_accepts_with_gillick(live_server, page, service, users):
    """
    Given a 15-year-old referred from the custody suite, with an appropriate adult present
    When the practitioner records that she declined, then that she accepted once her mother
      arrived, first forgetting and then recording Gillick competence
    Then both offers are on the timeline, the stage moves on, and no page has axe violations
    """
    episode = factories.youth_episode(
        users["practitioner"],
        site=service["sites"]["north-custody"],
        team=service["teams"]["north"],
        age=15,
    )
    sign_in(page, live_server, users["practitioner"])
    page.goto(f"{live_server.url}/episodes/{episode.pk}/")
    check(page, "b01-youth-episode")

    page.get_by_role("link", name="Record the offer of support").click()
    page.get_by_label("Declined").check()
    page.locator("#id_appropriate_adult_present").check()  # Yes
    page.get_by_label("If yes, the appropriate adult's name").fill("Jo Appleby")
    page.get_by_label("The appropriate adult's organisation (optional)").fill(
        "Council appropriate adult service"
    )
    check(page, "b02-youth-offer-declined")
    page.get_by_role("button", name="Save the offer").click()
    expect(page.get_by_text("Offer: Declined")).to_be_visible()
    expect(heading(page)).to_contain_text("Offer declined or not possible")

    page.get_by_role("link", name="Record a new offer of support").click()
    page.get_by_label("Accepted").check()
    page.locator("#id_parent_carer_present").check()  # Yes
    page.get_by_label("If yes, the parent or carer's name").fill("Mum (Lisa)")
    page.locator("#id_appropriate_adult_present").check()
    page.get_by_label("If yes, the appropriate adult's name").fill("Jo Appleby")
    page.get_by_role("button", name="Save the offer").click()

    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("competent to consent (Gillick)")
    check(page, "b03-youth-offer-gillick-error")
    summary.get_by_role("link").first.click()
    page.get_by_label("Gillick competent", exact=True).check()
    page.get_by_role("button", name="Save the offer").click()

    expect(heading(page)).to_contain_text("Awaiting screening")
    expect(page.get_by_text("Offer: Accepted")).to_be_visible()
    expect(page.get_by_text("Competence to consent: Gillick competent")).to_be_visible()
    check(page, "b04-youth-accepted")
    outcomes = list(episode.offers.order_by("pk").values_list("outcome", flat=True))
    assert outcomes == ["declined", "accepted"]


def test_returning_person_found_despite_misspelling_and_swapped_date(
    live_server, page, service, users
):
    """
    Given Daniel Hargreaves, born 7 March 1990, seen two years ago by the south team as "Danny"
    When a north practitioner searches for "Danny Hargraves" born 3 July 1990
    Then he is found with the reasons, shown with minimal identity, and the referral opens a new
      episode for the same person, with no axe violations
    """
    south = users["other_practitioner"]
    daniel = factories.person(
        south, given_name="Daniel", family_name="Hargreaves", date_of_birth=dt.date(1990, 3, 7)
    )
    people_actions.add_alias(
        person=daniel, by=south, given_name="Danny", family_name="Hargreaves", kind="nickname"
    )
    factories.episode(
        south,
        subject=daniel,
        site=service["sites"]["south-custody"],
        team=service["teams"]["south"],
        received_at=timezone.now() - dt.timedelta(days=730),
    )
    sign_in(page, live_server, users["practitioner"])

    page.goto(f"{live_server.url}/episodes/new/")
    page.get_by_label("Given name").fill("Danny")
    page.get_by_label("Family name").fill("Hargraves")
    fill_date(page, "date_of_birth", dt.date(1990, 7, 3))
    page.get_by_role("button", name="Search").click()

    result = page.locator(".divert-results li.nhsuk-card").first
    expect(result).to_contain_text("Daniel Hargreaves")
    expect(result).to_contain_text("Born 7 March 1990")
    expect(result).to_contain_text("Date of birth matches with day and month swapped")
    expect(result).to_contain_text(
        "Family names 'Hargraves' and 'Hargreaves' are spelt almost the same"
    )
    expect(result).to_contain_text("Likely the same person")
    expect(result).to_contain_text("Also known as Danny Hargreaves")
    expect(result).to_contain_text("Not on your caseload")
    check(page, "c01-search-returning-person")

    result.get_by_role("button", name="Use this person").click()
    check(page, "c02-referral-for-returning-person")
    page.get_by_label("Where was the person referred?").select_option(label="North custody suite")
    page.get_by_label("Point in the criminal justice pathway").select_option(label="Police custody")
    page.get_by_label("Who referred the person?").select_option(label="Justice system - police")
    page.get_by_role("button", name="Open the episode").click()

    expect(page).to_have_url(re.compile(r"/episodes/\d+/$"))
    expect(heading(page)).to_contain_text("New referral")
    check(page, "c03-returning-person-episode")
    assert daniel.episodes.count() == 2


def test_two_practitioners_edit_the_same_assessment(live_server, browser, page, service, users):
    """
    Given an assessment in progress, open for editing by two practitioners at once
    When the first saves a change to the risk to self, then the second saves a change to the
      recommendations
    Then the second sees the first's change and keeps their own on top of it, saves again, and
      the episode shows both changes, with no axe violations
    """
    author = users["practitioner"]
    episode = factories.episode(
        author, site=service["sites"]["north-custody"], team=service["teams"]["north"]
    )
    actions.record_offer(episode=episode, by=author, outcome="accepted")
    assessment = actions.record_assessment(
        episode=episode,
        by=author,
        started_at=timezone.now() - dt.timedelta(minutes=30),
        presenting_needs="Low mood",
        risk_to_self="Thoughts of self-harm last week",
        recommendations="GP follow-up",
    )
    edit = f"{live_server.url}/episodes/{episode.pk}/assessments/{assessment.pk}/edit/"
    second_context = browser.new_context(viewport={"width": 1280, "height": 900})
    second = second_context.new_page()
    try:
        sign_in(page, live_server, author)
        sign_in(second, live_server, users["team_leader"])
        page.goto(edit)
        second.goto(edit)
        check(page, "d01-edit-assessment")

        page.get_by_label("Risk to self").fill("No current thoughts of self-harm")
        page.get_by_label("Why are you changing the assessment?").fill("Reviewed with him")
        page.get_by_role("button", name="Save the changes").click()
        expect(page.get_by_text("Assessment updated")).to_be_visible()

        second.get_by_label("Recommendations").fill("Refer to the community mental health team")
        second.get_by_label("Why are you changing the assessment?").fill("Added the referral")
        second.get_by_role("button", name="Save the changes").click()

        summary = second.locator(".nhsuk-error-summary")
        expect(summary).to_contain_text("Someone else changed this assessment")
        expect(summary).to_contain_text("Risk to self changed from")
        expect(second.get_by_label("Risk to self")).to_have_value(
            "No current thoughts of self-harm"
        )
        expect(second.get_by_label("Recommendations")).to_have_value(
            "Refer to the community mental health team"
        )
        check(second, "d02-edit-assessment-conflict")
        second.get_by_role("button", name="Save the changes").click()

        expect(second.get_by_text("Assessment updated")).to_be_visible()
        expect(
            second.get_by_text("Refer to the community mental health team").first
        ).to_be_visible()
        expect(second.get_by_text("No current thoughts of self-harm").first).to_be_visible()
        check(second, "d03-episode-after-both-edits")
    finally:
        second_context.close()
    assessment.refresh_from_db()
    assert assessment.version == 3
