"""Statistical disclosure control for what a commissioner sees.

For the commissioner audience every count from 1 to ``DIVERT_SUPPRESSION_THRESHOLD - 1`` (1–4 by
default) becomes ``None`` and is named in the entry's ``"suppressed"`` list; every other count is
rounded to the nearest ``DIVERT_ROUNDING_BASE`` (5 by default, halves rounded up); zero stays
zero. A rate is shown only when neither its denominator nor its numerator is suppressed, and is
then computed from the exact counts and rounded to a whole percentage point. A median is shown
only when the number of episodes it is taken over is not suppressed.
Other audiences see the numbers unchanged (each entry still gains an empty ``"suppressed"``).
"""

import copy
from typing import Any

from django.conf import settings

COMMISSIONER = "commissioner"
AUDIENCES = ("service", COMMISSIONER)


def threshold() -> int:
    return int(settings.DIVERT_SUPPRESSION_THRESHOLD)


def rounding_base() -> int:
    return int(settings.DIVERT_ROUNDING_BASE)


def is_suppressed(count: int | None) -> bool:
    return count is not None and 0 < count < threshold()


def round_count(count: int) -> int:
    """Round to the nearest rounding base, halves up (with base 5: 7 → 5, 8 → 10)."""
    base = rounding_base()
    if base <= 1:
        return count
    return base * ((count + base // 2) // base)


def suppress_count(count: int | None) -> int | None:
    if count is None or is_suppressed(count):
        return None
    return round_count(count)


def _entry(entry: dict[str, Any]) -> dict[str, Any]:
    numerator, denominator, value = entry["numerator"], entry["denominator"], entry["value"]
    suppressed: list[str] = []
    out = dict(entry)
    if numerator is not None:
        out["numerator"] = suppress_count(numerator)
        if is_suppressed(numerator):
            suppressed.append("numerator")
    if denominator is not None:
        out["denominator"] = suppress_count(denominator)
        if is_suppressed(denominator):
            suppressed.append("denominator")
    if denominator is None and numerator is not None:
        # A count: its value is the count itself.
        out["value"] = out["numerator"]
        if suppressed:
            suppressed.append("value")
    elif value is not None:
        if suppressed:
            out["value"] = None
            suppressed.append("value")
        elif numerator is not None:
            out["value"] = round(float(value), 2)
    out["suppressed"] = suppressed
    return out


def _kpis(kpis: dict[str, dict[str, Any]], commissioner: bool) -> dict[str, dict[str, Any]]:
    result = {}
    for key, entry in kpis.items():
        by_age = entry.get("by_age_group", {})
        top = {k: v for k, v in entry.items() if k != "by_age_group"}
        if commissioner:
            shaped = _entry(top)
            shaped["by_age_group"] = {age: _entry(v) for age, v in by_age.items()}
        else:
            shaped = {**top, "suppressed": []}
            shaped["by_age_group"] = {age: {**v, "suppressed": []} for age, v in by_age.items()}
        result[key] = shaped
    return result


def for_audience(result: Any, audience: str) -> Any:
    """Apply the audience's rules to compute_kpis() output or compute_breakdown() rows.

    Returns a new structure; the input is not changed.
    """
    if audience not in AUDIENCES:
        raise ValueError(f"audience must be one of {AUDIENCES}")
    commissioner = audience == COMMISSIONER
    if isinstance(result, list):
        rows = []
        for row in result:
            shaped_row = copy.copy(row)
            shaped_row["kpis"] = _kpis(row["kpis"], commissioner)
            rows.append(shaped_row)
        return rows
    return _kpis(result, commissioner)
