"""Display formatting shared by presenters and templates (UK conventions, Europe/London time)."""

import datetime as dt

from django.utils import timezone


def uk_date(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date()
    return f"{value.day} {value:%B %Y}"


def uk_datetime(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    local = timezone.localtime(value)
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"


def time_since(value: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """Elapsed time in words a custody suite reads at a glance: '2 h 15 min', '3 days'."""
    if value is None:
        return ""
    now = now or timezone.now()
    seconds = int((now - value).total_seconds())
    if seconds < 0:
        return "in the future"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{hours // 24} days"


def nhs_number(value: str | None) -> str:
    """NHS numbers are shown 3-3-4, as on NHS letters."""
    if not value:
        return ""
    digits = value.replace(" ", "")
    if len(digits) != 10:
        return value
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"


def age_on(date_of_birth: dt.date, on: dt.date) -> int:
    """Whole years between a date of birth and a day (29 February birthdays roll to 1 March)."""
    years = on.year - date_of_birth.year
    if (on.month, on.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years
