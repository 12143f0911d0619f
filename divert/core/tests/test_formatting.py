"""Display formatting: ages, elapsed time, NHS numbers and UK dates in Europe/London time."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from divert.core import formatting

UTC = dt.UTC


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (dt.date(1990, 5, 17), dt.date(2026, 5, 16), 35),
        (dt.date(1990, 5, 17), dt.date(2026, 5, 17), 36),
        (dt.date(1990, 5, 17), dt.date(2026, 5, 18), 36),
        (dt.date(1990, 12, 31), dt.date(2026, 1, 1), 35),
        (dt.date(2026, 1, 1), dt.date(2026, 1, 1), 0),
    ],
)
def test_age_on_ordinary_birthdays(born, on, age):
    """Age goes up on the birthday itself, not the day before or after."""

    result = formatting.age_on(born, on)

    assert result == age


@pytest.mark.parametrize(
    ("on", "age"),
    [
        (dt.date(2026, 2, 28), 17),
        (dt.date(2026, 3, 1), 18),
        (dt.date(2028, 2, 28), 19),
        (dt.date(2028, 2, 29), 20),
        (dt.date(2028, 3, 1), 20),
    ],
)
def test_age_on_29_february_birthday(on, age):
    """Someone born on 29 February turns a year older on 1 March in non-leap years."""
    born = dt.date(2008, 2, 29)

    result = formatting.age_on(born, on)

    assert result == age


@pytest.mark.parametrize(
    ("elapsed", "words"),
    [
        (dt.timedelta(seconds=30), "0 min"),
        (dt.timedelta(minutes=59, seconds=59), "59 min"),
        (dt.timedelta(minutes=60), "1 h"),
        (dt.timedelta(hours=2, minutes=15), "2 h 15 min"),
        (dt.timedelta(hours=47, minutes=59), "47 h 59 min"),
        (dt.timedelta(hours=48), "2 days"),
        (dt.timedelta(days=3, hours=23), "3 days"),
    ],
)
def test_time_since_wording(elapsed, words):
    """Elapsed time reads in minutes, then hours and minutes, then whole days from 48 hours."""
    now = dt.datetime(2026, 6, 15, 12, 0, tzinfo=UTC)

    result = formatting.time_since(now - elapsed, now=now)

    assert result == words


def test_time_since_future():
    """A time after now reads 'in the future' rather than a negative duration."""
    now = dt.datetime(2026, 6, 15, 12, 0, tzinfo=UTC)

    result = formatting.time_since(now + dt.timedelta(minutes=1), now=now)

    assert result == "in the future"


def test_time_since_none():
    """A missing time reads as nothing."""

    result = formatting.time_since(None)

    assert result == ""


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("9434765919", "943 476 5919"),
        ("943 476 5919", "943 476 5919"),
        ("94347659", "94347659"),
        ("", ""),
        (None, ""),
    ],
)
def test_nhs_number_shown_3_3_4(value, shown):
    """A ten-digit NHS number is shown 3-3-4; anything else is shown as it is."""

    result = formatting.nhs_number(value)

    assert result == shown


@pytest.mark.parametrize(
    ("instant", "shown"),
    [
        # Clocks go forward at 01:00 UTC on 30 March 2025.
        (dt.datetime(2025, 3, 30, 0, 30, tzinfo=UTC), "30 March 2025 at 00:30"),
        (dt.datetime(2025, 3, 30, 1, 30, tzinfo=UTC), "30 March 2025 at 02:30"),
        # Clocks go back at 01:00 UTC on 26 October 2025; 01:30 local happens twice.
        (dt.datetime(2025, 10, 26, 0, 30, tzinfo=UTC), "26 October 2025 at 01:30"),
        (dt.datetime(2025, 10, 26, 1, 30, tzinfo=UTC), "26 October 2025 at 01:30"),
        (dt.datetime(2025, 10, 26, 2, 30, tzinfo=UTC), "26 October 2025 at 02:30"),
        # Late evening UTC in summer is already the next day in London.
        (dt.datetime(2025, 6, 30, 23, 30, tzinfo=UTC), "1 July 2025 at 00:30"),
        (dt.datetime(2025, 1, 5, 9, 5, tzinfo=UTC), "5 January 2025 at 09:05"),
    ],
)
def test_uk_datetime_europe_london(instant, shown):
    """Date-times are shown in Europe/London local time, across the BST changes."""

    result = formatting.uk_datetime(instant)

    assert result == shown


def test_uk_datetime_none():
    """A missing date-time is shown as nothing."""

    result = formatting.uk_datetime(None)

    assert result == ""


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (dt.date(2025, 3, 9), "9 March 2025"),
        (dt.datetime(2025, 6, 30, 23, 30, tzinfo=UTC), "1 July 2025"),
        (dt.datetime(2025, 12, 31, 23, 30, tzinfo=UTC), "31 December 2025"),
        (None, ""),
    ],
)
def test_uk_date_europe_london(value, shown):
    """Dates are shown day month year, and date-times by their London date."""

    result = formatting.uk_date(value)

    assert result == shown


@given(
    born=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)),
    years=st.integers(min_value=1, max_value=120),
)
def test_age_on_birthday_property(born, years):
    """On each birthday the age is the number of years since birth; the day before, one fewer."""
    try:
        birthday = born.replace(year=born.year + years)
    except ValueError:  # 29 February in a non-leap year: the birthday is 1 March
        birthday = dt.date(born.year + years, 3, 1)

    ages = (
        formatting.age_on(born, birthday - dt.timedelta(days=1)),
        formatting.age_on(born, birthday),
    )

    assert ages == (years - 1, years)
