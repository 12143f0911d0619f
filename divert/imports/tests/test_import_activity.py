"""The historic-activity import: every check and its message, and what a valid file writes."""

import csv
import datetime as dt
import json
from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from divert.audit.models import AuditEvent
from divert.cases.models import Assessment, Episode, Need, Offer
from divert.imports import actions as import_actions
from divert.imports import activity
from divert.imports.actions import ImportRejectedError, import_activity
from divert.imports.models import ImportedEpisode, ImportedPerson, ImportedReferral, ImportRun
from divert.linkage import frequencies
from divert.linkage.models import NameFrequency, PersonKey
from divert.organisation.models import Site, SiteType
from divert.people import actions as people_actions
from divert.people.models import Person
from divert.referrals.models import OnwardReferral
from divert.reporting import facts
from divert.reporting.models import EpisodeFact
from divert.screening.models import Administration
from divert.sharing.models import Disclosure

pytestmark = pytest.mark.django_db


def nhs_number(serial: int) -> str:
    """A valid NHS number (Modulus 11) from a nine-digit serial."""
    while True:
        digits = f"{serial:09d}"
        total = sum(int(d) * (10 - i) for i, d in enumerate(digits))
        check = 11 - total % 11
        if check == 11:
            check = 0
        if check != 10:
            return digits + str(check)
        serial += 1


BASE = {
    "episode_ref": "E1",
    "person_ref": "P1",
    "nhs_number": "",
    "pnc_id": "",
    "given_name": "Alex",
    "family_name": "Example",
    "date_of_birth": "1990-07-14",
    "gender_identity": "1",
    "ethnic_category": "A",
    "postcode": "",
    "site_code": "north-custody",
    "referral_source": "E1",
    "referral_received_at": "2024-05-01T09:00:00+01:00",
    "offer_outcome": "accepted",
    "screened_at": "",
    "assessed_at": "",
    "vulnerabilities": "",
    "onward_referrals": "",
    "disclosed_at": "",
    "cj_decision_at": "",
    "closed_at": "",
    "closure_reason": "",
}


def write_csv(path, rows, columns=activity.COLUMNS):
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(columns)
        for row in rows:
            out.writerow([{**BASE, **row}.get(column, "") for column in columns])
    return path


@pytest.fixture
def operator(users):
    return users["admin"]


@pytest.fixture
def csv_file(tmp_path, service):
    def make(rows, name="activity.csv", columns=activity.COLUMNS):
        return write_csv(tmp_path / name, rows, columns)

    return make


def problems(path, operator):
    with pytest.raises(ImportRejectedError) as caught:
        import_activity(path=path, by=operator)
    return [activity.format_error(e) for e in caught.value.validation.errors]


# Header -------------------------------------------------------------------------------------


def test_header_names_unknown_missing_and_repeated_columns(csv_file, operator):
    columns = [c for c in activity.COLUMNS if c not in {"postcode", "closed_at"}]
    columns += ["favourite_colour", "episode_ref"]
    path = csv_file([{}], columns=columns)
    with pytest.raises(activity.FileError) as caught:
        import_activity(path=path, by=operator)
    assert [activity.format_error(e) for e in caught.value.errors] == [
        "line 1, column favourite_colour: unknown column",
        "line 1, column episode_ref: column appears more than once",
        "line 1, column postcode: missing column",
        "line 1, column closed_at: missing column",
    ]


def test_header_columns_may_come_in_any_order(csv_file, operator):
    path = csv_file([{}], columns=list(reversed(activity.COLUMNS)))
    result = import_activity(path=path, by=operator)
    assert result.counts["episodes_created"] == 1


def test_an_empty_file_is_refused(tmp_path, operator, service):
    path = tmp_path / "empty.csv"
    path.write_text("")
    with pytest.raises(activity.FileError, match="line 1: the file is empty"):
        import_activity(path=path, by=operator)


def test_a_file_that_is_not_utf8_is_refused(tmp_path, operator, service):
    path = tmp_path / "latin1.csv"
    path.write_bytes(",".join(activity.COLUMNS).encode() + b"\nE1,P1,,,Zo\xeb\n")
    with pytest.raises(activity.FileError, match="the file is not UTF-8"):
        import_activity(path=path, by=operator)


