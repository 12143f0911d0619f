"""The reporting pages per role: who may open them, what each audience sees (exact numbers for
service managers, their own sites for team leaders, suppressed aggregates for commissioners),
filter errors, the downloads read back, and the audit events they write."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from divert.audit.models import AuditEvent
from divert.cases.tests import factories

pytestmark = pytest.mark.django_db

DASHBOARD = "/reports/"


@pytest.fixture
def referrals(service, users):
    """Seven referrals at North custody (north team) and two at South custody (south team),
    all received today; one North referral is a 15-year-old."""
    north, south = service["sites"]["north-custody"], service["sites"]["south-custody"]
    for number in range(6):
        factories.episode(
            users["practitioner"],
            site=north,
            team=service["teams"]["north"],
            subject=factories.person(
                users["practitioner"], given_name=f"North{number}", family_name="Quorrin"
            ),
        )
    factories.youth_episode(users["practitioner"], site=north, team=service["teams"]["north"])
    for number in range(2):
        factories.episode(
            users["other_practitioner"],
            site=south,
            team=service["teams"]["south"],
            subject=factories.person(
                users["other_practitioner"], given_name=f"South{number}", family_name="Quorrin"
            ),
        )


def summary_value(html, title):
    """The 'All ages' cell of a measure in the summary table."""
    row = html.split(f'data-measure="{title}">', 1)[1].split("</tr>", 1)[0]
    return row.split('nhsuk-table__cell--numeric">', 1)[1].split("<", 1)[0]


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 302),
        ("practitioner", 403),
        ("other_practitioner", 403),
        ("team_leader", 200),
        ("service_manager", 200),
        ("commissioner", 200),
        ("police", 403),
        ("court", 403),
        ("ig", 403),
        ("admin", 403),
    ],
)
def test_dashboard_opens_only_for_reporting_roles(role, status, client_for):
    """Team leaders, service managers and commissioners open the dashboard; practitioners,
    partners, IG and administrators are refused; anonymous users are sent to sign in."""
    response = client_for(role).get(DASHBOARD)

    assert response.status_code == status


def test_dashboard_shows_exact_numbers_to_a_service_manager(referrals, client_for):
    """The whole service, exactly: nine referrals, seven at North custody and two at South."""
    response = client_for("service_manager").get(DASHBOARD, {"by": "site"})

    html = response.content.decode()
    assert response.status_code == 200
    assert summary_value(html, "referrals") == "9"
    assert "North custody" in html
    assert "South custody" in html
    assert "Why it matters" in html
    assert 'role="img"' in html
    assert '<title id="chart-referrals-title">' in html


def test_dashboard_limits_a_team_leader_to_their_sites(referrals, client_for, service):
    """The north team leader sees the seven North referrals only, and cannot choose South."""
    client = client_for("team_leader")

    own = client.get(DASHBOARD, {"by": "site"}).content.decode()
    other = client.get(DASHBOARD, {"site": "south-custody"}).content.decode()

    assert summary_value(own, "referrals") == "7"
    assert "South custody" not in own
    assert "Choose a site from the list" in other
    assert 'href="#id_site"' in other


def test_dashboard_suppresses_small_numbers_for_a_commissioner(referrals, client_for):
    """Nine referrals show as 10 (rounded to 5); South custody's two and the one youth are
    suppressed; no person's name reaches the page."""
    response = client_for("commissioner").get(DASHBOARD, {"by": "site"})

    html = response.content.decode()
    assert summary_value(html, "referrals") == "10"
    south_row = html.split("South custody suite</th>", 1)[1].split("</tr>", 1)[0]
    assert "Suppressed" in south_row
    assert "small numbers" in html.lower() or "suppressed" in html.lower()
    for name in ("North0", "South1", "Kayla", "Quorrin", "Youngperson", "DIV-"):
        assert name not in html


