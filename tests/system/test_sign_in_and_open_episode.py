"""Journey: a practitioner signs in and opens an episode on their caseload."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from conftest import PASSWORD, totp_code, totp_device
from divert.cases.tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_practitioner_signs_in_and_opens_an_episode(live_server, page, service, users):
    """
    Given a practitioner with an episode on their team's caseload
    When they sign in with their password and authenticator code and open the episode
    Then they see the person's name, the stage and the timeline, with no axe violations
    """
    episode = factories.episode(
        users["practitioner"],
        site=service["sites"]["north-custody"],
        team=service["teams"]["north"],
    )
    device = totp_device(users["practitioner"])

    page.goto(f"{live_server.url}/")
    page.get_by_label("Username").fill("practitioner")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Security code").fill(totp_code(device))
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("link", name="Worklist").first.click()
    page.get_by_role("link", name="Sam Tester").click()

    assert page.url.endswith(f"/episodes/{episode.pk}/")
    assert page.get_by_role("heading", name="New referral").is_visible()
    assert page.get_by_text("Referral received").first.is_visible()
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_wrong_password_shows_error_summary(live_server, page, users):
    """
    Given a user
    When they sign in with the wrong password
    Then the NHS.UK error summary says what is wrong without revealing whether the account exists
    """
    page.goto(f"{live_server.url}/accounts/sign-in/")
    page.get_by_label("Username").fill("practitioner")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()

    summary = page.locator(".nhsuk-error-summary")
    assert summary.is_visible()
    assert "Enter a correct username and password" in summary.inner_text()