# Every row rule, with its exact message ------------------------------------------------------

RULES = [
    ({"episode_ref": ""}, "column episode_ref: is required"),
    ({"person_ref": ""}, "column person_ref: is required"),
    ({"episode_ref": "E" * 65}, "column episode_ref: must be at most 64 characters"),
    ({"given_name": ""}, "column given_name: is required"),
    ({"family_name": ""}, "column family_name: is required"),
    ({"date_of_birth": ""}, "column date_of_birth: is required"),
    (
        {"date_of_birth": "14/07/1990"},
        "column date_of_birth: must be a date as YYYY-MM-DD, like 1990-07-14",
    ),
    (
        {"date_of_birth": "1990-02-30"},
        "column date_of_birth: is not a real date (day is out of range for month)",
    ),
    ({"date_of_birth": "2999-01-01"}, "column date_of_birth: cannot be in the future"),
    (
        {"nhs_number": "9434765918"},
        "column nhs_number: This NHS number is not valid: its check digit does not match. "
        "Check it has been copied correctly",
    ),
    (
        {"nhs_number": "94347659"},
        "column nhs_number: Enter an NHS number with 10 digits, like 943 476 5919",
    ),
    (
        {"pnc_id": "123456"},
        "column pnc_id: Enter a PNC ID as year/serial number and check letter, like 08/123456K",
    ),
    (
        {"gender_identity": "M"},
        "column gender_identity: 'M' is not an NHS gender identity code (1, 2, 3, 4, X or Z)",
    ),
    ({"gender_identity": ""}, "column gender_identity: is required"),
    (
        {"ethnic_category": "Q"},
        "column ethnic_category: 'Q' is not an NHS ethnic category code (A to Z, or 99)",
    ),
    ({"postcode": "NOT A POSTCODE"}, "column postcode: Enter a full UK postcode, like TS1 2AB"),
    (
        {"site_code": "mars-custody"},
        "column site_code: 'mars-custody' is not a configured site (divert sites --json lists "
        "them)",
    ),
    ({"site_code": ""}, "column site_code: is required"),
    (
        {"referral_source": "ZZ"},
        "column referral_source: 'ZZ' is not an MHSDS source-of-referral code, like E1",
    ),
    ({"referral_received_at": ""}, "column referral_received_at: is required"),
    (
        {"referral_received_at": "2024-05-01T09:00:00"},
        "column referral_received_at: must be an ISO 8601 date and time with an offset or Z, "
        "like 2024-03-31T09:15:00+01:00",
    ),
    (
        {"referral_received_at": "2024-05-01 09:00:00Z"},
        "column referral_received_at: must be an ISO 8601 date and time with an offset or Z, "
        "like 2024-03-31T09:15:00+01:00",
    ),
    (
        {"referral_received_at": "2024-13-01T09:00:00Z"},
        "column referral_received_at: is not a real date and time (month must be in 1..12)",
    ),
    (
        {"referral_received_at": "2030-05-01T09:00:00Z"},
        "column referral_received_at: cannot be in the future",
    ),
    (
        {"offer_outcome": "maybe"},
        "column offer_outcome: 'maybe' is not one of accepted, declined, not_possible, not_offered",
    ),
    ({"offer_outcome": ""}, "column offer_outcome: is required"),
    (
        {"screened_at": "2024-05-01"},
        "column screened_at: must be an ISO 8601 date and time with an offset or Z, like "
        "2024-03-31T09:15:00+01:00",
    ),
    (
        {"assessed_at": "2024-05-01T08:00:00+01:00"},
        "column assessed_at: cannot be before referral_received_at",
    ),
    (
        {"disclosed_at": "2024-05-01T07:59:00Z"},
        "column disclosed_at: cannot be before referral_received_at",
    ),
    (
        {"cj_decision_at": "2024-04-30T09:00:00+01:00"},
        "column cj_decision_at: cannot be before referral_received_at",
    ),
    (
        {"vulnerabilities": "mental_health;werewolf"},
        "column vulnerabilities: 'werewolf' is not a code in the vulnerability list",
    ),
    (
        {"onward_referrals": "housing"},
        "column onward_referrals: 'housing' must be category:status, like housing:sent",
    ),
    (
        {"onward_referrals": "spa:sent"},
        "column onward_referrals: 'spa' is not a code in the service-category list",
    ),
    (
        {"onward_referrals": "housing:lost"},
        "column onward_referrals: 'lost' is not a status (sent, accepted, declined, attended, "
        "did_not_attend)",
    ),
    (
        {"closed_at": "2024-05-02T09:00:00Z"},
        "column closure_reason: is required when closed_at is given",
    ),
    ({"closure_reason": "other"}, "column closed_at: is required when closure_reason is given"),
    (
        {"closed_at": "2024-05-02T09:00:00Z", "closure_reason": "bored"},
        "column closure_reason: 'bored' is not a code in the closure-reason list",
    ),
    (
        {"closed_at": "2024-05-01T07:00:00Z", "closure_reason": "other"},
        "column closed_at: cannot be before referral_received_at",
    ),
    (
        {"date_of_birth": "2015-01-01"},
        "column referral_received_at: the person was 9 at referral; L&D works with people aged "
        "10 and over",
    ),
    ({"date_of_birth": "1890-01-01"}, "column date_of_birth: gives an age of 134 at referral"),
]


