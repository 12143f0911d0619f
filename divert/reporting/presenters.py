"""Display-ready dashboard values: the funnel, each KPI beside its definition, and one chart
with its data table per KPI for the chosen breakdown.

The engine (``kpis.py``) returns numbers; ``suppression.for_audience`` has already replaced
small counts for a commissioner. Everything here only formats what it is given, so nothing a
commissioner sees is computed twice.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from divert.reporting import charts
from divert.reporting.definitions import Definition

SUPPRESSED_TEXT = "Suppressed"
NOT_AVAILABLE_TEXT = "No data"
UNIT_MAX = {"rate": 1.0}


def is_suppressed(cell: dict[str, Any], field: str) -> bool:
    """True when suppression hid this field of a KPI result (count 1-4, or a rate whose
    denominator was suppressed)."""
    marker = cell.get("suppressed")
    if isinstance(marker, list | tuple | set | frozenset):
        return field in marker
    if isinstance(marker, dict):
        return bool(marker.get(field))
    return bool(marker) and cell.get(field) is None


def format_number(value: Any, *, unit: str = "count", decimals: int = 1) -> str:
    """A count with thousands separators, a rate as a percentage, a median in hours."""
    if value is None:
        return NOT_AVAILABLE_TEXT
    if unit == "rate":
        return f"{float(value) * 100:.{decimals}f}%"
    if unit == "hours":
        return f"{float(value):.1f} hours"
    return f"{int(value):,}"


def display(cell: dict[str, Any], field: str, *, unit: str = "count", decimals: int = 1) -> str:
    if is_suppressed(cell, field):
        return SUPPRESSED_TEXT
    return format_number(cell.get(field), unit=unit, decimals=decimals)


def headline_field(definition: Definition) -> str:
    """The number a KPI is about: the count itself for counts, the value for rates and hours."""
    return "numerator" if definition.unit == "count" else "value"


def chart_value(cell: dict[str, Any], definition: Definition) -> float | None:
    field = headline_field(definition)
    if is_suppressed(cell, field):
        return None
    value = cell.get(field)
    return None if value is None else float(value)


@dataclass(frozen=True)
class Row:
    label: str
    numerator: str
    denominator: str
    value: str


def kpi_row(label: str, cell: dict[str, Any], definition: Definition, decimals: int = 1) -> Row:
    return Row(
        label=label,
        numerator=display(cell, "numerator") if definition.numerator is not None else "",
        denominator=display(cell, "denominator") if definition.denominator is not None else "",
        value=display(cell, headline_field(definition), unit=definition.unit, decimals=decimals),
    )


def short_month(code: str) -> str:
    """``2026-11`` as ``Nov 26``, short enough to sit under a column."""
    try:
        return dt.date.fromisoformat(f"{code}-01").strftime("%b %y")
    except ValueError:
        return code


# (KPI, field, label in the table, shorter label on the chart)
FUNNEL = [
    ("referrals", "numerator", "Referrals (episodes)", "Referrals"),
    (
        "offer_acceptance",
        "denominator",
        "Offered and answered (accepted or declined)",
        "Offered and answered",
    ),
    ("offer_acceptance", "numerator", "Accepted support", "Accepted"),
    ("screened", "numerator", "Screened", "Screened"),
    ("assessed", "numerator", "Assessed", "Assessed"),
    ("referred_onward", "numerator", "Referred onward (episodes)", "Referred onward"),
    (
        "first_appointment_attended",
        "numerator",
        "First appointments attended (onward referrals)",
        "First appointment attended",
    ),
]


def funnel(results: dict[str, dict[str, Any]]) -> dict[str, Any]:
    points = []
    rows = []
    for key, field, label, short in FUNNEL:
        cell = results[key]
        suppressed = is_suppressed(cell, field)
        value = None if suppressed else cell.get(field)
        text = display(cell, field)
        points.append(charts.Point(short, None if value is None else float(value), text))
        rows.append({"label": label, "count": text})
    chart = charts.horizontal_bars(
        "chart-funnel", "The pathway, from referral to attendance", points
    )
    return {"chart": chart, "rows": rows}


def kpi_sections(
    definitions: list[Definition],
    results: dict[str, dict[str, Any]],
    breakdown: list[dict[str, Any]],
    *,
    by_label: str,
    by: str,
    decimals: int = 1,
) -> list[dict[str, Any]]:
    """One section per KPI: the definition, the headline with youth and adult, and a chart of
    the breakdown with its table."""
    sections = []
    for definition in definitions:
        key = definition.key
        cell = results[key]
        ages = cell.get("by_age_group", {})
        points = []
        rows = []
        for group in breakdown:
            group_cell = group["kpis"][key]
            row = kpi_row(str(group["label"]), group_cell, definition, decimals)
            rows.append(row)
            label = short_month(str(group["group"])) if by == "month" else row.label
            points.append(charts.Point(label, chart_value(group_cell, definition), row.value))
        title = f"{definition.title} by {by_label.lower()}"
        chart_id = f"chart-{key.replace('_', '-')}"
        maker = charts.columns if by == "month" else charts.horizontal_bars
        sections.append(
            {
                "definition": definition,
                "anchor": key.replace("_", "-"),
                "headline": display(
                    cell, headline_field(definition), unit=definition.unit, decimals=decimals
                ),
                "overall": kpi_row("All ages", cell, definition, decimals),
                "ages": [
                    kpi_row(label, ages[group], definition, decimals)
                    for group, label in (("youth", "Under 18"), ("adult", "18 and over"))
                    if group in ages
                ],
                "chart": maker(chart_id, title, points, fixed_max=UNIT_MAX.get(definition.unit)),
                "rows": rows,
                "table_caption": title,
            }
        )
    return sections
