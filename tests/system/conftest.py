"""Playwright against Debian's Chromium (never a downloaded browser).

Without Chromium the journeys are skipped with a notice, so `make test` works on a machine with
only Python and make; CI sets DIVERT_REQUIRE_BROWSER=1, which turns the notice into a failure.
"""

import os
import shutil

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("DIVERT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        message = (
            f"Chromium not found at {CHROMIUM}: install Debian's chromium package "
            "(apt-get install chromium) or set DIVERT_CHROMIUM to run the browser journeys"
        )
        if os.environ.get("DIVERT_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(autouse=True)
def _kpi_facts_follow_the_journey(request):
    """After each journey, the KPI summary table equals a fresh derivation (ADR 0017): every
    write the pages made reached it."""
    yield
    if "live_server" in request.fixturenames:
        from divert.reporting import facts

        assert facts.stale_count() == 0, "a journey's writes left the KPI facts stale"
