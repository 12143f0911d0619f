"""Intake pages: search by POST with one audit event, minimal identity outside the caseload,
add a person with validation, then the referral details open the episode."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from divert.audit.models import AuditEvent
from divert.cases.models import Episode
from divert.cases.tests import factories
from divert.people import actions as people_actions
from divert.people.models import Person

pytestmark = pytest.mark.django_db

BORN = dt.date(1990, 3, 7)


@pytest.fixture
def daniel(users, service):
    """Known to the south team only: outside the north practitioner's caseload."""
    author = users["other_practitioner"]
    person = factories.person(
        author,
        given_name="Daniel",
        family_name="Hargreaves",
        date_of_birth=BORN,
        nhs_number="4010232137",
        pnc_id="12/654321A",
    )
    factories.episode(
        author,
        subject=person,
        site=service["sites"]["south-custody"],
        team=service["teams"]["south"],
    )
    return person


def dob(date, prefix="date_of_birth"):
    return {f"{prefix}_day": date.day, f"{prefix}_month": date.month, f"{prefix}_year": date.year}


def referral_data(person, site, **overrides):
    received = dt.datetime.now() - dt.timedelta(hours=1)  # noqa: DTZ005 - typed as local time
    data = {
        "person": person.pk,
        "site": site.pk,
        "pathway_point": "custody",
        "referral_source": "E1",
        "referral_received_at_day": received.day,
        "referral_received_at_month": received.month,
        "referral_received_at_year": received.year,
        "referral_received_at_time": f"{received:%H:%M}",
        "custody_record_number": "CR/123",
    }
    return data | overrides


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("practitioner", 200),
        ("team_leader", 200),
        ("other_practitioner", 200),
        ("service_manager", 403),
        ("commissioner", 403),
        ("police", 403),
        ("anonymous", 302),
    ],
)
def test_intake_search_page_by_role(client_for, role, status):
    """Practitioners and team leaders may start an intake; nobody else may."""

    response = client_for(role).get("/episodes/new/")

    assert response.status_code == status


def test_intake_search_shows_minimal_identity_outside_the_caseload(client_for, daniel, users):
    """Someone known only to another team shows name, date of birth and Divert ID, with the
    reasons, but not their NHS number or PNC ID."""
    client = client_for("practitioner")

    response = client.post(
        "/episodes/new/", {"family_name": "Hargraves", **dob(dt.date(1990, 7, 3))}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Daniel Hargreaves" in html
    assert daniel.local_id in html
    assert "7 March 1990" in html
    assert "Date of birth matches with day and month swapped" in html
    assert "Not on your caseload" in html
    assert "401 023 2137" not in html
    assert "12/654321A" not in html


def test_intake_search_writes_one_audit_event_without_values(client_for, daniel, users):
    """Each search writes one 'search' event: field names and result ids, no values."""
    client = client_for("practitioner")
    before = AuditEvent.objects.count()

    client.post("/episodes/new/", {"nhs_number": "401 023 2137"})

    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.order_by("-sequence").first()
    assert event.action == "search"
    assert event.changes == {"fields": ["nhs_number"], "result_person_ids": [daniel.pk]}
    assert "4010232137" not in str(event.changes)


def test_intake_search_page_alone_writes_no_audit_event(client_for, users):
    """Opening the empty search form reads no personal data."""
    client = client_for("practitioner")
    before = AuditEvent.objects.count()

    client.get("/episodes/new/")

    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Enter an NHS number, a PNC ID, or a family name and date of birth"),
        ({"family_name": "Hargreaves"}, "Enter an NHS number, a PNC ID, or a family name and"),
        ({"nhs_number": "4010232138"}, "This NHS number is not valid: its check digit does not"),
        ({"pnc_id": "123456"}, "Enter a PNC ID as year/serial number and check letter"),
        (
            {"family_name": "Hargreaves", **dob(BORN) | {"date_of_birth_month": "13"}},
            "The date of birth must be a real date",
        ),
    ],
)
def test_intake_search_invalid_shows_the_error_summary(client_for, users, data, message):
    """Invalid searches explain what to enter, in the NHS.UK error summary."""

    html = client_for("practitioner").post("/episodes/new/", data).content.decode()

    assert "There is a problem" in html
    assert message in html