@pytest.mark.parametrize(("row", "message"), RULES, ids=[m.split(":")[0] for _, m in RULES])
def test_each_rule_names_line_column_and_problem(csv_file, operator, row, message):
    path = csv_file([{"episode_ref": "OK", "person_ref": "OK"}, row])
    assert problems(path, operator) == [f"line 3, {message}"]
    assert Episode.objects.count() == 0


def test_a_site_no_team_covers_is_refused(csv_file, operator, service):
    Site.objects.create(
        service=service["ld"],
        force_area=service["sites"]["north-custody"].force_area,
        code="orphan-court",
        name="Orphan court",
        site_type=SiteType.CROWN_COURT,
    )
    path = csv_file([{"site_code": "orphan-court"}])
    assert problems(path, operator) == [
        "line 2, column site_code: no team covers the site 'orphan-court'"
    ]


def test_rows_are_checked_against_each_other(csv_file, operator):
    number = nhs_number(412345678)
    path = csv_file(
        [
            {"episode_ref": "E1", "person_ref": "P1", "nhs_number": number},
            {"episode_ref": "E1", "person_ref": "P1", "nhs_number": number},
            {"episode_ref": "E3", "person_ref": "P1", "date_of_birth": "1991-07-14"},
            {"episode_ref": "E4", "person_ref": "P2", "nhs_number": number},
            {"episode_ref": "E5", "person_ref": "P3", "pnc_id": "08/1K"},
            {"episode_ref": "E6", "person_ref": "P4", "pnc_id": "08/1k"},
        ]
    )
    assert problems(path, operator) == [
        "line 3, column episode_ref: appears more than once (first on line 2)",
        "line 4, column nhs_number: differs from line 2 for the same person_ref",
        "line 4, column date_of_birth: differs from line 2 for the same person_ref",
        "line 5, column nhs_number: is also given for a different person_ref on line 2",
        "line 7, column pnc_id: is also given for a different person_ref on line 6",
    ]


def test_identifiers_are_compared_as_normalised(csv_file, operator):
    path = csv_file(
        [
            {"nhs_number": "943 476 5919", "pnc_id": "08/123456k"},
            {"episode_ref": "E2", "nhs_number": "9434765919", "pnc_id": "08/123456K"},
        ]
    )
    assert import_activity(path=path, by=operator).counts["people_created"] == 1


def test_a_row_with_the_wrong_number_of_fields_is_refused(csv_file, operator):
    path = csv_file([{}])
    with path.open("a") as handle:
        handle.write("E2,P2,too,few\n")
    assert problems(path, operator) == ["line 3: has 4 fields; the header has 22"]


def test_every_problem_in_the_file_is_reported_at_once(csv_file, operator):
    path = csv_file(
        [
            {"episode_ref": "E1", "gender_identity": "M", "site_code": "nowhere"},
            {"episode_ref": "E2", "person_ref": "P2"},
            {"episode_ref": "E3", "person_ref": "P3", "referral_received_at": "yesterday"},
        ]
    )
    found = problems(path, operator)
    assert [p.split(":")[0] for p in found] == [
        "line 2, column gender_identity",
        "line 2, column site_code",
        "line 4, column referral_received_at",
    ]


