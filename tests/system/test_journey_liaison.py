"""Journey: the liaison half of the pathway end to end, as issue #6 names it. A practitioner
refers an adult to a drug and alcohol service and drafts a court report; a team leader approves
and shares it; the court partner downloads and acknowledges it; later the practitioner records
that the person attended the first appointment. axe runs on every page reached.

The two halves are also tested on their own, in more detail, by test_journey_onward_referral.py
and test_journey_court_report.py.
"""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from divert.audit.models import AuditEvent
from divert.cases import actions
from divert.cases.tests import factories
from divert.directory.tests import factories as directory_factories
from divert.referrals.models import OnwardReferral, ReferralStatus
from divert.sharing import actions as sharing_actions
from divert.sharing.models import Disclosure
from tests.system.journey import as_user, check, heading, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RISK = "CANARY-RISK-TO-OTHERS-5e0d"
RECOMMENDATION = "A community order with an alcohol treatment requirement"


def drinking_adult(service, practitioner):
    """Sean, 41, seen in the north court cells: assessed, drinking daily, and consenting to the
    court seeing his needs and recommendations for sentencing (not the risk note)."""
    subject = factories.person(
        practitioner, given_name="Sean", family_name="Okafor", date_of_birth=dt.date(1985, 2, 11)
    )
    episode = factories.episode(
        practitioner,
        subject=subject,
        site=service["sites"]["north-court"],
        team=service["teams"]["north"],
    )
    actions.record_offer(episode=episode, by=practitioner, outcome="accepted")
    actions.record_assessment(
        episode=episode,
        by=practitioner,
        started_at=episode.referral_received_at,
        completed_at=episode.referral_received_at + dt.timedelta(minutes=40),
        presenting_needs="Drinking two litres of cider a day; wants help to stop",
        recommendations=RECOMMENDATION,
        risk_to_others=RISK,
    )
    sharing_actions.record_consent(
        episode=episode,
        by=practitioner,
        recipient_class="court",
        purpose="sentencing_or_psr",
        decision="given",
        scope=["needs", "recommendations"],
    )
    return episode


