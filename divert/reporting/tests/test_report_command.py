"""``divert report``: KPIs as JSON and CSV, the monthly return as CSV and Excel, the cohort."""

import csv
import hashlib
import hmac
import io
import json

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from divert.audit.models import AuditEvent
from divert.reporting.tests.builders import HOUR, Builder, utc

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(users, service):
    build = Builder(users, service)
    episodes = []
    for n in range(7):
        episode = build.episode(utc(2026, 6, 1 + n, 10), site="north-custody")
        build.offer(episode, "accepted" if n < 6 else "declined")
        if n < 5:
            build.screening(episode, after=(n + 1) * HOUR)
        episodes.append(episode)
    south = build.episode(
        utc(2026, 6, 10, 10), site="south-custody", person=build.person(nhs_number="9434765919")
    )
    build.offer(south, "accepted")
    return episodes + [south]


def run(*args):
    out = io.StringIO()
    call_command("report", *args, stdout=out)
    return out.getvalue()


def test_report_kpis_json_and_audit(data, users):
    """JSON with every KPI; one audit event with counts only."""
    text = run("kpis", "--from", "2026-06-01", "--to", "2026-06-30", "--by", "service-manager")

    result = json.loads(text)
    assert result["referrals"]["numerator"] == 8
    assert result["screened"]["numerator"] == 5
    event = AuditEvent.objects.get(event="report.kpis")
    assert event.action == AuditEvent.Action.EXPORT
    assert event.changes["referrals"] == 8
    assert event.actor_username == users["service_manager"].username


def test_report_kpis_csv_commissioner_site(data):
    """CSV read back: one row per KPI and age group, suppressed for a commissioner."""
    text = run(
        "kpis",
        "--from",
        "2026-06-01",
        "--to",
        "2026-06-30",
        "--site",
        "south-custody",
        "--audience",
        "commissioner",
        "--format",
        "csv",
        "--by",
        "service-manager",
    )

    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 11 * 3
    referrals = next(r for r in rows if r["kpi"] == "referrals" and r["age_group"] == "all")
    assert referrals["numerator"] == ""
    assert referrals["suppressed"] == "numerator value"


def test_report_return_csv_and_xlsx(data, tmp_path):
    """The monthly return has the service, each force area and each site; no count 1–4."""
    csv_path, xlsx_path = tmp_path / "return.csv", tmp_path / "return.xlsx"

    run(
        "return",
        "--month",
        "2026-06",
        "--format",
        "csv",
        "--output",
        str(csv_path),
        "--by",
        "service-manager",
    )
    run(
        "return",
        "--month",
        "2026-06",
        "--format",
        "xlsx",
        "--output",
        str(xlsx_path),
        "--by",
        "service-manager",
    )

    rows = list(csv.DictReader(io.StringIO(csv_path.read_text(encoding="utf-8"))))
    service = next(
        r
        for r in rows
        if r["area_type"] == "service" and r["kpi"] == "referrals" and r["age_group"] == "all"
    )
    assert service["numerator"] == "10"  # 8 rounded to the nearest 5
    assert {r["area_code"] for r in rows if r["area_type"] == "site"} == {
        "north-custody",
        "south-custody",
    }
    for row in rows:
        for column in ("numerator", "denominator"):
            assert row[column] == "" or int(row[column]) == 0 or int(row[column]) >= 5
    workbook = load_workbook(xlsx_path)
    sheet = workbook["Return"]
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["month", "area_type", "area_code"]
    assert sheet.max_row == len(rows) + 1
    assert workbook["Definitions"].max_row == 12
    assert AuditEvent.objects.filter(event="report.return").count() == 2


def test_report_return_refuses_bad_month(users):
    """The month is YYYY-MM."""
    with pytest.raises(CommandError, match="YYYY-MM"):
        run(
            "return",
            "--month",
            "June",
            "--format",
            "csv",
            "--output",
            "x.csv",
            "--by",
            "service-manager",
        )


def test_report_cohort_is_keyed_and_pseudonymised(data, tmp_path, settings):
    """Each person is an HMAC-SHA256 of their NHS number (or names and birth date) and the key;
    no name, NHS number or date of birth appears."""
    settings.DIVERT_COHORT_KEY = "test-cohort-key"
    path = tmp_path / "cohort.csv"

    run(
        "cohort",
        "--from",
        "2026-06-01",
        "--to",
        "2026-06-30",
        "--output",
        str(path),
        "--by",
        "service-manager",
    )

    text = path.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 8
    expected = hmac.new(b"test-cohort-key", b"nhs_number:9434765919", hashlib.sha256).hexdigest()
    south = next(r for r in rows if r["site_code"] == "south-custody")
    assert (south["person_pseudonym"], south["pseudonym_basis"]) == (expected, "nhs_number")
    assert south["referral_on"] == "2026-06-10"
    assert sum(r["is_screened"] == "True" for r in rows) == 5
    for identifying in ("9434765919", "Synthetic", "PersonB", "1990-05-17"):
        assert identifying not in text
    event = AuditEvent.objects.get(event="report.cohort")
    assert event.changes == {"from": "2026-06-01", "to": "2026-06-30", "rows": 8, "people": 8}


def test_report_cohort_needs_a_key(data, tmp_path, settings):
    """Without DIVERT_COHORT_KEY the export refuses to run."""
    settings.DIVERT_COHORT_KEY = ""

    with pytest.raises(CommandError, match="DIVERT_COHORT_KEY"):
        run(
            "cohort",
            "--from",
            "2026-06-01",
            "--to",
            "2026-06-30",
            "--output",
            str(tmp_path / "c.csv"),
            "--by",
            "service-manager",
        )


def test_report_needs_a_known_operator():
    """--by names an active user."""
    with pytest.raises(CommandError, match="No active user"):
        run("kpis", "--from", "2026-06-01", "--to", "2026-06-30", "--by", "nobody")


def test_definitions_file_is_valid_and_complete():
    """kpis.yaml has every KPI key, in order, with words for each."""
    from divert.reporting.definitions import KPI_KEYS, definitions

    loaded = definitions()

    assert [d.key for d in loaded] == list(KPI_KEYS)
    assert all(d.description and d.why_it_matters for d in loaded)


def test_definitions_file_rejects_a_wrong_shape(tmp_path):
    """A rate without a denominator, or missing keys, fails validation on load."""
    from pydantic import ValidationError

    from divert.reporting.definitions import load

    bad = tmp_path / "kpis.yaml"
    bad.write_text(
        "version: 1\nkpis:\n  - {key: screened, title: S, numerator: n, denominator: null,"
        " unit: rate, description: d, why_it_matters: w}\n",
        encoding="utf-8",
    )

    with pytest.raises(ValidationError, match="needs a numerator and a denominator"):
        load(bad)