def test_line_numbers_count_records_as_a_spreadsheet_does(csv_file, operator):
    """A quoted field with a newline is one spreadsheet row, however many lines it spans."""
    path = csv_file([{"episode_ref": "E1", "given_name": "Alex\nJordan"}, {"gender_identity": "M"}])
    assert problems(path, operator)[0].startswith("line 3, column gender_identity")


def test_blank_lines_are_skipped_but_counted(csv_file, operator):
    path = csv_file([{}, {"episode_ref": "E3", "gender_identity": "M"}])
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join([*lines[:2], "\n", *lines[2:]]))
    assert problems(path, operator)[0].startswith("line 4, column gender_identity")


# All or nothing, skip-invalid, dry run -------------------------------------------------------


def test_one_bad_row_in_five_thousand_writes_nothing(csv_file, operator):
    rows = [{"episode_ref": f"E{i}", "person_ref": f"P{i}"} for i in range(2, 5001)]
    rows[-1]["vulnerabilities"] = "werewolf"  # spreadsheet line 5,000
    path = csv_file(rows)
    assert problems(path, operator) == [
        "line 5000, column vulnerabilities: 'werewolf' is not a code in the vulnerability list"
    ]
    assert Person.objects.count() == 0
    assert Episode.objects.count() == 0
    assert ImportRun.objects.count() == 0
    assert not AuditEvent.objects.filter(event="import.activity").exists()


def test_a_bad_row_after_rows_already_written_leaves_nothing(csv_file, operator, monkeypatch):
    """Rows are written as they pass; a later problem rolls the whole file back."""
    monkeypatch.setattr(import_actions, "BATCH_SIZE", 2)
    rows = [{"episode_ref": f"E{i}", "person_ref": f"P{i}"} for i in range(5)]
    rows[-1]["offer_outcome"] = "maybe"

    found = problems(csv_file(rows), operator)

    assert found == [
        "line 6, column offer_outcome: 'maybe' is not one of accepted, declined, not_possible, "
        "not_offered"
    ]
    assert not Person.objects.exists()
    assert not Episode.objects.exists()
    assert not PersonKey.objects.exists()
    assert not ImportedEpisode.objects.exists()
    assert not ImportRun.objects.exists()
    assert not AuditEvent.objects.filter(event="import.activity").exists()


def test_skip_invalid_rejects_a_later_row_that_disagrees_with_one_written(
    csv_file, operator, monkeypatch
):
    """A row is checked against the rows before it, so the later of two disagreeing rows goes."""
    monkeypatch.setattr(import_actions, "BATCH_SIZE", 1)
    path = csv_file(
        [
            {},
            {"episode_ref": "E1", "person_ref": "P2"},
            {"episode_ref": "E3", "date_of_birth": "1991-07-14"},
            {"episode_ref": "E4"},
        ]
    )

    result = import_activity(path=path, by=operator, skip_invalid=True)

    assert [activity.format_error(e) for e in result.validation.errors] == [
        "line 3, column episode_ref: appears more than once (first on line 2)",
        "line 4, column date_of_birth: differs from line 2 for the same person_ref",
    ]
    assert sorted(ImportedEpisode.objects.values_list("episode_ref", flat=True)) == ["E1", "E4"]
    assert Person.objects.get().date_of_birth == dt.date(1990, 7, 14)
    assert Person.objects.get().episodes.count() == 2


