"""The directory as CSV: export every service, import a file all-or-nothing.

One row per service, keyed by ``organisation`` and ``service`` (the names): importing a row
whose key exists updates that service, a new key adds it, and services missing from the file
are left alone (deactivate them with ``active`` = ``no``). Importing the file just exported
changes nothing. Lists (categories, force areas) are separated by ``;``. Every problem is
reported with its line, column and what is wrong, and nothing is written if there is any.

Cells that a spreadsheet would read as a formula are exported with a leading apostrophe
(``core.exports.safe_cell``); the import takes it off again, so the round trip is exact.
"""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from divert.accounts.models import User
from divert.core import codelists
from divert.core.exports import FORMULA_TRIGGERS, safe_cell
from divert.directory import actions
from divert.directory.models import DirectoryOrganisation, DirectoryService
from divert.organisation.models import ForceArea

COLUMNS = [
    "organisation",
    "service",
    "categories",
    "description",
    "eligibility",
    "min_age",
    "max_age",
    "force_areas",
    "area_description",
    "hours",
    "email",
    "phone",
    "website",
    "address",
    "referral_route",
    "self_referral",
    "accessibility",
    "languages",
    "active",
]
REQUIRED = ("organisation", "service", "categories")
# Service fields that are plain text, by column (the column name is the field name).
TEXT_COLUMNS = (
    "description",
    "eligibility",
    "area_description",
    "hours",
    "email",
    "phone",
    "website",
    "address",
    "referral_route",
    "accessibility",
    "languages",
)
YES, NO = "yes", "no"
MAX_AGE = 120


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    problem: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.problem}"


@dataclass
class ImportReport:
    errors: list[RowError] = field(default_factory=list)
    created: list[int] = field(default_factory=list)  # line numbers
    updated: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    organisations_created: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def is_ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if self.errors:
            return f"{len(self.errors)} problem(s); nothing was imported"
        verb = "would be" if self.dry_run else "were"
        return (
            f"{len(self.created)} service(s) {verb} added, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged; "
            f"{len(self.organisations_created)} organisation(s) {verb} added"
        )


def _yes_no(value: bool) -> str:
    return YES if value else NO


def _row(service: DirectoryService) -> list[Any]:
    return [
        service.organisation.name,
        service.name,
        ";".join(service.categories),
        service.description,
        service.eligibility,
        "" if service.min_age is None else service.min_age,
        "" if service.max_age is None else service.max_age,
        ";".join(sorted(area.code for area in service.areas_served.all())),
        service.area_description,
        service.hours,
        service.email,
        service.phone,
        service.website,
        service.address,
        service.referral_route,
        _yes_no(service.is_self_referral_accepted),
        service.accessibility,
        service.languages,
        _yes_no(service.is_active),
    ]


def export_rows() -> Iterator[list[Any]]:
    services = (
        DirectoryService.objects.select_related("organisation")
        .prefetch_related("areas_served")
        .order_by("organisation__name", "name")
    )
    for service in services:
        yield [safe_cell(value) for value in _row(service)]


