"""The dashboard's downloads: its KPIs as CSV, and the commissioner's monthly return.

Rows hold codes and numbers only. A suppressed cell is written as ``SUPPRESSED`` so that a
reader can tell it from a zero and from "not applicable" (an empty cell).
"""

import csv
import datetime as dt
import io
from typing import Any

from openpyxl import Workbook

from divert.core.exports import safe_cell
from divert.reporting import kpis, suppression
from divert.reporting.definitions import Definition
from divert.reporting.presenters import is_suppressed

SUPPRESSED = "suppressed"
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
KPI_HEADER = [
    "period_from",
    "period_to",
    "site_filter",
    "force_area_filter",
    "age_group_filter",
    "breakdown",
    "group",
    "group_label",
    "measure",
    "measure_title",
    "unit",
    "numerator",
    "denominator",
    "value",
]


def _cell(entry: dict[str, Any], field: str) -> Any:
    if is_suppressed(entry, field):
        return SUPPRESSED
    value = entry.get(field)
    return "" if value is None else value


def kpi_rows(
    definitions: list[Definition],
    filters: kpis.Filters,
    results: dict[str, dict[str, Any]],
    breakdown: list[dict[str, Any]],
    *,
    by: str,
) -> tuple[list[str], list[list[Any]]]:
    """One row per KPI per group: all ages, each age group, then each group of ``by``."""
    prefix = [
        filters.date_from.isoformat(),
        filters.date_to.isoformat(),
        ";".join(filters.site_codes),
        ";".join(filters.force_area_codes),
        filters.age_group or "",
    ]
    groups: list[tuple[str, str, str, dict[str, dict[str, Any]]]] = [
        ("all", "all", "All", {key: entry for key, entry in results.items()})
    ]
    for age, label in (("youth", "Under 18"), ("adult", "18 and over")):
        groups.append(
            ("age_group", age, label, {k: e["by_age_group"][age] for k, e in results.items()})
        )
    for row in breakdown:
        groups.append((by, str(row["group"]), str(row["label"]), row["kpis"]))
    rows = []
    for breakdown_name, code, label, entries in groups:
        for definition in definitions:
            entry = entries[definition.key]
            rows.append(
                [
                    *prefix,
                    breakdown_name,
                    code,
                    label,
                    definition.key,
                    definition.title,
                    definition.unit,
                    _cell(entry, "numerator"),
                    _cell(entry, "denominator"),
                    _cell(entry, "value"),
                ]
            )
    return KPI_HEADER, rows


def monthly_return(
    first: dt.date, *, audience: str, site_codes: tuple[str, ...], file_format: str
) -> tuple[bytes, int]:
    """The return for the calendar month starting ``first``: every KPI, overall and by age
    group, for the audience. Returns the file's bytes and its number of data rows."""
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    filters = kpis.Filters(date_from=first, date_to=last, site_codes=site_codes)
    results = suppression.for_audience(kpis.compute_kpis(filters), audience)
    header, rows = kpi_rows(kpis.definitions(), filters, results, [], by="month")
    if file_format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        writer.writerows([[safe_cell(value) for value in row] for row in rows])
        return buffer.getvalue().encode("utf-8"), len(rows)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"Return {first:%Y-%m}"
    sheet.append(header)
    for row in rows:
        sheet.append([safe_cell(value) for value in row])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue(), len(rows)