def test_skip_invalid_writes_valid_rows_and_a_rejects_file(csv_file, operator, tmp_path):
    path = csv_file(
        [
            {"episode_ref": "E1"},
            {"episode_ref": "E2", "person_ref": "P2", "offer_outcome": "maybe"},
            {"episode_ref": "E3", "person_ref": "P3"},
        ]
    )
    rejects = tmp_path / "rejects.csv"
    out, err = StringIO(), StringIO()
    call_command(
        "import",
        "activity",
        str(path),
        "--by",
        operator.username,
        "--skip-invalid",
        "--rejects",
        str(rejects),
        stdout=out,
        stderr=err,
    )
    assert set(ImportedEpisode.objects.values_list("episode_ref", flat=True)) == {"E1", "E3"}
    with rejects.open(newline="") as handle:
        rejected = list(csv.DictReader(handle))
    assert len(rejected) == 1
    assert rejected[0]["episode_ref"] == "E2"
    assert rejected[0]["line"] == "3"
    assert rejected[0]["error"] == (
        "offer_outcome: 'maybe' is not one of accepted, declined, not_possible, not_offered"
    )
    assert "line 3, column offer_outcome" in err.getvalue()
    run = ImportRun.objects.get()
    assert (run.rows_read, run.episodes_created, run.rows_rejected) == (3, 2, 1)
    assert "2 episodes and 2 people created" in out.getvalue()


def test_the_command_prints_every_problem_and_fails(csv_file, operator):
    path = csv_file(
        [{"gender_identity": "M"}, {"episode_ref": "E2", "person_ref": "P2", "site_code": "x"}]
    )
    err = StringIO()
    with pytest.raises(CommandError, match="Nothing imported: 2 problems on 2 of 2 rows"):
        call_command("import", "activity", str(path), "--by", operator.username, stderr=err)
    assert err.getvalue().splitlines() == [
        "line 2, column gender_identity: 'M' is not an NHS gender identity code (1, 2, 3, 4, X "
        "or Z)",
        "line 3, column site_code: 'x' is not a configured site (divert sites --json lists them)",
    ]


def test_dry_run_checks_and_counts_but_writes_nothing(csv_file, operator):
    path = csv_file([{}, {"episode_ref": "E2"}])
    out = StringIO()
    call_command(
        "import", "activity", str(path), "--by", operator.username, "--dry-run", stdout=out
    )
    assert "Would import activity.csv: 2 rows read, 2 episodes and 1 people created" in (
        out.getvalue()
    )
    assert Episode.objects.count() == 0
    assert Person.objects.count() == 0
    assert ImportRun.objects.count() == 0


def test_an_unknown_operator_is_refused(csv_file):
    path = csv_file([{}])
    with pytest.raises(CommandError, match="No active user with the username 'nobody'"):
        call_command("import", "activity", str(path), "--by", "nobody")


# What a valid file writes --------------------------------------------------------------------


def test_a_row_becomes_ordinary_records(csv_file, operator, service):
    path = csv_file(
        [
            {
                "nhs_number": "943 476 5919",
                "pnc_id": "08/123456k",
                "postcode": "ts12ab",
                "site_code": "north-court",
                "screened_at": "2024-05-01T10:00:00+01:00",
                "assessed_at": "2024-05-01T11:00:00+01:00",
                "vulnerabilities": "mental_health; autism;mental_health",
                "onward_referrals": "housing:attended;mental_health:did_not_attend",
                "disclosed_at": "2024-05-01T12:00:00+01:00",
                "cj_decision_at": "2024-05-01T13:00:00+01:00",
                "closed_at": "2024-05-20T09:00:00Z",
                "closure_reason": "completed_referred_on",
            }
        ]
    )
    result = import_activity(path=path, by=operator)
    assert result.counts["episodes_created"] == 1
    person = Person.objects.get()
    assert (person.nhs_number, person.pnc_id, person.postcode) == (
        "9434765919",
        "08/123456K",
        "TS1 2AB",
    )
    assert person.is_synthetic is False
    assert person.local_id == "DIV-0000001"
    assert PersonKey.objects.filter(person=person).exists()
    episode = Episode.objects.get()
    assert episode.reference == "LD24-000001"
    assert episode.site == service["sites"]["north-court"]
    assert episode.team == service["teams"]["north"]
    assert episode.pathway_point == "magistrates_court"
    assert (episode.age_at_referral, episode.pathway) == (33, "adult")
    assert episode.referral_received_at == dt.datetime(2024, 5, 1, 8, 0, tzinfo=dt.UTC)
    assert episode.closed_at == dt.datetime(2024, 5, 20, 9, 0, tzinfo=dt.UTC)
    assert episode.closure_reason == "completed_referred_on"
    offer = Offer.objects.get()
    assert (offer.outcome, offer.offered_at) == ("accepted", episode.referral_received_at)
    assert sorted(Need.objects.values_list("category", "identified_by")) == [
        ("autism", "ld_practitioner"),
        ("mental_health", "ld_practitioner"),
    ]
    assessment = Assessment.objects.get()
    assert assessment.started_at == assessment.completed_at
    assert assessment.started_at == dt.datetime(2024, 5, 1, 10, 0, tzinfo=dt.UTC)
    imported = ImportedEpisode.objects.get()
    assert (imported.episode, imported.episode_ref) == (episode, "E1")
    assert imported.screened_at == dt.datetime(2024, 5, 1, 9, 0, tzinfo=dt.UTC)
    assert imported.disclosed_at == dt.datetime(2024, 5, 1, 11, 0, tzinfo=dt.UTC)
    assert imported.cj_decision_at == dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)
    assert sorted(ImportedReferral.objects.values_list("category", "status")) == [
        ("housing", "attended"),
        ("mental_health", "did_not_attend"),
    ]
    assert ImportedPerson.objects.get().person == person
    # No screening, onward referral or disclosure records: those facts live in imports.
    assert not Administration.objects.exists()
    assert not OnwardReferral.objects.exists()
    assert not Disclosure.objects.exists()