def test_dashboard_filters_by_age_group(referrals, client_for):
    """Choosing under-18s counts the one youth referral."""
    response = client_for("service_manager").get(DASHBOARD, {"age_group": "youth"})

    assert summary_value(response.content.decode(), "referrals") == "1"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            {"date_from_day": "31", "date_from_month": "2", "date_from_year": "2026"},
            "The start date must be a real date",
        ),
        (
            {"date_to_day": "3", "date_to_month": "", "date_to_year": "2026"},
            "The end date must include a month",
        ),
        (
            {
                "date_from_day": "2",
                "date_from_month": "3",
                "date_from_year": "2026",
                "date_to_day": "1",
                "date_to_month": "3",
                "date_to_year": "2026",
            },
            "The end date must be the same as or after the start date",
        ),
    ],
)
def test_dashboard_explains_bad_dates(query, message, client_for):
    """A bad date shows the NHS.UK error summary, linked to the field, and no numbers."""
    response = client_for("service_manager").get(DASHBOARD, query)

    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "<title>Error: Reports - Divert</title>" in html
    assert message in html
    assert "Correct the filters above" in html


def test_kpi_csv_reads_back_with_the_current_filters(referrals, client_for):
    """The CSV holds every measure for all ages, each age group and each site, exact for a
    service manager, and is audited as an export with counts only."""
    response = client_for("service_manager").get(reverse("reporting:kpis_csv"), {"by": "site"})

    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert response["Content-Type"].startswith("text/csv")
    total = next(r for r in rows if r["breakdown"] == "all" and r["measure"] == "referrals")
    assert total["numerator"] == "9"
    by_site = {
        r["group"]: r["numerator"]
        for r in rows
        if r["breakdown"] == "site" and r["measure"] == "referrals"
    }
    assert by_site == {"north-custody": "7", "south-custody": "2"}
    event = AuditEvent.objects.get(event="report.kpis_downloaded")
    assert event.action == AuditEvent.Action.EXPORT
    assert event.changes["rows"] == len(rows)


def test_kpi_csv_is_suppressed_for_a_commissioner(referrals, client_for):
    """The commissioner's CSV rounds nine to 10 and writes 'suppressed' for South's two."""
    response = client_for("commissioner").get(reverse("reporting:kpis_csv"), {"by": "site"})

    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    total = next(r for r in rows if r["breakdown"] == "all" and r["measure"] == "referrals")
    south = next(r for r in rows if r["group"] == "south-custody" and r["measure"] == "referrals")
    assert total["numerator"] == "10"
    assert south["numerator"] == "suppressed"


def this_month():
    return f"{timezone.localdate():%Y-%m}"


def test_monthly_return_csv_and_xlsx_read_back_suppressed(referrals, client_for):
    """The return for this month, downloaded by a service manager as the commissioner gets it:
    nine referrals rounded to 10 and South custody's two suppressed, in both files, with the
    definitions on the workbook's second sheet and one audit event per download."""
    client = client_for("service_manager")

    as_csv = client.get(reverse("reporting:monthly_return_csv", args=[this_month()]))
    as_xlsx = client.get(reverse("reporting:monthly_return_xlsx", args=[this_month()]))

    rows = list(csv.DictReader(io.StringIO(as_csv.content.decode())))
    referrals_by_area = {
        (r["area_type"], r["area_code"]): r
        for r in rows
        if r["kpi"] == "referrals" and r["age_group"] == "all"
    }
    assert referrals_by_area[("service", "all")]["numerator"] == "10"
    assert referrals_by_area[("site", "south-custody")]["numerator"] == ""
    assert referrals_by_area[("site", "south-custody")]["suppressed"] != ""
    workbook = load_workbook(io.BytesIO(as_xlsx.content))
    values = [[cell.value for cell in row] for row in workbook.worksheets[0].iter_rows()]
    header = values[0]
    by_column = [dict(zip(header, row, strict=True)) for row in values[1:]]
    service_total = next(
        r
        for r in by_column
        if r["kpi"] == "referrals" and r["area_type"] == "service" and r["age_group"] == "all"
    )
    assert service_total["numerator"] == 10
    assert workbook.worksheets[1].title == "Definitions"
    assert AuditEvent.objects.filter(event="report.return_downloaded").count() == 2


