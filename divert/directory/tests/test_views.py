"""Directory pages: search, detail, and the administrator's add, edit, deactivate and
download; reads write no audit event (no personal data), changes write one."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from divert.audit.models import AuditEvent
from divert.directory.models import DirectoryOrganisation, DirectoryService
from divert.directory.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(users, service):
    return factories.directory(users["admin"], service)


def service_form(**overrides):
    data = {
        "name": "Tees Debt Advice (synthetic)",
        "categories": ["debt_and_benefits"],
        "min_age": "18",
        "max_age": "",
        "is_self_referral_accepted": "yes",
        "email": "debt@example.org",
    }
    return data | overrides


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("practitioner", 200),
        ("service_manager", 200),
        ("admin", 200),
        ("commissioner", 403),
        ("police", 403),
        ("ig", 403),
        ("anonymous", 302),
    ],
)
def test_directory_list_by_role(client_for, built, role, status):
    """Clinical staff and administrators read the directory; nobody else does."""

    response = client_for(role).get("/directory/")

    assert response.status_code == status


def test_directory_search_filters_by_need_area_and_age(client_for, built, service):
    """The list's filters are find_services': need, area and age."""
    south = service["sites"]["south-custody"].force_area

    html = (
        client_for("practitioner")
        .get(f"/directory/?category=drug_and_alcohol&force_area={south.pk}&age=30")
        .content.decode()
    )

    assert "Drugs Helpline (synthetic)" in html
    assert "North Recovery Service" not in html
    assert "Young People" not in html


def test_directory_search_bad_age_shows_error(client_for, built):
    """A non-numeric age is reported in the error summary."""

    html = client_for("practitioner").get("/directory/?age=old").content.decode()

    assert "There is a problem" in html
    assert "Enter the age as a whole number of years" in html


def test_directory_reads_write_no_audit_event(client_for, built):
    """The directory holds no personal data, so reading it is not audited."""
    client = client_for("practitioner")
    before = AuditEvent.objects.count()

    client.get("/directory/")
    client.get(f"/directory/services/{built['adult_drugs'].pk}/")

    assert AuditEvent.objects.count() == before


def test_practitioner_is_not_offered_maintenance(client_for, built):
    """Only administrators see add, edit and download."""

    html = (
        client_for("practitioner")
        .get(f"/directory/services/{built['adult_drugs'].pk}/")
        .content.decode()
    )

    assert "Edit this service" not in html
    assert "Take out of search" not in html


def test_admin_adds_a_service(client_for, built):
    """An administrator adds a service; it is audited and shown."""
    organisation = DirectoryOrganisation.objects.get(name="Example Charity (synthetic)")

    response = client_for("admin").post(
        "/directory/services/new/", service_form(organisation=organisation.pk)
    )

    created = DirectoryService.objects.get(name="Tees Debt Advice (synthetic)")
    assert response.status_code == 302
    assert response["Location"] == f"/directory/services/{created.pk}/"
    assert created.is_self_referral_accepted is True
    assert AuditEvent.objects.latest("sequence").event == "directory.service_created"


def test_admin_add_service_errors_use_the_error_summary(client_for, built):
    """Missing organisation and categories, and ages out of order, are each reported."""

    response = client_for("admin").post(
        "/directory/services/new/", service_form(categories=[], min_age="20", max_age="10")
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "Choose the organisation that runs the service" in html
    assert "Choose at least one category" in html
    assert "The oldest age must not be below the youngest age" in html


def test_practitioner_cannot_add_a_service(client_for, built):
    """Maintaining the directory needs the administrator role."""

    response = client_for("practitioner").post("/directory/services/new/", service_form())

    assert response.status_code == 403


def test_admin_edits_a_service(client_for, built, service):
    """Editing changes the fields and the areas served, audited by field name."""
    target = built["adult_drugs"]
    south = service["sites"]["south-custody"].force_area
    data = service_form(
        name=target.name,
        categories=["drug_and_alcohol"],
        areas_served=[south.pk],
        hours="Weekdays 9 to 5",
        email="",
        is_self_referral_accepted="no",
    )

    response = client_for("admin").post(f"/directory/services/{target.pk}/edit/", data)

    target.refresh_from_db()
    assert response.status_code == 302
    assert target.hours == "Weekdays 9 to 5"
    assert list(target.areas_served.all()) == [south]
    event = AuditEvent.objects.latest("sequence")
    assert event.event == "directory.service_updated"
    assert "areas_served" in event.changes["fields"]


def test_admin_deactivates_a_service(client_for, built):
    """Taking a service out of search keeps it, inactive."""
    target = built["adult_drugs"]

    client_for("admin").post(f"/directory/services/{target.pk}/deactivate/")

    target.refresh_from_db()
    assert target.is_active is False


def test_admin_puts_a_service_back_in_search(client_for, built):
    """An inactive service can be put back in search, audited."""
    target = built["adult_drugs"]
    client = client_for("admin")
    client.post(f"/directory/services/{target.pk}/deactivate/")

    html = client.get(f"/directory/services/{target.pk}/").content.decode()
    client.post(f"/directory/services/{target.pk}/reactivate/")

    target.refresh_from_db()
    assert "Put back in search" in html
    assert target.is_active is True
    assert AuditEvent.objects.latest("sequence").event == "directory.service_reactivated"


def test_admin_adds_an_organisation(client_for, service):
    """An administrator adds an organisation, then goes on to add its services."""

    response = client_for("admin").post(
        "/directory/organisations/new/", {"name": "New Charity (synthetic)"}
    )

    assert response.status_code == 302
    assert DirectoryOrganisation.objects.filter(name="New Charity (synthetic)").exists()


def test_admin_downloads_the_directory(client_for, built):
    """The download is the import format."""

    response = client_for("admin").get("/directory/export.csv")

    text = response.content.decode()
    assert response["Content-Type"].startswith("text/csv")
    assert text.splitlines()[0].startswith("organisation,service,categories")
    assert len(text.strip().splitlines()) == 5


def test_admin_edits_an_organisation(client_for, built):
    """An administrator corrects an organisation's details from one of its services; the change
    is audited."""
    listed = built["adult_drugs"]
    url = f"/directory/organisations/{listed.organisation_id}/edit/?service={listed.pk}"
    admin = client_for("admin")

    form = admin.get(url)
    response = admin.post(url, {"name": "Example Health NHS Trust (synthetic)", "phone": "0300"})

    assert 'value="Example Health (synthetic)"' in form.content.decode()
    assert response.status_code == 302
    assert response["Location"] == f"/directory/services/{listed.pk}/"
    organisation = DirectoryOrganisation.objects.get(pk=listed.organisation_id)
    assert organisation.name == "Example Health NHS Trust (synthetic)"
    assert organisation.phone == "0300"
    assert AuditEvent.objects.latest("sequence").event == "directory.organisation_updated"


def test_edit_organisation_without_a_name_shows_the_error_summary(client_for, built):
    url = f"/directory/organisations/{built['adult_drugs'].organisation_id}/edit/"

    response = client_for("admin").post(url, {"name": ""})

    html = response.content.decode()
    assert response.status_code == 200
    assert "nhsuk-error-summary" in html
    assert "Enter the organisation name" in html


def _upload(text, name="directory.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def test_admin_round_trips_the_directory_through_the_import_page(client_for, built):
    """The download, changed in one cell and uploaded again, updates that one service; checking
    first writes nothing."""
    admin = client_for("admin")
    text = admin.get("/directory/export.csv").content.decode()
    changed = text.replace("Drug and alcohol treatment for adults.", "Treatment for adults.")

    checked = admin.post("/directory/import/", {"file": _upload(changed), "check": "1"})
    assert "1 updated" in checked.content.decode()
    service = DirectoryService.objects.get(pk=built["adult_drugs"].pk)
    assert service.description != "Treatment for adults."

    imported = admin.post("/directory/import/", {"file": _upload(changed), "import": "1"})
    assert imported.status_code == 302
    service.refresh_from_db()
    assert service.description == "Treatment for adults."


def test_a_bad_csv_lists_every_problem_by_line_and_column_and_writes_nothing(client_for, built):
    admin = client_for("admin")
    rows = list(csv.reader(io.StringIO(admin.get("/directory/export.csv").content.decode())))
    header = rows[0]
    rows[1][header.index("min_age")] = "old"
    new_row = ["New Org (synthetic)", "New Service (synthetic)", "not_a_category"]
    out = io.StringIO()
    csv.writer(out).writerows([header, rows[1], new_row + [""] * (len(header) - 3)])
    before = AuditEvent.objects.count()

    response = admin.post("/directory/import/", {"file": _upload(out.getvalue()), "import": "1"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem with the file" in html
    assert '<td class="nhsuk-table__cell">2</td>' in html
    assert '<td class="nhsuk-table__cell">min_age</td>' in html
    assert '<td class="nhsuk-table__cell">3</td>' in html
    assert '<td class="nhsuk-table__cell">categories</td>' in html
    assert "nothing was imported" in html
    assert not DirectoryOrganisation.objects.filter(name="New Org (synthetic)").exists()
    assert AuditEvent.objects.count() == before


def test_an_upload_that_is_not_utf8_is_refused_with_a_clear_message(client_for, built):
    upload = SimpleUploadedFile("d.csv", "organisation,café".encode("cp1252"))

    response = client_for("admin").post("/directory/import/", {"file": upload, "import": "1"})

    assert "must be saved as CSV UTF-8" in response.content.decode()


def test_practitioner_cannot_import_or_edit_organisations(client_for, built):
    practitioner = client_for("practitioner")
    organisation = built["adult_drugs"].organisation_id

    assert practitioner.get("/directory/import/").status_code == 403
    assert practitioner.get(f"/directory/organisations/{organisation}/edit/").status_code == 403