def test_offer_outcomes(csv_file, operator):
    path = csv_file(
        [
            {"episode_ref": "A", "offer_outcome": "accepted"},
            {"episode_ref": "D", "offer_outcome": "declined"},
            {"episode_ref": "N", "offer_outcome": "not_possible"},
            {"episode_ref": "O", "offer_outcome": "not_offered"},
        ]
    )
    import_activity(path=path, by=operator)
    offers = {o.episode.imported.episode_ref: o for o in Offer.objects.select_related("episode")}
    assert set(offers) == {"A", "D", "N"}
    assert offers["N"].not_possible_reason == "other"
    assert offers["D"].not_possible_reason == ""


def test_an_under_16_accepting_is_recorded_as_competence_not_assessed(csv_file, operator):
    path = csv_file([{"date_of_birth": "2010-01-01"}])
    import_activity(path=path, by=operator)
    episode = Episode.objects.get()
    assert (episode.age_at_referral, episode.pathway) == (14, "youth")
    assert Offer.objects.get().competence == "not_assessed"


def test_clock_change_offsets_and_the_local_date_of_referral(csv_file, operator):
    """27 October 2024: 01:30 happens twice in London. 18th birthday that day."""
    path = csv_file(
        [
            # 23:30 UTC on the 26th is 00:30 BST on the 27th: already 18.
            {
                "episode_ref": "BST",
                "date_of_birth": "2006-10-27",
                "referral_received_at": "2024-10-26T23:30:00Z",
            },
            # 01:30 GMT (the second 01:30) on the 27th, written with its offset.
            {
                "episode_ref": "GMT",
                "person_ref": "P2",
                "referral_received_at": "2024-10-27T01:30:00+00:00",
            },
            # 01:30 BST (the first 01:30), one hour earlier.
            {
                "episode_ref": "FIRST",
                "person_ref": "P3",
                "referral_received_at": "2024-10-27T01:30:00+01:00",
            },
            # The last evening of 2024 in UTC is already 2025 in... no: London is UTC in winter.
            {
                "episode_ref": "NEWYEAR",
                "person_ref": "P4",
                "referral_received_at": "2024-12-31T23:30:00-01:00",
            },
        ]
    )
    import_activity(path=path, by=operator)
    by_ref = {e.imported.episode_ref: e for e in Episode.objects.select_related("imported").all()}
    assert by_ref["BST"].age_at_referral == 18
    assert by_ref["BST"].pathway == "adult"
    gap = by_ref["GMT"].referral_received_at - by_ref["FIRST"].referral_received_at
    assert gap == dt.timedelta(hours=1)
    assert by_ref["GMT"].referral_received_at == dt.datetime(2024, 10, 27, 1, 30, tzinfo=dt.UTC)
    # 00:30 on 1 January 2025 in London: the reference takes the local year.
    assert by_ref["NEWYEAR"].reference.startswith("LD25-")


