"""Chart geometry and the dashboard's formatting: pure functions, no database."""

import datetime as dt

import pytest

from divert.reporting import charts, presenters
from divert.reporting.definitions import by_key
from divert.reporting.forms import default_period, recent_months


def test_horizontal_bars_scale_to_the_largest_value_and_skip_missing_ones():
    """The largest value fills the plot; a suppressed value draws no bar but keeps its label."""
    points = [
        charts.Point("North", 10.0, "10"),
        charts.Point("South", 5.0, "5"),
        charts.Point("East", None, "Suppressed"),
    ]

    chart = charts.horizontal_bars("c", "Referrals by site", points)

    north, south, east = chart.bars
    assert south.width == pytest.approx(north.width / 2)
    assert east.is_drawn is False
    assert east.width == 0
    assert east.display == "Suppressed"
    assert chart.height > 3 * 22


def test_rates_are_drawn_against_a_fixed_hundred_percent():
    """A rate of 50% fills half the plot even when it is the only value."""
    chart = charts.horizontal_bars(
        "c", "Screened", [charts.Point("All", 0.5, "50%")], fixed_max=1.0
    )

    full = charts.horizontal_bars(
        "c", "Screened", [charts.Point("All", 1.0, "100%")], fixed_max=1.0
    )

    assert chart.bars[0].width == pytest.approx(full.bars[0].width / 2)


def test_columns_stand_on_one_baseline_left_to_right():
    """Months are columns in order; taller values reach higher; all end on the baseline."""
    points = [charts.Point("Jan 26", 4.0, "4"), charts.Point("Feb 26", 8.0, "8")]

    chart = charts.columns("c", "Referrals by month", points)

    jan, feb = chart.bars
    assert jan.x < feb.x
    assert feb.height == pytest.approx(jan.height * 2)
    assert jan.y + jan.height == pytest.approx(feb.y + feb.height)


@pytest.mark.parametrize(
    ("points", "expected"),
    [
        ([], "no values to show"),
        ([charts.Point("North", 3.0, "3")], "3 for North"),
        (
            [charts.Point("North", 3.0, "3"), charts.Point("South", 9.0, "9")],
            "highest 9 (South), lowest 3 (North)",
        ),
        ([charts.Point("North", None, "Suppressed")], "no values to show"),
    ],
)
def test_chart_description_names_the_highest_and_lowest(points, expected):
    """Screen readers hear what the chart shows; the table beside it has every value."""
    assert expected in charts.describe("Referrals", points)


@pytest.mark.parametrize(
    ("value", "unit", "decimals", "text"),
    [
        (1234, "count", 1, "1,234"),
        (0.8768, "rate", 1, "87.7%"),
        (0.88, "rate", 0, "88%"),
        (2.25, "hours", 1, "2.2 hours"),
        (None, "rate", 1, "No data"),
    ],
)
def test_format_number_by_unit(value, unit, decimals, text):
    """Counts get separators, rates percentages, medians hours; None says there is no data."""
    assert presenters.format_number(value, unit=unit, decimals=decimals) == text


def test_suppressed_fields_say_so():
    """A field named in the suppression list reads 'Suppressed', never a number or 'No data'."""
    cell = {
        "numerator": None,
        "denominator": 20,
        "value": None,
        "suppressed": ["numerator", "value"],
    }

    assert presenters.display(cell, "numerator") == "Suppressed"
    assert presenters.display(cell, "value", unit="rate") == "Suppressed"
    assert presenters.display(cell, "denominator") == "20"


def test_kpi_sections_pair_each_definition_with_its_chart_and_table():
    """Every KPI gets its definition, headline, age groups and one table row per group."""
    definitions = list(by_key().values())
    entry = {"numerator": 8, "denominator": 10, "value": 0.8, "suppressed": []}
    result = {
        d.key: {**entry, "by_age_group": {"youth": entry, "adult": entry}} for d in definitions
    }
    breakdown = [{"group": "2026-01", "label": "January 2026", "kpis": result}]

    sections = presenters.kpi_sections(definitions, result, breakdown, by_label="Month", by="month")

    assert [s["definition"].key for s in sections] == [d.key for d in definitions]
    screened = next(s for s in sections if s["definition"].key == "screened")
    assert screened["headline"] == "80.0%"
    assert screened["rows"][0].label == "January 2026"
    assert screened["chart"].bars[0].label == "Jan 26"
    assert screened["chart"].kind == "columns"
    assert [age.label for age in screened["ages"]] == ["Under 18", "18 and over"]


def test_default_period_is_the_twelve_months_to_today():
    """From the first of the month eleven months back, to today."""
    assert default_period(dt.date(2026, 11, 27)) == (dt.date(2025, 12, 1), dt.date(2026, 11, 27))
    assert default_period(dt.date(2026, 1, 5)) == (dt.date(2025, 2, 1), dt.date(2026, 1, 5))


def test_recent_months_run_newest_first():
    """This month first, then back across the year boundary."""
    months = recent_months(dt.date(2026, 2, 10), count=3)

    assert months == [
        ("2026-02", "February 2026"),
        ("2026-01", "January 2026"),
        ("2025-12", "December 2025"),
    ]
