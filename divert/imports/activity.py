"""Reading and checking a historic-activity CSV (``divert import activity``).

The file is read twice, so memory stays small for a million rows: ``scan_references``
collects the references and identifiers the database is asked about (once, in bulk), then
``check`` checks every row against the rules and the file's earlier rows and hands each row
that passes, parsed, to the writer in ``actions.py``.

Errors are ``(line, column, problem)``; the line is the row number a spreadsheet shows (the
header is line 1), whatever newlines a quoted field holds.
"""

import csv
import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from divert.cases.actions import age_and_pathway
from divert.cases.models import MINIMUM_AGE, OfferOutcome
from divert.core import codelists
from divert.imports.models import ImportedReferralStatus
from divert.people import identifiers

COLUMNS = (
    "episode_ref",
    "person_ref",
    "nhs_number",
    "pnc_id",
    "given_name",
    "family_name",
    "date_of_birth",
    "gender_identity",
    "ethnic_category",
    "postcode",
    "site_code",
    "referral_source",
    "referral_received_at",
    "offer_outcome",
    "screened_at",
    "assessed_at",
    "vulnerabilities",
    "onward_referrals",
    "disclosed_at",
    "cj_decision_at",
    "closed_at",
    "closure_reason",
)
# What must be the same on every row of one person_ref.
PERSON_COLUMNS = (
    "nhs_number",
    "pnc_id",
    "given_name",
    "family_name",
    "date_of_birth",
    "gender_identity",
    "ethnic_category",
)
# Identifiers are compared as normalised: "943 476 5919" is "9434765919".
NORMALISE = {
    "nhs_number": identifiers.normalise_nhs_number,
    "pnc_id": identifiers.normalise_pnc_id,
}
OPTIONAL_TIMES = ("screened_at", "assessed_at", "disclosed_at", "cj_decision_at", "closed_at")
MAX_REF = 64
MAX_AGE = 120
PROGRESS_EVERY = 10_000

DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# ISO 8601 extended format with seconds optional and an offset (or Z) required.
DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}:[0-9]{2})"
)
DATETIME_HINT = "an ISO 8601 date and time with an offset or Z, like 2024-03-31T09:15:00+01:00"

Error = tuple[int, str, str]


def format_error(error: Error) -> str:
    line, column, problem = error
    return f"line {line}, column {column}: {problem}" if column else f"line {line}: {problem}"


class FileError(Exception):
    """The file cannot be read as an activity file at all (encoding or header)."""

    def __init__(self, errors: list[Error]) -> None:
        super().__init__("\n".join(format_error(e) for e in errors))
        self.errors = errors


@dataclass
class Row:
    """One parsed, valid row: Python values ready to write."""

    line: int
    episode_ref: str
    person_ref: str
    nhs_number: str | None
    pnc_id: str | None
    given_name: str
    family_name: str
    date_of_birth: dt.date
    gender_identity: str
    ethnic_category: str
    postcode: str
    site_code: str
    referral_source: str
    referral_received_at: dt.datetime
    offer_outcome: str
    screened_at: dt.datetime | None
    assessed_at: dt.datetime | None
    vulnerabilities: list[str]
    onward_referrals: list[tuple[str, str]]
    disclosed_at: dt.datetime | None
    cj_decision_at: dt.datetime | None
    closed_at: dt.datetime | None
    closure_reason: str


@dataclass
class Lookups:
    """What the database already knows, fetched in bulk before the rows are checked."""

    sites: dict[str, Any] = field(default_factory=dict)  # code -> (site_id, team_id, type)
    imported_people: dict[str, Any] = field(default_factory=dict)  # person_ref -> Person
    people_by_nhs: dict[str, Any] = field(default_factory=dict)  # NHS number -> Person
    people_by_pnc: dict[str, list[Any]] = field(default_factory=dict)  # PNC ID -> [Person]
    imported_episodes: set[str] = field(default_factory=set)


@dataclass
class Validation:
    rows_read: int = 0
    errors: list[Error] = field(default_factory=list)
    invalid_lines: set[int] = field(default_factory=set)

    @property
    def is_valid(self) -> bool:
        return not self.errors