def test_one_day_short_of_18_in_local_time_is_youth(csv_file, operator):
    path = csv_file(
        [{"date_of_birth": "2006-10-27", "referral_received_at": "2024-10-26T22:30:00Z"}]
    )
    import_activity(path=path, by=operator)
    assert Episode.objects.get().pathway == "youth"


# Re-import, references across files, matching ------------------------------------------------


def test_reimporting_the_same_file_changes_nothing(csv_file, operator):
    path = csv_file([{}, {"episode_ref": "E2", "person_ref": "P2"}])
    import_activity(path=path, by=operator)
    before = (Person.objects.count(), Episode.objects.count(), Offer.objects.count())
    result = import_activity(path=path, by=operator)
    assert result.counts["rows_unchanged"] == 2
    assert result.counts["episodes_created"] == 0
    assert (Person.objects.count(), Episode.objects.count(), Offer.objects.count()) == before
    assert ImportRun.objects.count() == 2


def test_imported_people_are_counted_in_the_lookup_name_frequencies(csv_file, operator, users):
    """The import writes keys in bulk and counts their names, so intake lookups weigh them."""
    people_actions.create_person(
        by=users["practitioner"],
        given_name="Sam",
        family_name="Okafor",
        date_of_birth=dt.date(1990, 1, 1),
    )
    path = csv_file([{}, {"episode_ref": "E2", "person_ref": "P2"}])

    import_activity(path=path, by=operator)

    stored = NameFrequency.objects.values_list("kind", "value", "count")
    assert Counter({(kind, value): count for kind, value, count in stored}) == (
        frequencies.counts_from_keys()
    )
    assert PersonKey.objects.count() == 3


def test_a_person_ref_in_a_second_file_is_the_same_person(csv_file, operator):
    import_activity(path=csv_file([{}], name="first.csv"), by=operator)
    second = csv_file(
        [{"episode_ref": "E2", "referral_received_at": "2025-01-10T10:00:00Z"}],
        name="second.csv",
    )
    result = import_activity(path=second, by=operator)
    assert result.counts["people_created"] == 0
    person = Person.objects.get()
    assert person.episodes.count() == 2
    # The bulk insert re-derived the KPI facts, including the first episode's next referral.
    assert facts.stale_count() == 0
    first = EpisodeFact.objects.get(episode__imported__episode_ref="E1")
    assert first.next_referral_at == dt.datetime(2025, 1, 10, 10, tzinfo=dt.UTC)
    assert Episode.objects.get(imported__episode_ref="E2").reference == "LD25-000001"


def test_existing_people_are_matched_by_nhs_number_then_pnc_id(csv_file, operator, users):
    by_nhs = people_actions.create_person(
        by=users["practitioner"],
        given_name="Sam",
        family_name="Known",
        date_of_birth=dt.date(1990, 7, 14),
        nhs_number="9434765919",
    )
    by_pnc = people_actions.create_person(
        by=users["practitioner"],
        given_name="Jo",
        family_name="Known",
        date_of_birth=dt.date(1985, 1, 2),
        pnc_id="2008/123456K",
    )
    path = csv_file(
        [
            {"episode_ref": "E1", "person_ref": "P1", "nhs_number": "9434765919"},
            {
                "episode_ref": "E2",
                "person_ref": "P2",
                "pnc_id": "2008/123456K",
                "date_of_birth": "1985-01-02",
            },
            {"episode_ref": "E3", "person_ref": "P3"},
        ]
    )
    result = import_activity(path=path, by=operator)
    assert result.counts["people_created"] == 1
    assert result.counts["people_matched"] == 2
    assert Episode.objects.get(imported__episode_ref="E1").person == by_nhs
    assert Episode.objects.get(imported__episode_ref="E2").person == by_pnc
    assert ImportedPerson.objects.get(person_ref="P2").person == by_pnc
    # The new person's Divert ID follows the existing ones.
    assert Episode.objects.get(imported__episode_ref="E3").person.local_id == "DIV-0000003"