@pytest.mark.parametrize("name", ["reporting:monthly_return_csv", "reporting:monthly_return_xlsx"])
def test_monthly_return_is_refused_to_a_team_leader(name, client_for):
    """The return covers the whole service, beyond a team leader's sites."""
    response = client_for("team_leader").get(reverse(name, args=[this_month()]))

    assert response.status_code == 403


def test_monthly_return_for_a_future_or_malformed_month_is_not_found(client_for):
    """Only real months up to this one have a return."""
    client = client_for("commissioner")

    future = client.get(reverse("reporting:monthly_return_csv", args=["2999-01"]))
    malformed = client.get(reverse("reporting:monthly_return_csv", args=["2026-13"]))

    assert future.status_code == 404
    assert malformed.status_code == 404


def test_monthly_return_form_redirects_to_the_file_or_explains(client_for):
    """A chosen month and format go to the file's address; an unknown month is explained."""
    client = client_for("service_manager")

    chosen = client.get(
        reverse("reporting:monthly_return"), {"month": this_month(), "file_format": "csv"}
    )
    wrong = client.get(
        reverse("reporting:monthly_return"), {"month": "1999-01", "file_format": "csv"}
    )

    assert chosen.status_code == 302
    assert chosen["Location"] == reverse("reporting:monthly_return_csv", args=[this_month()])
    assert "Choose a month from the list" in wrong.content.decode()


def test_dashboard_view_is_audited_with_counts_only(referrals, client_for):
    """Opening the dashboard writes one event with the audience and counts, no names."""
    client_for("commissioner").get(DASHBOARD)

    event = AuditEvent.objects.get(event="report.dashboard_viewed")
    assert event.changes["audience"] == "commissioner"
    assert event.person_id is None


@pytest.mark.parametrize(
    ("role", "shown"), [("service_manager", True), ("commissioner", True), ("practitioner", False)]
)
def test_navigation_offers_reports_to_reporting_roles(role, shown, client_for):
    """The header links to Reports only for roles that may open them."""
    html = client_for(role).get("/").content.decode()

    assert ('href="/reports/"' in html) is shown


def test_kpi_csv_limits_a_team_leader_to_their_sites(referrals, client_for):
    """With no site chosen, the north team leader's CSV counts North's seven referrals only and
    names only North sites."""
    response = client_for("team_leader").get(reverse("reporting:kpis_csv"), {"by": "site"})

    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    total = next(r for r in rows if r["breakdown"] == "all" and r["measure"] == "referrals")
    assert total["numerator"] == "7"
    assert {r["group"] for r in rows if r["breakdown"] == "site"} == {"north-custody"}
    assert "south-custody" not in total["site_filter"]


def test_dashboard_filters_by_force_area(referrals, client_for):
    """Choosing the South force area counts South custody's two referrals; a team leader is
    offered only their own force area."""
    manager = client_for("service_manager").get(DASHBOARD, {"force_area": "south"})
    leader = client_for("team_leader").get(DASHBOARD).content.decode()

    assert summary_value(manager.content.decode(), "referrals") == "2"
    assert 'value="north"' in leader
    assert 'value="south"' not in leader


@pytest.mark.parametrize(
    "by", ["month", "site", "force_area", "gender_identity", "ethnic_category"]
)
def test_commissioner_csv_has_no_unsuppressed_small_cell(by, referrals, client_for):
    """security.md A5: in every breakdown of the commissioner's KPI CSV, each count is
    suppressed, zero, or a multiple of 5 (so never 1 to 4)."""
    response = client_for("commissioner").get(reverse("reporting:kpis_csv"), {"by": by})

    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    counts = [r[field] for r in rows for field in ("numerator", "denominator") if r[field]]
    assert rows
    assert counts
    for count in counts:
        assert count == "suppressed" or int(count) % 5 == 0, count
