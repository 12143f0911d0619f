"""Directory CSV: the round trip, idempotent re-import, the per-line report and the command."""

import io

import pytest
from django.core.management import CommandError, call_command

from divert.audit.models import AuditEvent
from divert.directory import csvio
from divert.directory.models import DirectoryOrganisation, DirectoryService
from divert.directory.tests import factories

pytestmark = pytest.mark.django_db

HEADER = ",".join(csvio.COLUMNS)


@pytest.fixture
def admin(users):
    return users["admin"]


@pytest.fixture
def built(admin, service):
    services = factories.directory(admin, service)
    # Values that exercise quoting, line breaks and formula-like cells.
    from divert.directory import actions

    actions.update_service(
        service=services["adult_drugs"],
        by=admin,
        phone="+44 1632 960000",
        address='1 High Street, "The Hub"\nNorthtown',
        hours="=Mon-Fri",
        is_self_referral_accepted=True,
    )
    return services


def export_text():
    out = io.StringIO()
    csvio.export_csv(out)
    return out.getvalue()


def snapshot():
    return [
        (csvio._row(s))
        for s in DirectoryService.objects.select_related("organisation")
        .prefetch_related("areas_served")
        .order_by("organisation__name", "name")
    ]


def test_export_protects_formula_cells(built):
    """A cell a spreadsheet would run as a formula is exported with an apostrophe."""

    text = export_text()

    assert "'=Mon-Fri" in text
    assert "'+44 1632 960000" in text


def test_csv_round_trip_into_empty_directory_is_exact(built, admin):
    """Export, empty the directory, import: every service comes back as it was."""
    text = export_text()
    before = snapshot()
    DirectoryService.objects.all().delete()
    DirectoryOrganisation.objects.all().delete()

    report = csvio.import_csv(text, by=admin)

    assert report.errors == []
    assert len(report.created) == 4
    assert snapshot() == before


def test_csv_reimport_same_file_changes_nothing(built, admin):
    """Importing the file just exported changes nothing and writes no audit event."""
    text = export_text()
    events = AuditEvent.objects.count()

    report = csvio.import_csv(text, by=admin)

    assert report.errors == []
    assert (len(report.created), len(report.updated), len(report.unchanged)) == (0, 0, 4)
    assert AuditEvent.objects.count() == events


def test_csv_import_updates_and_adds(built, admin):
    """A changed row updates its service; a new key adds one (and its organisation)."""
    text = export_text().replace("Advice line, any age.", "Advice line for everyone.")
    text += "New Org (synthetic),Debt Advice (synthetic),debt_and_benefits\n"

    report = csvio.import_csv(text, by=admin)

    assert report.errors == []
    assert (len(report.created), len(report.updated)) == (1, 1)
    assert report.organisations_created == ["New Org (synthetic)"]
    assert DirectoryService.objects.get(name="Drugs Helpline (synthetic)").description == (
        "Advice line for everyone."
    )
    added = DirectoryService.objects.get(name="Debt Advice (synthetic)")
    assert (added.is_active, list(added.areas_served.all())) == (True, [])


def test_csv_bad_file_reports_every_problem_by_line_and_column(built, admin):
    """Each problem names its line and column; nothing is written."""
    rows = [
        HEADER,
        "Org A,Service 1,drug_and_alcohol,,,18,,north,,,,,,,,,,,yes",
        "Org A,Service 2,magic,,,abc,,atlantis,,,not-an-email,,,,,maybe,,,",
        ",Service 3,housing,,,20,10,,,,,,,,,,,,",
        "Org A,Service 1,housing,,,,,,,,,,,,,,,,",
    ]
    text = "\n".join(rows) + "\n"
    count = DirectoryService.objects.count()

    report = csvio.import_csv(text, by=admin)

    assert [str(error) for error in report.errors] == [
        "line 3, column categories: Unknown service category 'magic'",
        "line 3, column min_age: Enter a whole number of years from 0 to 120, not 'abc'",
        "line 3, column force_areas: Unknown force area 'atlantis'",
        "line 3, column self_referral: Enter yes or no, not 'maybe'",
        "line 3, column email: Enter a valid email address.",
        "line 4, column organisation: Organisation is required",
        "line 4, column max_age: The maximum age must not be below the minimum age",
        "line 5, column service: The same service is already on line 2",
    ]
    assert DirectoryService.objects.count() == count
    assert not DirectoryOrganisation.objects.filter(name="Org A").exists()


def test_csv_header_problems_reported_on_line_one(admin, service):
    """A missing required column or an unknown column is reported on line 1."""

    report = csvio.import_csv("organisation,service,colour\nA,B,red\n", by=admin)

    assert [str(error) for error in report.errors] == [
        "line 1, column categories: This column is missing from the header",
        "line 1, column colour: Unknown column (see the how-to for the columns)",
    ]


def test_csv_dry_run_reports_and_writes_nothing(built, admin):
    """A dry run reports what would happen and leaves the directory and the audit alone."""
    text = export_text() + "New Org (synthetic),Debt Advice (synthetic),debt_and_benefits\n"
    events = AuditEvent.objects.count()

    report = csvio.import_csv(text, by=admin, dry_run=True)

    assert report.summary() == (
        "1 service(s) would be added, 0 updated, 4 unchanged; 1 organisation(s) would be added"
    )
    assert not DirectoryService.objects.filter(name="Debt Advice (synthetic)").exists()
    assert AuditEvent.objects.count() == events


def test_directory_command_export_then_import(built, admin, tmp_path):
    """`divert directory export` then `import` of the same file reports nothing changed."""
    path = tmp_path / "directory.csv"
    call_command("directory", "export", str(path), stderr=io.StringIO())
    out = io.StringIO()

    call_command("directory", "import", str(path), "--by", admin.username, stdout=out)

    assert "0 service(s) were added, 0 updated, 4 unchanged" in out.getvalue()


def test_directory_command_bad_file_exits_with_report(admin, tmp_path, service):
    """A bad file prints each problem and fails."""
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "\nOrg,Svc,magic" + "," * 16 + "\n", encoding="utf-8")
    out = io.StringIO()

    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("directory", "import", str(path), "--by", admin.username, stdout=out)

    assert "line 2, column categories: Unknown service category 'magic'" in out.getvalue()


def test_directory_command_import_needs_an_administrator(users, tmp_path, service):
    """Only an administrator can import."""
    path = tmp_path / "d.csv"
    path.write_text(HEADER + "\n", encoding="utf-8")

    with pytest.raises(CommandError, match="not an active administrator"):
        call_command("directory", "import", str(path), "--by", users["practitioner"].username)