def read_records(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(line, fields) for every record, the header first as line 1; blank lines are skipped."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for index, record in enumerate(csv.reader(handle), start=1):
                if record and any(value.strip() for value in record):
                    yield index, record
    except UnicodeDecodeError as error:
        raise FileError([(0, "", f"the file is not UTF-8 ({error.reason})")]) from error


def check_header(header: list[str]) -> list[str]:
    names = [name.strip() for name in header]
    errors: list[Error] = []
    seen: set[str] = set()
    for name in names:
        if name not in COLUMNS:
            errors.append((1, name, "unknown column"))
        elif name in seen:
            errors.append((1, name, "column appears more than once"))
        seen.add(name)
    errors.extend((1, name, "missing column") for name in COLUMNS if name not in seen)
    if errors:
        raise FileError(errors)
    return names


def records(path: Path) -> Iterator[tuple[int, dict[str, str] | None, int]]:
    """(line, values by column or None when the field count is wrong, field count)."""
    stream = read_records(path)
    first = next(stream, None)
    if first is None:
        raise FileError([(1, "", "the file is empty: it needs a header line")])
    names = check_header(first[1])
    for line, values in stream:
        if len(values) != len(names):
            yield line, None, len(values)
        else:
            yield line, {n: v.strip() for n, v in zip(names, values, strict=True)}, len(values)


def parse_datetime(value: str) -> dt.datetime:
    if not DATETIME.fullmatch(value):
        raise ValueError(f"must be {DATETIME_HINT}")
    try:
        return dt.datetime.fromisoformat(value).astimezone(dt.UTC)
    except ValueError as error:
        raise ValueError(f"is not a real date and time ({error})") from error


def parse_date(value: str) -> dt.date:
    if not DATE.fullmatch(value):
        raise ValueError("must be a date as YYYY-MM-DD, like 1990-07-14")
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise ValueError(f"is not a real date ({error})") from error


def _message(error: ValidationError) -> str:
    return error.messages[0]


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


class RowParser:
    """Turns one record into a ``Row``, collecting every problem in it (not only the first)."""

    def __init__(self, lookups: Lookups, now: dt.datetime) -> None:
        self.lookups = lookups
        self.now = now
        self.zone = timezone.get_current_timezone()
        self.today = timezone.localtime(now, self.zone).date()
        self.genders = set(codelists.codes("gender-identity"))
        self.ethnicities = set(codelists.codes("ethnic-category"))
        self.sources = set(codelists.codes("referral-source"))
        self.vulnerabilities = set(codelists.codes("vulnerability"))
        self.categories = set(codelists.codes("service-category"))
        self.closure_reasons = set(codelists.codes("closure-reason"))
        self.statuses = set(ImportedReferralStatus.values)
        self.outcomes = set(OfferOutcome.values)

    def parse(self, line: int, v: dict[str, str]) -> tuple[Row | None, list[Error]]:
        errors: list[Error] = []

        def problem(column: str, text: str) -> None:
            errors.append((line, column, text))

        def required(column: str) -> str:
            value = v[column]
            if not value:
                problem(column, "is required")
            return value

        def coded(column: str, allowed: set[str], hint: str) -> str:
            value = required(column)
            if value and value not in allowed:
                problem(column, f"{value!r} is not {hint}")
            return value

        def time(column: str, *, is_required: bool = False) -> dt.datetime | None:
            value = required(column) if is_required else v[column]
            if not value:
                return None
            try:
                moment = parse_datetime(value)
            except ValueError as error:
                problem(column, str(error))
                return None
            if moment > self.now:
                problem(column, "cannot be in the future")
            return moment

        episode_ref = required("episode_ref")
        if len(episode_ref) > MAX_REF:
            problem("episode_ref", f"must be at most {MAX_REF} characters")
        person_ref = required("person_ref")
        if len(person_ref) > MAX_REF:
            problem("person_ref", f"must be at most {MAX_REF} characters")

        nhs_number = None
        if v["nhs_number"]:
            try:
                identifiers.validate_nhs_number(v["nhs_number"])
                nhs_number = identifiers.normalise_nhs_number(v["nhs_number"])
            except ValidationError as error:
                problem("nhs_number", _message(error))
        pnc_id = None
        if v["pnc_id"]:
            try:
                identifiers.validate_pnc_id(v["pnc_id"])
                pnc_id = identifiers.normalise_pnc_id(v["pnc_id"])
            except ValidationError as error:
                problem("pnc_id", _message(error))

        names = {}
        for column in ("given_name", "family_name"):
            names[column] = required(column)
            if len(names[column]) > 100:
                problem(column, "must be at most 100 characters")

        date_of_birth = None
        if required("date_of_birth"):
            try:
                date_of_birth = parse_date(v["date_of_birth"])
            except ValueError as error:
                problem("date_of_birth", str(error))
            else:
                if date_of_birth > self.today:
                    problem("date_of_birth", "cannot be in the future")
                    date_of_birth = None

        gender = coded(
            "gender_identity", self.genders, "an NHS gender identity code (1, 2, 3, 4, X or Z)"
        )
        ethnicity = coded(
            "ethnic_category", self.ethnicities, "an NHS ethnic category code (A to Z, or 99)"
        )

        postcode = ""
        if v["postcode"]:
            try:
                identifiers.validate_postcode(v["postcode"])
                postcode = identifiers.normalise_postcode(v["postcode"])
            except ValidationError as error:
                problem("postcode", _message(error))

        site_code = required("site_code")
        if site_code:
            site = self.lookups.sites.get(site_code)
            if site is None:
                problem(
                    "site_code",
                    f"{site_code!r} is not a configured site (divert sites --json lists them)",
                )
            elif site[1] is None:
                problem("site_code", f"no team covers the site {site_code!r}")

        source = coded("referral_source", self.sources, "an MHSDS source-of-referral code, like E1")
        received_at = time("referral_received_at", is_required=True)
        outcome = coded(
            "offer_outcome",
            self.outcomes,
            "one of accepted, declined, not_possible, not_offered",
        )
        times = {column: time(column) for column in OPTIONAL_TIMES}

        vulnerabilities: list[str] = []
        for code in _split(v["vulnerabilities"]):
            if code not in self.vulnerabilities:
                problem("vulnerabilities", f"{code!r} is not a code in the vulnerability list")
            elif code not in vulnerabilities:
                vulnerabilities.append(code)

        referrals: list[tuple[str, str]] = []
        for item in _split(v["onward_referrals"]):
            category, _, status = (part.strip() for part in item.partition(":"))
            if not status:
                problem("onward_referrals", f"{item!r} must be category:status, like housing:sent")
                continue
            if category not in self.categories:
                problem(
                    "onward_referrals", f"{category!r} is not a code in the service-category list"
                )
            if status not in self.statuses:
                problem(
                    "onward_referrals",
                    f"{status!r} is not a status (sent, accepted, declined, attended, "
                    "did_not_attend)",
                )
            referrals.append((category, status))

        closure_reason = v["closure_reason"]
        if closure_reason and closure_reason not in self.closure_reasons:
            problem(
                "closure_reason", f"{closure_reason!r} is not a code in the closure-reason list"
            )
        if v["closed_at"] and not closure_reason:
            problem("closure_reason", "is required when closed_at is given")
        if closure_reason and not v["closed_at"]:
            problem("closed_at", "is required when closure_reason is given")

        # Time order: nothing happens before the referral.
        if received_at is not None:
            for column, moment in times.items():
                if moment is not None and moment < received_at:
                    problem(column, "cannot be before referral_received_at")

        # Who the episode belongs to decides the age at referral.
        person = self.match(line, person_ref, nhs_number, pnc_id, date_of_birth, errors)
        birth = person.date_of_birth if person is not None else date_of_birth
        if birth is not None and received_at is not None:
            age, _ = age_and_pathway(birth, received_at, self.zone)
            if age < MINIMUM_AGE:
                problem(
                    "referral_received_at",
                    f"the person was {age} at referral; L&D works with people aged "
                    f"{MINIMUM_AGE} and over",
                )
            elif age > MAX_AGE:
                problem("date_of_birth", f"gives an age of {age} at referral")

        if errors:
            return None, errors
        assert date_of_birth is not None
        assert received_at is not None
        return (
            Row(
                line=line,
                episode_ref=episode_ref,
                person_ref=person_ref,
                nhs_number=nhs_number,
                pnc_id=pnc_id,
                given_name=names["given_name"],
                family_name=names["family_name"],
                date_of_birth=date_of_birth,
                gender_identity=gender,
                ethnic_category=ethnicity,
                postcode=postcode,
                site_code=site_code,
                referral_source=source,
                referral_received_at=received_at,
                offer_outcome=outcome,
                screened_at=times["screened_at"],
                assessed_at=times["assessed_at"],
                vulnerabilities=vulnerabilities,
                onward_referrals=referrals,
                disclosed_at=times["disclosed_at"],
                cj_decision_at=times["cj_decision_at"],
                closed_at=times["closed_at"],
                closure_reason=closure_reason,
            ),
            [],
        )

    def match(
        self,
        line: int,
        person_ref: str,
        nhs_number: str | None,
        pnc_id: str | None,
        date_of_birth: dt.date | None,
        errors: list[Error],
    ) -> Any:
        """The existing person this row's person_ref is: by an earlier import, NHS number, PNC."""
        person = self.lookups.imported_people.get(person_ref)
        if person is not None:
            return person
        if nhs_number:
            person = self.lookups.people_by_nhs.get(nhs_number)
            if person is not None:
                if date_of_birth is not None and person.date_of_birth != date_of_birth:
                    errors.append(
                        (
                            line,
                            "date_of_birth",
                            f"differs from the date of birth of {person.local_id}, who has this "
                            "NHS number",
                        )
                    )
                return person
        if pnc_id:
            matches = self.lookups.people_by_pnc.get(pnc_id, [])
            if len(matches) > 1:
                errors.append(
                    (line, "pnc_id", "matches more than one person; resolve the duplicate first")
                )
            elif matches:
                person = matches[0]
                if nhs_number and person.nhs_number and person.nhs_number != nhs_number:
                    errors.append(
                        (
                            line,
                            "nhs_number",
                            f"differs from the NHS number of {person.local_id}, who has this PNC "
                            "ID",
                        )
                    )
                elif date_of_birth is not None and person.date_of_birth != date_of_birth:
                    errors.append(
                        (
                            line,
                            "date_of_birth",
                            f"differs from the date of birth of {person.local_id}, who has this "
                            "PNC ID",
                        )
                    )
                return person
        return None


@dataclass
class _Seen:
    line: int
    values: tuple[str, ...]


def check(
    path: Path,
    lookups: Lookups,
    result: Validation,
    *,
    now: dt.datetime,
    progress: Callable[[str, int], None] | None = None,
) -> Iterator[Row]:
    """Check every row and the rows against each other, collecting every problem in ``result``;
    yield each row that passes.

    A row is checked against itself and the rows before it (a repeated episode_ref, or a
    person_ref that disagrees, is reported on the later line), so a row yielded has passed for
    good: no later row can make it fail. Only when the whole file has been read is ``result``
    complete.
    """
    parser = RowParser(lookups, now)
    episodes: dict[str, int] = {}
    people: dict[str, _Seen] = {}
    nhs_owner: dict[str, tuple[str, int]] = {}
    pnc_owner: dict[str, tuple[str, int]] = {}
    expected = len(COLUMNS)
    for line, values, count in records(path):
        result.rows_read += 1
        if progress and result.rows_read % PROGRESS_EVERY == 0:
            progress("checked", result.rows_read)
        if values is None:
            result.errors.append((line, "", f"has {count} fields; the header has {expected}"))
            result.invalid_lines.add(line)
            continue
        row, errors = parser.parse(line, values)
        ref = values["episode_ref"]
        if ref:
            if ref in episodes:
                errors.append(
                    (line, "episode_ref", f"appears more than once (first on line {episodes[ref]})")
                )
            else:
                episodes[ref] = line
        person_ref = values["person_ref"]
        if person_ref:
            person_values = tuple(NORMALISE.get(c, str)(values[c]) for c in PERSON_COLUMNS)
            first = people.get(person_ref)
            if first is None:
                people[person_ref] = _Seen(line, person_values)
            else:
                for column, mine, theirs in zip(
                    PERSON_COLUMNS, person_values, first.values, strict=True
                ):
                    if mine != theirs:
                        errors.append(
                            (
                                line,
                                column,
                                f"differs from line {first.line} for the same person_ref",
                            )
                        )
            for column, owners, normalise in (
                ("nhs_number", nhs_owner, identifiers.normalise_nhs_number),
                ("pnc_id", pnc_owner, identifiers.normalise_pnc_id),
            ):
                key = normalise(values[column])
                if not key:
                    continue
                owner = owners.setdefault(key, (person_ref, line))
                if owner[0] != person_ref:
                    errors.append(
                        (
                            line,
                            column,
                            f"is also given for a different person_ref on line {owner[1]}",
                        )
                    )
        if errors:
            result.errors.extend(errors)
            result.invalid_lines.add(line)
        elif row is not None:
            yield row


def scan_references(path: Path) -> dict[str, set[str]]:
    """The references and identifiers in the file, to look up in the database in bulk."""
    found: dict[str, set[str]] = {
        "episode_ref": set(),
        "person_ref": set(),
        "nhs_number": set(),
        "pnc_id": set(),
        "site_code": set(),
    }
    for _, values, _ in records(path):
        if values is None:
            continue
        found["episode_ref"].add(values["episode_ref"])
        found["person_ref"].add(values["person_ref"])
        found["site_code"].add(values["site_code"])
        if values["nhs_number"]:
            found["nhs_number"].add(identifiers.normalise_nhs_number(values["nhs_number"]))
        if values["pnc_id"]:
            found["pnc_id"].add(identifiers.normalise_pnc_id(values["pnc_id"]))
    for values_found in found.values():
        values_found.discard("")
    return found


def write_rejects(path: Path, rejects: Path, validation: Validation) -> int:
    """Copy the rejected rows, as they were, to a CSV with an extra ``error`` column."""
    problems: dict[int, list[str]] = {}
    for line, column, problem in validation.errors:
        problems.setdefault(line, []).append(f"{column}: {problem}" if column else problem)
    written = 0
    with rejects.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        for line, record in read_records(path):
            if line == 1:
                out.writerow([*record, "line", "error"])
            elif line in validation.invalid_lines:
                out.writerow([*record, line, "; ".join(problems.get(line, []))])
                written += 1
    return written
