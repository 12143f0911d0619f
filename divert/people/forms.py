"""Input validation for people: adding a person at intake, and alerts. Forms validate; the
actions in ``people/actions.py`` write."""

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from divert.cases.fields import DateInputField, NHSForm
from divert.core import codelists
from divert.people import identifiers


class PersonForm(NHSForm):
    """A new person, after an intake search found nobody who matches."""

    given_name = forms.CharField(
        label="Given name",
        max_length=100,
        error_messages={"required": "Enter the person's given name"},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    family_name = forms.CharField(
        label="Family name",
        max_length=100,
        error_messages={"required": "Enter the person's family name"},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    preferred_name = forms.CharField(
        label="Preferred name (optional)", max_length=100, required=False
    )
    date_of_birth = DateInputField(label="Date of birth", noun="date of birth", not_future=True)
    date_of_birth_is_estimated = forms.BooleanField(
        label="The date of birth is an estimate", required=False
    )
    nhs_number = forms.CharField(
        label="NHS number (optional)",
        required=False,
        max_length=20,
        help_text="10 digits, like 943 476 5919",
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-10", "spellcheck": "false"}),
    )
    pnc_id = forms.CharField(
        label="PNC ID (optional)",
        required=False,
        max_length=20,
        help_text="Like 08/123456K",
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-10", "spellcheck": "false"}),
    )
    gender_identity = forms.ChoiceField(
        label="Gender identity",
        choices=codelists.choices("gender-identity"),
        initial="X",
        help_text="As the person describes it",
    )
    ethnic_category = forms.ChoiceField(
        label="Ethnic category",
        choices=codelists.choices("ethnic-category"),
        initial="99",
        help_text="As the person describes it",
    )
    has_no_fixed_abode = forms.BooleanField(label="No fixed abode", required=False)
    postcode = forms.CharField(
        label="Postcode (optional)",
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-10", "autocomplete": "off"}),
    )
    communication_needs = forms.CharField(
        label="Communication needs (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, uses British Sign Language, or needs easy-read information",
    )
    interpreter_language = forms.CharField(
        label="Interpreter needed for (optional)",
        required=False,
        max_length=100,
        help_text="The language, if the person needs an interpreter",
    )

    def clean_nhs_number(self) -> str | None:
        value = identifiers.normalise_nhs_number(self.cleaned_data["nhs_number"])
        if not value:
            return None
        identifiers.validate_nhs_number(value)
        return value

    def clean_pnc_id(self) -> str | None:
        value = identifiers.normalise_pnc_id(self.cleaned_data["pnc_id"])
        if not value:
            return None
        identifiers.validate_pnc_id(value)
        return value

    def clean_postcode(self) -> str:
        value = self.cleaned_data["postcode"].strip()
        if value:
            identifiers.validate_postcode(value)
            value = identifiers.normalise_postcode(value)
        return value

    def clean_date_of_birth(self) -> dt.date:
        born: dt.date = self.cleaned_data["date_of_birth"]
        if born.year < timezone.localdate().year - 120:
            raise forms.ValidationError("The date of birth must be within the last 120 years")
        return born

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("has_no_fixed_abode") and cleaned.get("postcode"):
            self.add_error(
                "postcode", "Leave the postcode blank when the person has no fixed abode"
            )
        return cleaned

    def values(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class AlertForm(NHSForm):
    category = forms.ChoiceField(
        label="What kind of alert is it?",
        choices=codelists.choices("alert-category"),
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of alert"},
    )
    description = forms.CharField(
        label="What should everyone who sees this person know?",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="This shows wherever the person appears. Describe what to do, not a score",
        error_messages={"required": "Describe the alert"},
    )


class EndAlertForm(NHSForm):
    reason = forms.CharField(
        label="Why is this alert ending?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Give a reason for ending the alert"},
    )
