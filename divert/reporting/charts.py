"""Server-rendered SVG charts: geometry worked out here, drawn by ``reporting/charts.jinja``.

A chart is an image of the data table printed beside it, never the only place a number is
shown. Each chart has a title and a one-sentence description for screen readers
(``role="img"`` with ``aria-labelledby``), and draws with SVG presentation attributes only, so
the Content-Security-Policy needs no inline styles. Missing or suppressed values draw no bar and
say why in the label.
"""

from collections.abc import Sequence
from dataclasses import dataclass

BAR_COLOUR = "#005eb8"  # NHS Blue
TEXT_COLOUR = "#212b32"  # NHS Black: 4.5:1 or better on white
AXIS_COLOUR = "#768692"  # NHS Mid Grey


@dataclass(frozen=True)
class Point:
    """One category or month: its label, the value drawn (None draws nothing) and its text."""

    label: str
    value: float | None
    display: str


@dataclass(frozen=True)
class Bar:
    label: str
    display: str
    x: float
    y: float
    width: float
    height: float
    label_x: float
    label_y: float
    value_x: float
    value_y: float
    is_drawn: bool


@dataclass(frozen=True)
class Chart:
    chart_id: str
    title: str
    description: str
    kind: str  # "bars" (horizontal, categories) or "columns" (vertical, months)
    width: int
    height: int
    bars: tuple[Bar, ...]
    axis: tuple[float, float, float, float]  # x1, y1, x2, y2 of the value axis baseline


def _scale_max(points: Sequence[Point], fixed_max: float | None) -> float:
    if fixed_max is not None:
        return fixed_max
    drawn = [p.value for p in points if p.value is not None]
    return max([*drawn, 0.0]) or 1.0


def describe(title: str, points: Sequence[Point]) -> str:
    """A sentence saying what the chart shows: the highest and lowest values drawn."""
    drawn = [p for p in points if p.value is not None]
    if not drawn:
        return f"{title}: no values to show for these filters. The table gives the detail."
    high = max(drawn, key=lambda p: p.value or 0.0)
    low = min(drawn, key=lambda p: p.value or 0.0)
    if len(drawn) == 1 or high.value == low.value:
        return f"{title}: {high.display} for {high.label}. The table gives every value."
    return (
        f"{title}: highest {high.display} ({high.label}), lowest {low.display} ({low.label}). "
        "The table gives every value."
    )


def horizontal_bars(
    chart_id: str,
    title: str,
    points: Sequence[Point],
    *,
    fixed_max: float | None = None,
    width: int = 600,
    label_width: int = 240,
    bar_height: int = 22,
    gap: int = 10,
) -> Chart:
    """One bar per category, labelled on the left, value text at the end of the bar."""
    top = 10
    value_space = 110
    plot = width - label_width - value_space
    scale = _scale_max(points, fixed_max)
    bars = []
    for index, point in enumerate(points):
        y = top + index * (bar_height + gap)
        length = 0.0 if point.value is None else max(0.0, point.value) / scale * plot
        bars.append(
            Bar(
                label=point.label,
                display=point.display,
                x=label_width,
                y=y,
                width=round(length, 1),
                height=bar_height,
                label_x=label_width - 8,
                label_y=y + bar_height * 0.7,
                value_x=round(label_width + length + 6, 1),
                value_y=y + bar_height * 0.7,
                is_drawn=point.value is not None,
            )
        )
    height = top * 2 + max(1, len(points)) * (bar_height + gap)
    return Chart(
        chart_id=chart_id,
        title=title,
        description=describe(title, points),
        kind="bars",
        width=width,
        height=height,
        bars=tuple(bars),
        axis=(label_width, top - 4, label_width, height - top),
    )


def columns(
    chart_id: str,
    title: str,
    points: Sequence[Point],
    *,
    fixed_max: float | None = None,
    width: int = 560,
    plot_height: int = 180,
) -> Chart:
    """One column per month, left to right, labelled underneath, value text above."""
    top, left, right = 24, 10, 10
    label_space = 40
    count = max(1, len(points))
    slot = (width - left - right) / count
    column = min(36.0, slot * 0.7)
    scale = _scale_max(points, fixed_max)
    baseline = top + plot_height
    bars = []
    for index, point in enumerate(points):
        centre = left + slot * index + slot / 2
        length = 0.0 if point.value is None else max(0.0, point.value) / scale * plot_height
        bars.append(
            Bar(
                label=point.label,
                display=point.display,
                x=round(centre - column / 2, 1),
                y=round(baseline - length, 1),
                width=round(column, 1),
                height=round(length, 1),
                label_x=round(centre, 1),
                label_y=baseline + 16,
                value_x=round(centre, 1),
                value_y=round(baseline - length - 6, 1),
                is_drawn=point.value is not None,
            )
        )
    return Chart(
        chart_id=chart_id,
        title=title,
        description=describe(title, points),
        kind="columns",
        width=width,
        height=baseline + label_space,
        bars=tuple(bars),
        axis=(left, baseline, width - right, baseline),
    )
