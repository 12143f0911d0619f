"""The dashboard's downloads: its KPIs as CSV, and the commissioner's monthly return.

Rows hold codes and numbers only. A suppressed cell is written as ``SUPPRESSED`` so that a
reader can tell it from a zero and from "not applicable" (an empty cell).
"""

import tempfile
from pathlib import Path
from typing import Any

from divert.core.exports import safe_cell
from divert.reporting import exports, kpis
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


def monthly_return(month: str, *, file_format: str) -> tuple[bytes, int]:
    """The commissioner's return for ``month`` (``YYYY-MM``), always suppressed: the same rows
    as ``divert report return`` (``exports.monthly_return``), with cells a spreadsheet would run
    as formulas escaped. Returns the file's bytes and its number of data rows."""
    rows = [
        {column: safe_cell(value) for column, value in row.items()}
        for row in exports.monthly_return(month)
    ]
    if file_format == "csv":
        return exports.to_csv(rows, exports.RETURN_COLUMNS).encode("utf-8"), len(rows)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "return.xlsx"
        exports.write_xlsx(path, rows, exports.RETURN_COLUMNS, "Return")
        return path.read_bytes(), len(rows)