def test_add_person_validates_by_field(client_for, users):
    """A new person needs names and a real date of birth; NHS numbers are checked (Modulus 11)."""
    data = {
        "given_name": "",
        "family_name": "Newperson",
        **dob(BORN),
        "nhs_number": "4010232138",
        "pnc_id": "nope",
        "postcode": "ZZZ",
        "gender_identity": "X",
        "ethnic_category": "99",
    }

    response = client_for("practitioner").post("/episodes/new/person/", data)

    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert 'href="#id_given_name"' in html
    assert "Enter the person&#39;s given name" in html
    assert "This NHS number is not valid: its check digit does not match" in html
    assert "Enter a PNC ID as year/serial number and check letter" in html
    assert "Enter a full UK postcode" in html
    assert not Person.objects.filter(family_name="Newperson").exists()


def test_add_person_refuses_a_known_nhs_number(client_for, daniel):
    """An NHS number already on a current person is refused, pointing back to the search."""
    data = {
        "given_name": "Dan",
        "family_name": "Other",
        **dob(BORN),
        "nhs_number": "4010232137",
        "gender_identity": "X",
        "ethnic_category": "99",
    }

    html = client_for("practitioner").post("/episodes/new/person/", data).content.decode()

    assert "Another person already has this NHS number" in html


def test_add_person_prefills_from_the_search_by_post(client_for, users):
    """'Add a new person' carries the search answers in the form body, not the address."""

    html = (
        client_for("practitioner")
        .post(
            "/episodes/new/person/",
            {"prefill": "1", "family_name": "Newperson", **dob(BORN)},
        )
        .content.decode()
    )

    assert 'value="Newperson"' in html
    assert "There is a problem" not in html


def test_add_person_then_referral_opens_an_episode(client_for, service, users):
    """A new person, then the referral details, opens an episode on the adult pathway."""
    client = client_for("practitioner")
    person_data = {
        "given_name": "Pat",
        "family_name": "Newperson",
        **dob(BORN),
        "nhs_number": "",
        "gender_identity": "X",
        "ethnic_category": "99",
        "has_no_fixed_abode": "on",
    }

    created = client.post("/episodes/new/person/", person_data)
    person = Person.objects.get(family_name="Newperson")
    step_two = client.get(created["Location"])
    opened = client.post(
        "/episodes/new/referral/", referral_data(person, service["sites"]["north-custody"])
    )

    assert created.status_code == 302
    assert created["Location"] == f"/episodes/new/referral/?person={person.pk}"
    assert "Pat Newperson" in step_two.content.decode()
    episode = Episode.objects.get(person=person)
    assert opened["Location"] == f"/episodes/{episode.pk}/"
    assert episode.pathway == "adult"
    assert episode.custody_record_number == "CR/123"
    assert person.has_no_fixed_abode is True


def test_referral_for_someone_found_in_the_search(client_for, service, daniel):
    """'Use this person' on a search result opens step 2 for that person."""
    client = client_for("practitioner")
    client.post("/episodes/new/", {"nhs_number": "4010232137"})

    page = client.get(f"/episodes/new/referral/?person={daniel.pk}")
    client.post("/episodes/new/referral/", referral_data(daniel, service["sites"]["north-custody"]))

    assert page.status_code == 200
    assert Episode.objects.filter(person=daniel, team=service["teams"]["north"]).exists()


def test_referral_refuses_a_person_not_found_by_this_user(client_for, daniel):
    """A person id typed into the address opens nothing: it must come from the user's search."""

    response = client_for("practitioner").get(f"/episodes/new/referral/?person={daniel.pk}")

    assert response.status_code == 404


def test_referral_without_a_person_goes_back_to_the_search(client_for, users):
    """Step 2 without a person sends the user to step 1."""

    response = client_for("practitioner").get("/episodes/new/referral/")

    assert response["Location"] == "/episodes/new/"


