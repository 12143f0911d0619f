"""The dashboard's filter form (a GET form) and the monthly return's month choice."""

import datetime as dt
from typing import Any, cast

from django import forms
from django.http import QueryDict

from divert.cases.fields import DateInputField, NHSForm

# The longest period one dashboard request may cover: a decade of a busy service is still
# one grouped pass per fact table, but nobody needs more on one page.
MAX_PERIOD_DAYS = 366 * 10

BREAKDOWNS = [
    ("month", "Month"),
    ("site", "Site"),
    ("force_area", "Force area"),
    ("gender_identity", "Gender identity"),
    ("ethnic_category", "Ethnic category"),
]
AGE_GROUPS = [("", "All ages"), ("youth", "Under 18 (youth)"), ("adult", "18 and over (adult)")]


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The twelve months to today: from the first day of the month eleven months ago."""
    month_index = today.year * 12 + today.month - 1 - 11
    return dt.date(month_index // 12, month_index % 12 + 1, 1), today


def default_query(today: dt.date) -> QueryDict:
    """The filter form's data for the default period, as if typed into the boxes."""
    date_from, date_to = default_period(today)
    query = QueryDict(mutable=True)
    for name, day in (("date_from", date_from), ("date_to", date_to)):
        query[f"{name}_day"], query[f"{name}_month"] = str(day.day), str(day.month)
        query[f"{name}_year"] = str(day.year)
    query["by"] = "month"
    return query


class ReportFilterForm(NHSForm):
    date_from = DateInputField(
        label="From",
        noun="start date",
        required=False,
        help_text="The first day of referrals to count, for example, 1 4 2026",
    )
    date_to = DateInputField(
        label="To",
        noun="end date",
        required=False,
        help_text="The last day of referrals to count, for example, 31 3 2027",
    )
    site = forms.ChoiceField(label="Site", required=False)
    force_area = forms.ChoiceField(label="Force area", required=False)
    age_group = forms.ChoiceField(label="Age group", required=False, choices=AGE_GROUPS)
    by = forms.ChoiceField(label="Show each measure by", required=False, choices=BREAKDOWNS)

    def __init__(
        self,
        data: Any,
        *,
        sites: list[tuple[str, str]],
        force_areas: list[tuple[str, str]],
        today: dt.date,
    ) -> None:
        super().__init__(data)
        self.today = today
        self._set_choices("site", [("", "All sites"), *sites])
        self._set_choices("force_area", [("", "All force areas"), *force_areas])
        for name, noun in (
            ("site", "a site"),
            ("force_area", "a force area"),
            ("age_group", "an age group"),
            ("by", "what to show each measure by"),
        ):
            self.fields[name].error_messages["invalid_choice"] = f"Choose {noun} from the list"

    def _set_choices(self, name: str, choices: list[tuple[str, str]]) -> None:
        cast(forms.ChoiceField, self.fields[name]).choices = choices

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        default_from, default_to = default_period(self.today)
        if "date_from" in self.errors or "date_to" in self.errors:
            return cleaned
        date_from = cleaned.get("date_from") or default_from
        date_to = cleaned.get("date_to") or default_to
        if date_to < date_from:
            self.add_error("date_to", "The end date must be the same as or after the start date")
        elif (date_to - date_from).days > MAX_PERIOD_DAYS:
            self.add_error("date_to", "The period must be 10 years or shorter")
        cleaned["date_from"], cleaned["date_to"] = date_from, date_to
        cleaned["by"] = cleaned.get("by") or "month"
        return cleaned


def recent_months(today: dt.date, count: int = 24) -> list[tuple[str, str]]:
    """(``YYYY-MM``, "October 2026") for the last ``count`` months, newest first."""
    months = []
    index = today.year * 12 + today.month - 1
    for offset in range(count):
        year, month = divmod(index - offset, 12)
        first = dt.date(year, month + 1, 1)
        months.append((f"{first:%Y-%m}", f"{first:%B %Y}"))
    return months


class ReturnForm(forms.Form):
    month = forms.ChoiceField(label="Month")
    file_format = forms.ChoiceField(
        label="Format", choices=[("csv", "CSV"), ("xlsx", "Excel (.xlsx)")], initial="xlsx"
    )

    def __init__(self, data: Any, *, today: dt.date) -> None:
        super().__init__(data)
        cast(forms.ChoiceField, self.fields["month"]).choices = recent_months(today)
        self.fields["month"].error_messages["invalid_choice"] = "Choose a month from the list"
        self.fields["file_format"].error_messages["invalid_choice"] = "Choose CSV or Excel"