def test_refer_to_drug_and_alcohol_service_and_share_court_report(
    live_server, browser, page, service, users
):
    """
    Given an assessed adult in the north court cells who consents to the court seeing his needs
      and recommendations, and a directory with a north adult drug and alcohol service
    When the practitioner records his alcohol need, refers him to that service and marks the
      referral sent, accepted and booked; drafts a court report and submits it; the team leader
      approves and shares it with the court; the court partner downloads and acknowledges it;
      and the practitioner later records that he attended the first appointment
    Then the court's PDF holds the needs and recommendation but not the risk note, the
      disclosure is acknowledged and every partner view is audited, the referral ends
      "attended" with its history, and no page has axe violations
    """
    practitioner, leader, court = users["practitioner"], users["team_leader"], users["court"]
    built = directory_factories.directory(users["admin"], service)
    service_name = built["adult_drugs"].name
    episode = drinking_adult(service, practitioner)
    appointment = timezone.localdate() + dt.timedelta(days=3)
    main = page.locator("main")

    # The practitioner records the need and refers him on.
    sign_in(page, live_server, practitioner)
    page.goto(f"{live_server.url}/episodes/{episode.pk}/")
    check(page, "l01-episode")
    page.get_by_text("Record something else").click()
    page.get_by_role("link", name="Record vulnerabilities and needs").click()
    page.get_by_role("checkbox", name="Substance misuse - alcohol", exact=True).check()
    page.get_by_label("L&D practitioner").check()
    page.get_by_role("button", name="Save needs").click()
    expect(page.get_by_text("1 need recorded")).to_be_visible()

    page.get_by_role("link", name="Refer on to a service").first.click()
    page.get_by_role("radio", name="Substance misuse - alcohol", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    expect(heading(page)).to_contain_text("Choose a service")
    expect(main).to_contain_text(service_name)
    expect(main).not_to_contain_text(built["youth_drugs"].name)
    check(page, "l02-choose-service")
    page.locator("li", has_text=service_name).get_by_role(
        "button", name="Refer to this service"
    ).click()
    expect(heading(page)).to_contain_text(f"Referral to {service_name}")
    page.get_by_role("button", name="Mark as sent").click()
    expect(main).to_contain_text("Referral marked sent")
    page.get_by_role("button", name="Mark as accepted").click()
    expect(main).to_contain_text("Referral marked accepted")
    page.get_by_role("link", name="Record the first appointment").click()
    page.get_by_label("Day").fill(str(appointment.day))
    page.get_by_label("Month").fill(str(appointment.month))
    page.get_by_label("Year").fill(str(appointment.year))
    page.get_by_label("Time").fill("14:00")
    page.get_by_role("button", name="Save").click()
    expect(main).to_contain_text("Referral marked first appointment booked")
    check(page, "l03-referral-booked")
    referral_url = page.url

    # The practitioner drafts the court report and submits it.
    page.get_by_role("link", name="Back to the episode").click()
    page.get_by_role("link", name="Consent, court reports and what has been shared").click()
    expect(main).to_contain_text("Needs and vulnerabilities, Recommendations")
    page.get_by_role("link", name="Draft a court report or custody advice note").click()
    page.get_by_label("Court report", exact=True).check()
    page.get_by_label("Who would the information be shared with?").select_option("court")
    page.get_by_label("What for?").select_option("sentencing_or_psr")
    page.get_by_label("Summary for the recipient").fill(
        "Seen in the court cells before his sentencing hearing."
    )
    page.get_by_role("button", name="Draft the document").click()
    expect(heading(page)).to_contain_text("Court report")
    expect(main).to_contain_text(RECOMMENDATION)
    expect(main).not_to_contain_text(RISK)
    check(page, "l04-court-report-draft")
    page.get_by_role("button", name="Submit for approval").click()
    expect(main).to_contain_text("Sent to a team leader for approval")

    # The team leader approves and shares it.
    leader_context, leader_page = as_user(browser, live_server, leader)
    leader_main = leader_page.locator("main")
    leader_page.get_by_role("link", name="Approvals").click()
    leader_page.get_by_role("link", name="Court report for Sean Okafor").click()
    check(leader_page, "l05-review")
    leader_page.get_by_role("button", name="Approve the document").click()
    expect(leader_main).to_contain_text("Court report approved")
    leader_page.get_by_role("link", name="Share the document").click()
    leader_page.get_by_label("Share with").select_option(
        label=f"{court.agency.name} (Court or judiciary)"
    )
    leader_page.get_by_role("button", name="Share the document").click()
    expect(leader_main).to_contain_text(f"Shared with {court.agency.name}")
    check(leader_page, "l06-shared")
    leader_context.close()

    # The court partner downloads it and acknowledges receipt.
    court_context, court_page = as_user(browser, live_server, court)
    court_main = court_page.locator("main")
    court_page.get_by_role("link", name="Shared with you").click()
    check(court_page, "l07-court-inbox")
    court_page.get_by_role("link", name="Sean Okafor").click()
    expect(court_main).to_contain_text(RECOMMENDATION)
    expect(court_main).not_to_contain_text(RISK)
    expect(court_main).not_to_contain_text(service_name)
    check(court_page, "l08-court-disclosure")
    with court_page.expect_download() as download_info:
        court_page.get_by_role("link", name="Download the document (PDF)").click()
    data = Path(download_info.value.path()).read_bytes()
    text = " ".join(
        " ".join(sheet.extract_text().split()) for sheet in PdfReader(io.BytesIO(data)).pages
    )
    assert "Court report" in text
    assert "Sean Okafor" in text
    assert "alcohol treatment requirement" in text
    assert RISK not in text
    court_page.get_by_role("button", name="Acknowledge receipt").click()
    expect(court_main).to_contain_text("Receipt acknowledged")
    check(court_page, "l09-court-acknowledged")
    court_context.close()

    # Later, the practitioner records that he attended the first appointment.
    page.goto(referral_url)
    page.get_by_role("link", name="Record that they attended").click()
    page.get_by_label("Yes").check()
    page.get_by_role("button", name="Save").click()
    expect(main).to_contain_text("Referral marked attended first appointment")
    for status in ["Draft", "Sent", "Accepted", "First appointment booked"]:
        expect(page.locator(".divert-timeline")).to_contain_text(status)
    check(page, "l10-referral-attended")
    page.get_by_role("link", name="Back to the episode").click()
    expect(main).to_contain_text(f"Onward referral: {service_name}")
    expect(main).to_contain_text("Status: Attended first appointment")
    check(page, "l11-episode")

    referral = OnwardReferral.objects.get()
    assert referral.status == ReferralStatus.ATTENDED
    assert referral.need.category == "substance_misuse_alcohol"
    disclosure = Disclosure.objects.get()
    assert disclosure.lawful_basis == "consent"
    assert disclosure.document.approved_by == leader
    assert disclosure.acknowledged_by == court
    court_events = AuditEvent.objects.filter(actor_id=court.pk)
    assert {"disclosure.inbox_listed", "disclosure.viewed", "disclosure.downloaded"} <= set(
        court_events.values_list("event", flat=True)
    )
    assert set(court_events.exclude(person_id=None).values_list("person_id", flat=True)) == {
        episode.person_id
    }