def test_referral_sites_are_the_users_team_sites(client_for, service, users):
    """Only the user's team's sites can be chosen; another team's site is refused."""
    client = client_for("practitioner")
    person = factories.person(users["practitioner"])
    episode = factories.episode(
        users["practitioner"],
        subject=person,
        site=service["sites"]["north-custody"],
        team=service["teams"]["north"],
    )

    page = client.get(f"/episodes/new/referral/?person={episode.person_id}").content.decode()
    refused = client.post(
        "/episodes/new/referral/", referral_data(person, service["sites"]["south-custody"])
    ).content.decode()

    assert "North custody suite" in page
    assert "South custody suite" not in page
    assert "Choose one of your team&#39;s sites" in refused


def test_referral_sources_list_justice_codes_first(client_for, service, users):
    """The referral source list starts with the justice-system codes E1 to E6."""
    episode = factories.episode(
        users["practitioner"],
        site=service["sites"]["north-custody"],
        team=service["teams"]["north"],
    )

    html = (
        client_for("practitioner")
        .get(f"/episodes/new/referral/?person={episode.person_id}")
        .content.decode()
    )

    assert html.index("Justice system - police") < html.index("Primary care - GP practice")
    assert html.index("Justice system - youth offending team") < html.index(
        "Primary care - GP practice"
    )


def test_referral_invalid_shows_errors(client_for, service, users):
    """Missing answers and a detention after the referral are explained by field."""
    episode = factories.episode(
        users["practitioner"],
        site=service["sites"]["north-custody"],
        team=service["teams"]["north"],
    )
    data = referral_data(episode.person, service["sites"]["north-custody"]) | {
        "pathway_point": "",
        "detained_at_day": "1",
        "detained_at_month": "1",
        "detained_at_year": "2999",
        "detained_at_time": "10:00",
    }

    html = client_for("practitioner").post("/episodes/new/referral/", data).content.decode()

    assert "There is a problem" in html
    assert "Choose the point in the pathway" in html
    assert "The arrest or detention time must not be in the future" in html


def test_referral_for_a_fifteen_year_old_is_youth(client_for, service, users):
    """Age at referral decides the pathway: a 15-year-old is on the youth pathway."""
    client = client_for("practitioner")
    client.post(
        "/episodes/new/person/",
        {
            "given_name": "Kayla",
            "family_name": "Young",
            **dob(factories.born_years_ago(15)),
            "gender_identity": "2",
            "ethnic_category": "99",
        },
    )
    person = Person.objects.get(family_name="Young")

    client.post("/episodes/new/referral/", referral_data(person, service["sites"]["north-custody"]))

    assert Episode.objects.get(person=person).pathway == "youth"


def test_intake_search_query_count_does_not_grow_with_matches(
    client_for, daniel, users, service, django_assert_max_num_queries
):
    """Fifteen people found, by rule and by the linkage engine, on the caseload or not, with
    aliases, cost no more queries than one (no N+1)."""
    client = client_for("practitioner")
    search = {"given_name": "Daniel", "family_name": "Hargreaves", **dob(BORN)}
    with CaptureQueriesContext(connection) as one:
        client.post("/episodes/new/", search)
    author = users["practitioner"]
    north = {"site": service["sites"]["north-custody"], "team": service["teams"]["north"]}
    for number in range(15):
        family = ["Hargreaves", "Hargraves", "Hargreave", "Smith", "Hartley"][number % 5]
        person = factories.person(
            author,
            given_name=["Daniel", "Dan", "Danny"][number % 3],
            family_name=family,
            date_of_birth=BORN if number % 4 else dt.date(BORN.year, BORN.day, BORN.month),
        )
        if number % 3:
            factories.episode(author, subject=person, **north)
        if number % 4 == 0:
            people_actions.add_alias(person=person, by=author, family_name="Hargreaves")

    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.post("/episodes/new/", search)

    html = response.content.decode()
    assert sum(person.local_id in html for person in Person.objects.all()) > 10
