"""Journey: an onward referral to a drug and alcohol service (issue #6), with axe on every
page reached.

Set DIVERT_JOURNEY_SCREENSHOTS to a folder to keep a full-page screenshot of each page checked.
"""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from divert.cases import actions
from divert.cases.tests import factories
from divert.directory.tests import factories as directory_factories
from divert.referrals.models import OnwardReferral
from tests.system.journey import check, heading, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_practitioner_refers_an_adult_to_a_drug_and_alcohol_service(
    live_server, page, service, users
):
    """
    Given a practitioner in the north team, an assessed adult episode at a north custody suite,
      and a directory with a north adult drug and alcohol service, a national one and a youth one
    When they record a drug misuse need, refer on from the episode, pick the north service from
      the search, and mark the referral sent, accepted, first appointment booked and attended
      with "supported to first appointment"
    Then the search offers the north and national services (not the youth one), the referral
      page shows each status in its history, chase and attendance tasks are added, the episode
      timeline shows the referral as attended, and no page has axe violations
    """
    practitioner = users["practitioner"]
    built = directory_factories.directory(users["admin"], service)
    episode = factories.episode(
        practitioner, site=service["sites"]["north-custody"], team=service["teams"]["north"]
    )
    actions.record_offer(episode=episode, by=practitioner, outcome="accepted")
    actions.record_assessment(
        episode=episode,
        by=practitioner,
        started_at=episode.referral_received_at,
        completed_at=episode.referral_received_at + dt.timedelta(minutes=30),
        presenting_needs="Daily heroin use; wants treatment",
    )
    appointment = timezone.localdate() + dt.timedelta(days=7)
    sign_in(page, live_server, practitioner)
    main = page.locator("main")

    page.goto(f"{live_server.url}/episodes/{episode.pk}/")
    check(page, "r01-episode-assessed")
    page.get_by_text("Record something else").click()
    page.get_by_role("link", name="Record vulnerabilities and needs").click()
    check(page, "r02-needs")
    page.get_by_role("checkbox", name="Substance misuse - drugs", exact=True).check()
    page.get_by_label("L&D practitioner").check()
    page.get_by_role("button", name="Save needs").click()
    expect(page.get_by_text("1 need recorded")).to_be_visible()

    page.get_by_role("link", name="Refer on to a service").first.click()
    expect(heading(page)).to_contain_text("Which need is the referral for?")
    check(page, "r03-choose-need")
    page.get_by_role("radio", name="Substance misuse - drugs", exact=True).check()
    page.get_by_role("button", name="Continue").click()

    expect(heading(page)).to_contain_text("Choose a service")
    expect(main).to_contain_text("Showing services that take people aged")
    expect(main).to_contain_text(built["adult_drugs"].name)
    expect(main).to_contain_text(built["national_drugs"].name)
    expect(main).not_to_contain_text(built["youth_drugs"].name)
    check(page, "r04-choose-service")
    page.locator("li", has_text=built["adult_drugs"].name).get_by_role(
        "button", name="Refer to this service"
    ).click()

    expect(heading(page)).to_contain_text(f"Referral to {built['adult_drugs'].name}")
    expect(main).to_contain_text("Draft referral to")
    check(page, "r05-referral-draft")
    page.get_by_role("button", name="Mark as sent").click()
    expect(main).to_contain_text("Referral marked sent")
    check(page, "r06-referral-sent")
    page.get_by_role("button", name="Mark as accepted").click()
    expect(main).to_contain_text("Referral marked accepted")

    page.get_by_role("link", name="Record the first appointment").click()
    expect(heading(page)).to_contain_text("Record the first appointment")
    check(page, "r07-book-appointment")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter the first appointment")
    check(page, "r08-book-appointment-error")
    page.get_by_label("Day").fill(str(appointment.day))
    page.get_by_label("Month").fill(str(appointment.month))
    page.get_by_label("Year").fill(str(appointment.year))
    page.get_by_label("Time").fill("10:30")
    page.get_by_role("button", name="Save").click()
    expect(main).to_contain_text("Referral marked first appointment booked")

    page.get_by_role("link", name="Record that they attended").click()
    check(page, "r09-attended")
    page.get_by_label("Yes").check()
    page.get_by_role("button", name="Save").click()
    expect(main).to_contain_text("Referral marked attended first appointment")
    expect(main).to_contain_text("Supported to the first appointment")
    for status in ["Draft", "Sent", "Accepted", "First appointment booked"]:
        expect(page.locator(".divert-timeline")).to_contain_text(status)
    check(page, "r10-referral-attended")

    page.get_by_role("link", name="Back to the episode").click()
    expect(main).to_contain_text(f"Onward referral: {built['adult_drugs'].name}")
    expect(main).to_contain_text("Status: Attended first appointment")
    expect(main).to_contain_text("Chase a response to the referral")
    expect(main).to_contain_text("Check attendance at the first appointment")
    check(page, "r11-episode-with-referral")
    referral = OnwardReferral.objects.get()
    assert referral.was_supported_to_first_appointment is True
    assert timezone.localtime(referral.first_appointment_at).date() == appointment