def test_a_match_with_another_date_of_birth_is_refused(csv_file, operator, users):
    people_actions.create_person(
        by=users["practitioner"],
        given_name="Sam",
        family_name="Known",
        date_of_birth=dt.date(1980, 1, 1),
        nhs_number="9434765919",
    )
    person = Person.objects.get()
    path = csv_file([{"nhs_number": "9434765919"}])
    assert problems(path, operator) == [
        f"line 2, column date_of_birth: differs from the date of birth of {person.local_id}, "
        "who has this NHS number"
    ]


# Audit and visibility -------------------------------------------------------------------------


def test_one_audit_event_with_counts_and_no_personal_data(csv_file, operator):
    path = csv_file(
        [{"nhs_number": "9434765919"}, {"episode_ref": "E2", "nhs_number": "9434765919"}]
    )
    import_activity(path=path, by=operator)
    event = AuditEvent.objects.get(event="import.activity")
    run = ImportRun.objects.get()
    assert event.action == AuditEvent.Action.IMPORT
    assert event.actor_id == operator.pk
    assert event.changes["episodes_created"] == 2
    assert event.changes["people_created"] == 1
    text = json.dumps(event.changes)
    for personal in ("Alex", "Example", "9434765919", "1990-07-14", "E2", "P1"):
        assert personal not in text
    assert (run.operator, run.file_name, run.rows_read) == (operator, "activity.csv", 2)
    assert len(run.file_sha256) == 64
    assert run.finished_at is not None
    # The import writes no per-record events.
    assert not AuditEvent.objects.filter(event__in=["episode.opened", "person.created"]).exists()


def test_imported_episodes_show_on_the_episode_page_for_the_right_team(
    csv_file, operator, client_for
):
    import_activity(path=csv_file([{"vulnerabilities": "autism"}]), by=operator)
    episode = Episode.objects.get()
    url = reverse("cases:episode_detail", args=[episode.pk])
    page = client_for("practitioner").get(url)
    assert page.status_code == 200
    assert episode.reference in page.content.decode()
    assert client_for("other_practitioner").get(url).status_code == 404


def test_sites_json_lists_code_name_type_and_force_area(service):
    out = StringIO()
    call_command("sites", "--json", stdout=out)
    sites = json.loads(out.getvalue())
    assert sites[0] == {
        "code": "north-court",
        "name": "North Magistrates' Court",
        "type": "magistrates_court",
        "force_area": "north",
        "force_area_name": "North Police",
        "is_active": True,
    }
    assert [s["code"] for s in sites] == ["north-court", "north-custody", "south-custody"]


def test_progress_is_reported_on_stderr_with_a_rate(csv_file, operator, monkeypatch):
    monkeypatch.setattr(activity, "PROGRESS_EVERY", 2)
    path = csv_file([{"episode_ref": f"E{i}", "person_ref": f"P{i}"} for i in range(5)])
    err = StringIO()
    call_command("import", "activity", str(path), "--by", operator.username, stderr=err)
    lines = err.getvalue().splitlines()
    assert lines[0].startswith("checked 2 rows (")
    assert lines[0].endswith(" rows/s)")
    assert any(line.startswith("written 5 rows") for line in lines)


def test_a_dry_run_is_audited_as_one_event_without_a_run(csv_file, operator):
    import_activity(path=csv_file([{}]), by=operator, dry_run=True)
    event = AuditEvent.objects.get(event="import.activity")
    assert event.changes["dry_run"] is True
    assert event.changes["episodes_created"] == 1
    assert not ImportRun.objects.exists()


def test_synthetic_is_only_set_when_asked(csv_file, operator):
    import_activity(path=csv_file([{}]), by=operator, synthetic=True)
    assert Person.objects.get().is_synthetic is True


def test_records_created_after_an_import_get_new_ids(csv_file, operator, users):
    """The import's ids come from each table's own counter, so later actions never collide."""
    import_activity(path=csv_file([{}, {"episode_ref": "E2", "person_ref": "P2"}]), by=operator)

    later = people_actions.create_person(
        by=users["practitioner"],
        given_name="Sam",
        family_name="Later",
        date_of_birth=dt.date(1985, 1, 2),
    )

    imported = Person.objects.filter(import_refs__isnull=False).values_list("pk", flat=True)
    assert later.pk > max(imported)
    assert PersonKey.objects.filter(person=later).count() == 1
