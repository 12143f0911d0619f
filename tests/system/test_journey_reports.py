"""Journeys: the reporting dashboard (issue #7) for a service manager and a commissioner, with
axe on every page.

Set DIVERT_JOURNEY_SCREENSHOTS to a folder to keep a full-page screenshot of each page checked.
"""

import pytest
from playwright.sync_api import expect

from divert.cases.tests import factories
from tests.system.journey import check, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def summary_cell(page, measure, column):
    """A cell of the summary table: column 0 is all ages, 1 under 18, 2 18 and over."""
    row = page.locator(f'tr[data-measure="{measure}"]')
    return row.locator("td").nth(column)


@pytest.fixture
def referrals(service, users):
    """Six adults and two 15-year-olds referred at North custody, three adults at South
    custody, all today."""
    north, south = service["sites"]["north-custody"], service["sites"]["south-custody"]
    for number in range(6):
        factories.episode(
            users["practitioner"],
            site=north,
            team=service["teams"]["north"],
            subject=factories.person(users["practitioner"], given_name=f"Adult{number}"),
        )
    for _ in range(2):
        factories.youth_episode(users["practitioner"], site=north, team=service["teams"]["north"])
    for number in range(3):
        factories.episode(
            users["other_practitioner"],
            site=south,
            team=service["teams"]["south"],
            subject=factories.person(users["other_practitioner"], given_name=f"South{number}"),
        )


def test_service_manager_filters_the_dashboard_by_site_and_age_group(
    live_server, page, users, referrals
):
    """
    Given eleven referrals today, eight at North custody (two of them 15-year-olds) and three
      at South custody
    When the service manager opens Reports and filters to North custody and under-18s
    Then the dashboard first shows all eleven with the funnel, each measure beside its
      definition and a chart with its table; after filtering it shows the two young people at
      North custody only, the filters stay chosen, and no page has axe violations
    """
    sign_in(page, live_server, users["service_manager"])
    page.get_by_role("link", name="Reports").first.click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Reports")
    expect(summary_cell(page, "referrals", 0)).to_have_text("11")
    expect(page.get_by_role("heading", name="The pathway", exact=True)).to_be_visible()
    expect(page.get_by_role("img", name="Referrals by month")).to_be_visible()
    expect(page.get_by_role("table", name="Referrals by month")).to_be_visible()
    expect(page.get_by_text("Why it matters").first).to_be_visible()
    check(page, "r01-dashboard")

    page.get_by_label("Site", exact=True).select_option(label="North custody suite")
    page.get_by_label("Age group").select_option("youth")
    page.get_by_label("Show each measure by").select_option("site")
    page.get_by_role("button", name="Apply filters").click()

    expect(summary_cell(page, "referrals", 0)).to_have_text("2")
    expect(summary_cell(page, "referrals", 1)).to_have_text("2")
    expect(page.get_by_text("Showing North custody suite, Under 18 (youth).")).to_be_visible()
    expect(page.get_by_label("Site", exact=True)).to_have_value("north-custody")
    expect(page.get_by_role("table", name="Referrals by site")).to_contain_text(
        "North custody suite"
    )
    expect(page.get_by_role("table", name="Referrals by site")).not_to_contain_text("South")
    check(page, "r02-dashboard-filtered")

    page.locator("#id_date_from").fill("31")
    page.locator("#id_date_from_month").fill("2")
    page.get_by_role("button", name="Apply filters").click()

    expect(page.get_by_role("alert")).to_contain_text("The start date must be a real date")
    check(page, "r03-dashboard-bad-date")


def test_commissioner_sees_only_suppressed_aggregates(live_server, page, users, referrals):
    """
    Given eleven referrals today, three of them at South custody and two of them children
    When the commissioner opens Reports and shows each measure by site
    Then the total is rounded to 10, South custody's three and the two children are suppressed,
      the suppression rule is explained, no person's name appears, and no page has axe
      violations
    """
    sign_in(page, live_server, users["commissioner"])
    page.get_by_role("link", name="Reports").first.click()
    page.get_by_label("Show each measure by").select_option("site")
    page.get_by_role("button", name="Apply filters").click()

    expect(page.get_by_text("Counts from 1 to 4 are suppressed")).to_be_visible()
    expect(summary_cell(page, "referrals", 0)).to_have_text("10")
    expect(summary_cell(page, "referrals", 1)).to_have_text("Suppressed")
    south = page.get_by_role("table", name="Referrals by site").get_by_role(
        "row", name="South custody suite"
    )
    expect(south).to_contain_text("Suppressed")
    text = page.locator("main").inner_text()
    for name in ("Adult0", "South1", "Kayla", "Youngperson", "DIV-"):
        assert name not in text
    check(page, "r04-commissioner-dashboard")