def export_csv(out: IO[str]) -> int:
    """Write every service (active or not) to ``out``; returns the number of services."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    count = 0
    for row in export_rows():
        writer.writerow(row)
        count += 1
    return count


def _unquote(value: str) -> str:
    """Take off the apostrophe the export put before a formula-like cell."""
    if value.startswith("'") and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


@dataclass
class _Parsed:
    line: int
    organisation: str
    service: str
    values: dict[str, Any]
    areas: list[ForceArea]
    is_active: bool


def _parse_row(
    line: int, raw: dict[str, str], areas_by_code: dict[str, ForceArea], errors: list[RowError]
) -> _Parsed | None:
    cells = {column: _unquote((raw.get(column) or "").strip()) for column in COLUMNS}
    before = len(errors)

    def problem(column: str, text: str) -> None:
        errors.append(RowError(line, column, text))

    for column in REQUIRED:
        if not cells[column]:
            problem(column, f"{column.replace('_', ' ').capitalize()} is required")
    known_categories = set(codelists.codes("service-category"))
    categories = [code.strip() for code in cells["categories"].split(";") if code.strip()]
    for code in categories:
        if code not in known_categories:
            problem("categories", f"Unknown service category '{code}'")
    ages: dict[str, int | None] = {}
    for column in ("min_age", "max_age"):
        text = cells[column]
        if not text:
            ages[column] = None
        elif not text.isdigit() or int(text) > MAX_AGE:
            problem(column, f"Enter a whole number of years from 0 to {MAX_AGE}, not '{text}'")
            ages[column] = None
        else:
            ages[column] = int(text)
    if (
        ages["min_age"] is not None
        and ages["max_age"] is not None
        and ages["max_age"] < ages["min_age"]
    ):
        problem("max_age", "The maximum age must not be below the minimum age")
    areas = []
    for code in (c.strip() for c in cells["force_areas"].split(";")):
        if not code:
            continue
        if code not in areas_by_code:
            problem("force_areas", f"Unknown force area '{code}'")
        else:
            areas.append(areas_by_code[code])
    flags: dict[str, bool] = {}
    for column, default in (("self_referral", False), ("active", True)):
        text = cells[column].lower()
        if text not in {"", YES, NO}:
            problem(column, f"Enter yes or no, not '{cells[column]}'")
        flags[column] = default if not text else text == YES
    values: dict[str, Any] = {column: cells[column] for column in TEXT_COLUMNS}
    values.update(ages)
    values["categories"] = list(dict.fromkeys(categories))
    values["is_self_referral_accepted"] = flags["self_referral"]
    # The model's own field rules (lengths, e-mail and web address formats).
    candidate = DirectoryService(name=cells["service"], **values)
    try:
        candidate.full_clean(
            exclude=["organisation", "categories", "min_age", "max_age"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            column = "service" if name == "name" else name
            for message in messages:
                problem(column, message)
    if len(cells["organisation"]) > DirectoryOrganisation._meta.get_field("name").max_length:  # type: ignore[operator]
        problem("organisation", "The organisation name is longer than 200 characters")
    if len(errors) > before:
        return None
    return _Parsed(line, cells["organisation"], cells["service"], values, areas, flags["active"])


def parse(text: str) -> tuple[list[_Parsed], list[RowError]]:
    """Read and check every row; returns the rows and every problem found."""
    errors: list[RowError] = []
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    header = reader.fieldnames or []
    missing = [column for column in REQUIRED if column not in header]
    unknown = [column for column in header if column not in COLUMNS]
    for column in missing:
        errors.append(RowError(1, column, "This column is missing from the header"))
    for column in unknown:
        errors.append(RowError(1, column, "Unknown column (see the how-to for the columns)"))
    if missing or unknown:
        return [], errors
    areas_by_code = {area.code: area for area in ForceArea.objects.all()}
    rows: list[_Parsed] = []
    seen: dict[tuple[str, str], int] = {}
    start = reader.line_num + 1
    for raw in reader:
        line = start
        start = reader.line_num + 1
        if None in raw:
            errors.append(RowError(line, "", "This line has more cells than the header"))
            continue
        if not any((value or "").strip() for value in raw.values()):
            continue
        parsed = _parse_row(line, raw, areas_by_code, errors)
        if parsed is None:
            continue
        key = (parsed.organisation.casefold(), parsed.service.casefold())
        if key in seen:
            errors.append(
                RowError(line, "service", f"The same service is already on line {seen[key]}")
            )
            continue
        seen[key] = line
        rows.append(parsed)
    if not rows and not errors:
        errors.append(RowError(2, "", "The file has no services"))
    return rows, errors


def _apply(rows: list[_Parsed], by: User, report: ImportReport) -> None:
    organisations = {org.name: org for org in DirectoryOrganisation.objects.all()}
    for row in rows:
        organisation = organisations.get(row.organisation)
        if organisation is None:
            organisation = actions.create_organisation(by=by, name=row.organisation)
            organisations[organisation.name] = organisation
            report.organisations_created.append(organisation.name)
        existing = DirectoryService.objects.filter(
            organisation=organisation, name=row.service
        ).first()
        if existing is None:
            if row.is_active and not organisation.is_active:
                raise ValidationError({"organisation": "This organisation is inactive"})
            service = actions.create_service(
                by=by,
                organisation=organisation,
                name=row.service,
                areas_served=row.areas,
                **row.values,
            )
            if not row.is_active:
                actions.deactivate_service(service=service, by=by)
            report.created.append(row.line)
            continue
        before = existing.updated_at
        updated = actions.update_service(
            service=existing, by=by, areas_served=row.areas, is_active=row.is_active, **row.values
        )
        (report.updated if updated.updated_at != before else report.unchanged).append(row.line)


def import_csv(text: str, *, by: User, dry_run: bool = False) -> ImportReport:
    """Check every row, then apply them all in one transaction, or nothing.

    A dry run applies them and rolls back, so it reports exactly what a real run would do.
    """
    report = ImportReport(dry_run=dry_run)
    rows, report.errors = parse(text)
    if report.errors:
        return report
    try:
        with transaction.atomic():
            _apply(rows, by, report)
            if dry_run:
                transaction.set_rollback(True)
    except ValidationError as error:
        line = _failed_line(rows, report)
        messages = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
        report.errors = [
            RowError(line, {"name": "service", "__all__": ""}.get(column, column), message)
            for column, texts in messages.items()
            for message in texts
        ]
        report.created, report.updated, report.unchanged = [], [], []
        report.organisations_created = []
    return report


def _failed_line(rows: list[_Parsed], report: ImportReport) -> int:
    done = len(report.created) + len(report.updated) + len(report.unchanged)
    return rows[done].line if done < len(rows) else 0
