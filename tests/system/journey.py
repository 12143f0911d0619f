"""Helpers shared by the browser journeys: sign in with two-factor, check a page with axe.

Set DIVERT_JOURNEY_SCREENSHOTS to a folder to keep a full-page screenshot of each page checked.
"""

import os
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe

from conftest import PASSWORD, totp_code, totp_device

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
    """Password then the authenticator code, as a person would."""
    device = totp_device(user)
    page.goto(f"{live_server.url}/accounts/sign-in/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Security code").fill(totp_code(device))
    page.get_by_role("button", name="Continue").click()


def as_user(browser, live_server, user):
    """A second signed-in browser context, for a journey with more than one person."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, live_server, user)
    return context, page


def heading(page):
    return page.get_by_role("heading", level=1)


def fill_date(page, name, day):
    """Fill an NHS.UK date input (day, month, year boxes) rendered for form field ``name``."""
    page.locator(f"#id_{name}").fill(str(day.day))
    page.locator(f"#id_{name}_month").fill(str(day.month))
    page.locator(f"#id_{name}_year").fill(str(day.year))
