"""Journey: a court report with consent, approval, sharing and the court's receipt (issue #6),
with axe on every page reached. The onward-referral part of the issue's journey is tested with
the referrals work.

Set DIVERT_JOURNEY_SCREENSHOTS to a folder to keep a full-page screenshot of each page checked.
"""

import io
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from divert.cases import actions
from divert.cases.tests import factories
from divert.sharing.models import Disclosure, DocumentStatus
from tests.system.journey import as_user, check, heading, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RISK = "CANARY-RISK-TO-OTHERS-71c2"
ADJUSTMENT = "Explain each step in plain words; allow a break every 30 minutes"
RECOMMENDATION = "A community order with mental health and alcohol treatment requirements"


def assessed_episode(service, practitioner):
    """Mark, seen in the north court cells: a need and an assessment with a risk note that the
    consent will not cover."""
    subject = factories.person(practitioner, given_name="Mark", family_name="Veteranson")
    episode = factories.episode(
        practitioner,
        subject=subject,
        site=service["sites"]["north-court"],
        team=service["teams"]["north"],
    )
    actions.record_offer(episode=episode, by=practitioner, outcome="accepted")
    actions.record_need(
        episode=episode, by=practitioner, category="mental_health", identified_by="ld_practitioner"
    )
    actions.record_assessment(
        episode=episode,
        by=practitioner,
        started_at=episode.referral_received_at,
        presenting_needs="Flashbacks and drinking daily since leaving the army",
        recommendations=RECOMMENDATION,
        reasonable_adjustments=ADJUSTMENT,
        risk_to_others=RISK,
    )
    return episode


def test_court_report_consented_approved_shared_and_acknowledged(
    live_server, browser, page, service, users
):
    """
    Given a practitioner with an assessed episode in the north court cells
    When they record Mark's consent to share needs, recommendations and adjustments with the
      court for sentencing, draft a court report from the record and submit it; a team leader
      approves it from the approval queue and shares it with the court; and a court partner
      signs in, opens it from the inbox, downloads the PDF and acknowledges receipt
    Then the report holds the consented sections and not the risk note, the disclosure names
      the consent and is acknowledged, and no page has axe violations
    """
    practitioner, leader, court = users["practitioner"], users["team_leader"], users["court"]
    episode = assessed_episode(service, practitioner)
    main = page.locator("main")

    # The practitioner records consent.
    sign_in(page, live_server, practitioner)
    page.goto(f"{live_server.url}/episodes/{episode.pk}/")
    check(page, "c01-episode")
    page.get_by_role("link", name="Consent, court reports and what has been shared").click()
    expect(heading(page)).to_contain_text("Consent and sharing")
    expect(main).to_contain_text("No consent decision is recorded")
    check(page, "c02-sharing-empty")
    page.get_by_role("link", name="Record a consent decision").click()
    expect(heading(page)).to_contain_text("Record a consent decision")
    check(page, "c03-consent-form")
    page.get_by_label("Who would the information be shared with?").select_option("court")
    page.get_by_label("What for?").select_option("sentencing_or_psr")
    page.get_by_label("Given", exact=True).check()
    page.get_by_role("button", name="Save the decision").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "Select what the person agreed may be shared"
    )
    check(page, "c04-consent-errors")
    for section in ("Needs and vulnerabilities", "Recommendations", "Reasonable adjustments"):
        page.get_by_label(section, exact=True).check()
    page.get_by_role("button", name="Save the decision").click()
    expect(main).to_contain_text("Consent decision recorded")
    expect(main).to_contain_text("Needs and vulnerabilities, Recommendations, Reasonable")
    check(page, "c05-sharing-consent-given")

    # The practitioner drafts the court report and submits it.
    page.get_by_role("link", name="Draft a court report or custody advice note").click()
    expect(heading(page)).to_contain_text("Draft a court report or custody advice note")
    check(page, "c06-draft-form")
    page.get_by_label("Court report", exact=True).check()
    page.get_by_label("Who would the information be shared with?").select_option("court")
    page.get_by_label("What for?").select_option("sentencing_or_psr")
    page.get_by_label("Summary for the recipient").fill(
        "Seen in the court cells this morning at the request of the defence."
    )
    page.get_by_role("button", name="Draft the document").click()
    expect(heading(page)).to_contain_text("Court report")
    expect(main).to_contain_text(ADJUSTMENT)
    expect(main).to_contain_text(RECOMMENDATION)
    expect(main).not_to_contain_text(RISK)
    check(page, "c07-draft")
    page.get_by_role("button", name="Submit for approval").click()
    expect(main).to_contain_text("Sent to a team leader for approval")
    expect(main).to_contain_text("Awaiting approval")
    check(page, "c08-submitted")

    # The team leader approves it from the queue and shares it with the court.
    _, leader_page = as_user(browser, live_server, leader)
    leader_main = leader_page.locator("main")
    leader_page.get_by_role("link", name="Approvals").click()
    expect(heading(leader_page)).to_contain_text("Documents awaiting approval")
    check(leader_page, "c09-approval-queue")
    leader_page.get_by_role("link", name="Court report for Mark Veteranson").click()
    expect(heading(leader_page)).to_contain_text("Court report")
    check(leader_page, "c10-review")
    leader_page.get_by_role("button", name="Approve the document").click()
    expect(leader_main).to_contain_text("Court report approved")
    check(leader_page, "c11-approved")
    leader_page.get_by_role("link", name="Share the document").click()
    expect(heading(leader_page)).to_contain_text("Share the court report")
    check(leader_page, "c12-share-form")
    leader_page.get_by_label("Share with").select_option(
        label=f"{court.agency.name} (Court or judiciary)"
    )
    leader_page.get_by_label("Recipient's role (optional)").fill("Legal adviser")
    leader_page.get_by_role("button", name="Share the document").click()
    expect(leader_main).to_contain_text(f"Shared with {court.agency.name}")
    expect(leader_main).to_contain_text("Not yet acknowledged")
    check(leader_page, "c13-shared")

    # The court partner reads it, downloads the PDF and acknowledges receipt.
    _, court_page = as_user(browser, live_server, court)
    court_main = court_page.locator("main")
    court_page.get_by_role("link", name="Shared with you").click()
    expect(heading(court_page)).to_contain_text(f"Shared with {court.agency.name}")
    check(court_page, "c14-court-inbox")
    court_page.get_by_role("link", name="Mark Veteranson").click()
    expect(court_main).to_contain_text(ADJUSTMENT)
    expect(court_main).not_to_contain_text(RISK)
    check(court_page, "c15-court-disclosure")
    with court_page.expect_download() as download_info:
        court_page.get_by_role("link", name="Download the document (PDF)").click()
    data = Path(download_info.value.path()).read_bytes()
    text = " ".join(sheet.extract_text() for sheet in PdfReader(io.BytesIO(data)).pages)
    text = " ".join(text.split())
    assert "Court report" in text
    assert "Mark Veteranson" in text
    assert "allow a break every 30 minutes" in text
    assert RISK not in text
    court_page.get_by_role("button", name="Acknowledge receipt").click()
    expect(court_main).to_contain_text("Receipt acknowledged")
    check(court_page, "c16-court-acknowledged")

    disclosure = Disclosure.objects.get()
    assert disclosure.lawful_basis == "consent"
    assert disclosure.consent.scope == ["needs", "recommendations", "reasonable_adjustments"]
    assert disclosure.document.status == DocumentStatus.APPROVED
    assert disclosure.document.approved_by == leader
    assert disclosure.acknowledged_by == court
