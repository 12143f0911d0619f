"""Input validation for the cases pages. Forms validate; actions write."""

import datetime as dt
from typing import Any, ClassVar

from django import forms
from django.utils import timezone

from divert.cases import actions, intake
from divert.cases.fields import (
    DateInputField,
    DateTimeInputField,
    NHSForm,
    YesNoField,
    now_to_the_minute,
)
from divert.cases.models import Competence, Episode, OfferOutcome, Pathway
from divert.cases.stages import Stage
from divert.core import codelists
from divert.people import identifiers


class WorklistFilterForm(forms.Form):
    """The worklist's filters, read from the query string; anything invalid is ignored."""

    SHOW = [
        ("open", "Open episodes"),
        ("mine", "Allocated to me"),
        ("unallocated", "Not allocated"),
        ("all", "All, including closed"),
    ]

    show = forms.ChoiceField(choices=SHOW, required=False)
    site = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    stage = forms.ChoiceField(choices=[("", "Any stage"), *Stage.choices], required=False)
    pathway = forms.ChoiceField(choices=[("", "Youth and adult"), *Pathway.choices], required=False)

    def __init__(self, *args: Any, sites: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [("", "All sites"), *sites]  # type: ignore[attr-defined]

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {"show": "open"}
        data = {key: value for key, value in self.cleaned_data.items() if value}
        data.setdefault("show", "open")
        return data


class AllocateForm(forms.Form):
    practitioner = forms.TypedChoiceField(
        coerce=int,
        label="Allocate to",
        error_messages={
            "required": "Choose who to allocate this episode to",
            "invalid_choice": "Choose a practitioner in the episode's team",
        },
    )

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["practitioner"]
        field.choices = [("", "Choose a practitioner"), *choices]  # type: ignore[attr-defined]


# The episode workflow. Each form validates what a person can get wrong and returns the
# keyword arguments of the one action its view calls (``values()``); the actions re-check
# the rules that matter (Gillick, closed episodes) and the database constraints back them.


def _codes(slug: str, *, blank: str | None = None) -> list[tuple[str, str]]:
    choices = codelists.choices(slug)
    return [("", blank), *choices] if blank is not None else choices


def referral_source_choices() -> list[tuple[str, str]]:
    """Justice-system sources (E1 to E6) first: they are most L&D referrals."""
    choices = codelists.choices("referral-source")
    justice = [choice for choice in choices if choice[0].startswith("E")]
    others = [choice for choice in choices if not choice[0].startswith("E")]
    return [("", "Choose who referred"), *justice, *others]


class IntakeSearchForm(NHSForm):
    nhs_number = forms.CharField(
        label="NHS number",
        required=False,
        max_length=20,
        help_text="10 digits, like 943 476 5919",
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-10", "spellcheck": "false"}),
    )
    pnc_id = forms.CharField(
        label="PNC ID",
        required=False,
        max_length=20,
        help_text="Like 08/123456K",
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-10", "spellcheck": "false"}),
    )
    given_name = forms.CharField(label="Given name", required=False, max_length=100)
    family_name = forms.CharField(label="Family name", required=False, max_length=100)
    date_of_birth = DateInputField(label="Date of birth", required=False, noun="date of birth")

    def clean_nhs_number(self) -> str:
        value = identifiers.normalise_nhs_number(self.cleaned_data["nhs_number"])
        if value:
            identifiers.validate_nhs_number(value)
        return value

    def clean_pnc_id(self) -> str:
        value = identifiers.normalise_pnc_id(self.cleaned_data["pnc_id"])
        if value:
            identifiers.validate_pnc_id(value)
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        has_identifier = cleaned.get("nhs_number") or cleaned.get("pnc_id")
        if not has_identifier and not (cleaned.get("family_name") and cleaned.get("date_of_birth")):
            raise forms.ValidationError(
                "Enter an NHS number, a PNC ID, or a family name and date of birth"
            )
        return cleaned

    def query(self) -> intake.Query:
        return intake.Query(**self.cleaned_data)


class ReferralForm(NHSForm):
    person = forms.IntegerField(widget=forms.HiddenInput)
    site = forms.TypedChoiceField(
        coerce=int,
        label="Where was the person referred?",
        error_messages={
            "required": "Choose the site",
            "invalid_choice": "Choose one of your team's sites",
        },
    )
    pathway_point = forms.ChoiceField(
        label="Point in the criminal justice pathway",
        choices=_codes("pathway-point", blank="Choose the pathway point"),
        error_messages={"required": "Choose the point in the pathway"},
    )
    referral_source = forms.ChoiceField(
        label="Who referred the person?",
        choices=referral_source_choices,
        error_messages={"required": "Choose who referred the person"},
    )
    referrer_name = forms.CharField(label="Referrer's name (optional)", required=False)
    referrer_role = forms.CharField(
        label="Referrer's role (optional)",
        required=False,
        help_text="For example, custody sergeant",
    )
    referral_reason = forms.CharField(
        label="Reason for referral (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    referral_received_at = DateTimeInputField(
        label="When was the referral received?",
        noun="time the referral was received",
        initial=now_to_the_minute,
        not_future=True,
    )
    detained_at = DateTimeInputField(
        label="Arrest or detention time (optional)",
        noun="arrest or detention time",
        required=False,
        not_future=True,
        help_text="Arrest time, or arrival at the police station for voluntary attendance",
    )
    custody_record_number = forms.CharField(
        label="Custody record number (optional)",
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-20", "spellcheck": "false"}),
    )
    alleged_offence_category = forms.ChoiceField(
        label="Alleged offence category (optional)",
        choices=_codes("alleged-offence-category", blank="Not known"),
        required=False,
    )

    def __init__(self, *args: Any, sites: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        site = self.fields["site"]
        site.choices = [("", "Choose the site"), *sites]  # type: ignore[attr-defined]
        if len(sites) == 1:
            self.initial.setdefault("site", sites[0][0])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        received, detained = cleaned.get("referral_received_at"), cleaned.get("detained_at")
        if received and detained and detained > received:
            self.add_error(
                "detained_at", "The arrest or detention time must be before the referral time"
            )
        return cleaned

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("person")
        data.pop("site")
        return data


OFFER_OUTCOMES = [
    (OfferOutcome.ACCEPTED.value, "Accepted"),
    (OfferOutcome.DECLINED.value, "Declined"),
    (OfferOutcome.NOT_POSSIBLE.value, "Not possible now"),
]
COMPETENCE_CHOICES = [
    (Competence.COMPETENT.value, "Gillick competent"),
    (Competence.NOT_COMPETENT.value, "Not Gillick competent"),
    (Competence.NOT_ASSESSED.value, "Not assessed"),
]
YOUTH_OFFER_FIELDS = [
    "parent_carer_present",
    "parent_carer_name",
    "appropriate_adult_present",
    "appropriate_adult_name",
    "appropriate_adult_organisation",
    "youth_justice_worker",
]


class OfferForm(NHSForm):
    """The offer of L&D support and the answer. Youth questions only appear for under-18s, and
    competence to consent only for under-16s."""

    reveals: ClassVar[dict[str, dict[str, list[str]]]] = {
        "outcome": {OfferOutcome.NOT_POSSIBLE.value: ["not_possible_reason"]},
        "parent_carer_present": {"yes": ["parent_carer_name"]},
        "appropriate_adult_present": {
            "yes": ["appropriate_adult_name", "appropriate_adult_organisation"]
        },
    }

    outcome = forms.ChoiceField(
        label="What was the answer to the offer of support?",
        choices=OFFER_OUTCOMES,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose whether the offer was accepted, declined or not possible"
        },
    )
    not_possible_reason = forms.ChoiceField(
        label="If not possible now, why not?",
        choices=_codes("not-possible-reason", blank="Choose a reason"),
        required=False,
    )
    reason_detail = forms.CharField(
        label="Anything else about the offer (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    offered_at = DateTimeInputField(
        label="When was support offered?",
        noun="time support was offered",
        initial=now_to_the_minute,
        not_future=True,
    )
    parent_carer_present = YesNoField(
        label="Was a parent or carer present?",
        required=False,
    )
    parent_carer_name = forms.CharField(
        label="If yes, the parent or carer's name", required=False, max_length=200
    )
    appropriate_adult_present = YesNoField(
        label="Was an appropriate adult present?", required=False
    )
    appropriate_adult_name = forms.CharField(
        label="If yes, the appropriate adult's name", required=False, max_length=200
    )
    appropriate_adult_organisation = forms.CharField(
        label="The appropriate adult's organisation (optional)",
        required=False,
        max_length=200,
        help_text="For example, the local authority's appropriate adult service",
    )
    youth_justice_worker = forms.CharField(
        label="Youth justice worker (optional)", required=False, max_length=200
    )
    competence = forms.ChoiceField(
        label="Is the young person competent to consent (Gillick)?",
        choices=COMPETENCE_CHOICES,
        widget=forms.RadioSelect,
        required=False,
        help_text="Needed when a child under 16 accepts support",
    )

    def __init__(self, *args: Any, episode: Episode, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.episode = episode
        if not episode.is_youth:
            for name in [*YOUTH_OFFER_FIELDS, "competence"]:
                del self.fields[name]
        elif episode.age_at_referral >= actions.GILLICK_AGE:
            del self.fields["competence"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("outcome") == OfferOutcome.NOT_POSSIBLE:
            if not cleaned.get("not_possible_reason"):
                self.add_error("not_possible_reason", "Choose why the offer was not possible")
        else:
            cleaned["not_possible_reason"] = ""
        for present, names in [
            ("parent_carer_present", ["parent_carer_name"]),
            (
                "appropriate_adult_present",
                ["appropriate_adult_name", "appropriate_adult_organisation"],
            ),
        ]:
            if present not in self.fields:
                continue
            if cleaned.get(present):
                if not cleaned.get(names[0]):
                    who = "parent or carer" if present.startswith("parent") else "appropriate adult"
                    self.add_error(names[0], f"Enter the {who}'s name")
            else:
                for name in names:
                    cleaned[name] = ""
        return cleaned

    def values(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class OfferCorrectionForm(OfferForm):
    reason = forms.CharField(
        label="Why are you correcting this offer?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Give a reason for the correction"},
    )

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("reason")
        return data


class NeedsForm(NHSForm):
    categories = forms.MultipleChoiceField(
        label="Which vulnerabilities or needs have been identified?",
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply",
        error_messages={"required": "Choose at least one vulnerability or need"},
    )
    identified_by = forms.ChoiceField(
        label="Who identified them?",
        choices=codelists.choices("identified-by"),
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who identified them"},
    )

    def __init__(self, *args: Any, already_recorded: set[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        codes = [code for code in codelists.load("vulnerability").codes]
        available = [code for code in codes if code.code not in already_recorded]
        self.fields["categories"].choices = [  # type: ignore[attr-defined]
            (code.code, code.display) for code in available
        ]
        grouped: dict[str, list[str]] = {}
        for code in available:
            grouped.setdefault(code.group or "Other", []).append(code.code)
        self.groups = {"categories": list(grouped.items())}


URGENT_ACTION_CHOICES = codelists.choices("urgent-action")
RISK_HINT = (
    "A formulation, not a score: what the risk is, when it is likely, what makes it worse and "
    "what reduces it"
)
ASSESSMENT_FIELDS = [
    "presenting_needs",
    "history",
    "risk_to_self",
    "risk_to_others",
    "risk_from_others",
    "safeguarding_concern",
    "safeguarding_referral_reference",
    "recommendations",
    "reasonable_adjustments",
    "urgent_actions",
    "started_at",
    "completed_at",
]


class AssessmentForm(NHSForm):
    """A structured, trauma-informed assessment. Risk is written as a formulation, never
    scored (NICE NG225)."""

    reveals: ClassVar[dict[str, dict[str, list[str]]]] = {
        "safeguarding_concern": {"yes": ["safeguarding_referral_reference"]},
        "status": {"complete": ["completed_at"]},
    }

    presenting_needs = forms.CharField(
        label="Presenting needs",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What the person and others describe now, in their words where possible",
    )
    history = forms.CharField(
        label="Relevant history (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    risk_to_self = forms.CharField(
        label="Risk to self",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=RISK_HINT,
    )
    risk_to_others = forms.CharField(
        label="Risk to others",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=RISK_HINT,
    )
    risk_from_others = forms.CharField(
        label="Risk from others",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Including exploitation, abuse and coercion",
    )
    safeguarding_concern = YesNoField(
        label="Is there a safeguarding concern?",
        error_messages={"required": "Say whether there is a safeguarding concern"},
    )
    safeguarding_referral_reference = forms.CharField(
        label="If yes, the safeguarding referral reference (optional)",
        required=False,
        max_length=100,
    )
    recommendations = forms.CharField(
        label="Recommendations", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    reasonable_adjustments = forms.CharField(
        label="Reasonable adjustments (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, simple language in interview, or an appropriate adult",
    )
    urgent_actions = forms.MultipleChoiceField(
        label="Urgent actions taken or requested (optional)",
        choices=URGENT_ACTION_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    started_at = DateTimeInputField(
        label="When did the assessment start?",
        noun="start of the assessment",
        initial=now_to_the_minute,
        not_future=True,
    )
    status = forms.ChoiceField(
        label="Is the assessment complete?",
        choices=[("in_progress", "No, it is in progress"), ("complete", "Yes, it is complete")],
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the assessment is complete"},
    )
    completed_at = DateTimeInputField(
        label="If complete, when was it completed?",
        noun="completion time",
        required=False,
        initial=now_to_the_minute,
        not_future=True,
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("status") == "complete":
            started, completed = cleaned.get("started_at"), cleaned.get("completed_at")
            if not completed and "completed_at" not in self.errors:
                self.add_error("completed_at", "Enter when the assessment was completed")
            elif started and completed and completed < started:
                self.add_error("completed_at", "The completion time must be after the start")
        else:
            cleaned["completed_at"] = None
        if not cleaned.get("safeguarding_concern"):
            cleaned["safeguarding_referral_reference"] = ""
        return cleaned

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in ASSESSMENT_FIELDS}

    @staticmethod
    def initial_for(values: dict[str, Any]) -> dict[str, Any]:
        """Form initial data for saved assessment values (the status follows completion)."""
        initial = dict(values)
        initial["status"] = "complete" if values.get("completed_at") else "in_progress"
        if not values.get("completed_at"):
            initial.pop("completed_at", None)
        return initial


class AssessmentEditForm(AssessmentForm):
    """Correcting or completing an assessment: the version it was loaded at travels with the
    form, so a save on top of someone else's unseen change is refused (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Why are you changing the assessment?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, completed after a second interview, or a correction",
        error_messages={"required": "Give a reason for the change"},
    )


class ContactForm(NHSForm):
    contact_type = forms.ChoiceField(
        label="Type of contact",
        choices=codelists.choices("contact-type"),
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the type of contact"},
    )
    occurred_at = DateTimeInputField(
        label="When was the contact?",
        noun="time of the contact",
        initial=now_to_the_minute,
        not_future=True,
    )
    duration_minutes = forms.IntegerField(
        label="How long did it last, in minutes? (optional)",
        required=False,
        min_value=1,
        max_value=24 * 60,
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-4"}),
        error_messages={
            "invalid": "Enter the length of the contact in whole minutes, like 30",
            "min_value": "The length of the contact must be at least 1 minute",
            "max_value": "The length of the contact must be at most 1,440 minutes (a day)",
        },
    )
    note = forms.CharField(
        label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def values(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class TaskForm(NHSForm):
    title = forms.CharField(
        label="What needs doing?",
        max_length=200,
        help_text="For example, check attendance at the first appointment",
        error_messages={"required": "Enter what needs doing"},
    )
    due_on = DateInputField(label="When is it due?", noun="due date")
    assigned_to = forms.TypedChoiceField(
        coerce=int,
        label="Who should do it? (optional)",
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": "Choose someone in the episode's team"},
    )

    def __init__(self, *args: Any, assignees: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assigned_to"]
        field.choices = [("", "Anyone in the team"), *assignees]  # type: ignore[attr-defined]

    def clean_due_on(self) -> dt.date:
        due_on: dt.date = self.cleaned_data["due_on"]
        if due_on < timezone.localdate():
            raise forms.ValidationError("The due date must be today or in the future")
        return due_on


class PoliceOutcomeForm(NHSForm):
    outcome = forms.ChoiceField(
        label="What did the police decide?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the police decision"},
    )
    decided_at = DateTimeInputField(
        label="When was the decision made?",
        noun="time of the decision",
        initial=now_to_the_minute,
        not_future=True,
    )
    reported_by = forms.CharField(
        label="Who reported it? (optional)",
        required=False,
        max_length=200,
        help_text="For example, the custody sergeant",
    )

    def __init__(self, *args: Any, episode: Episode, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = codelists.choices(  # type: ignore[attr-defined]
            f"police-outcome-{episode.pathway}"
        )
        list_name = "youth" if episode.is_youth else "adult"
        self.fields["outcome"].label = f"What did the police decide? ({list_name} outcomes)"
        self.fields["outcome"].error_messages["invalid_choice"] = (
            f"Choose an outcome from the {list_name} list"
        )

    def values(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


NO_OUTCOME_YET = "none_yet"


class CourtHearingForm(NHSForm):
    reveals: ClassVar[dict[str, dict[str, list[str]]]] = {
        "outcome": {"sentenced": ["sentence_type"]},
    }

    court = forms.TypedChoiceField(
        coerce=int,
        label="Court",
        error_messages={"required": "Choose the court", "invalid_choice": "Choose a court"},
    )
    hearing_on = DateInputField(label="Date of the hearing", noun="date of the hearing")
    outcome = forms.ChoiceField(
        label="Outcome",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the outcome, or 'No outcome yet'"},
    )
    sentence_type = forms.ChoiceField(label="If sentenced, what was the sentence?", required=False)
    decided_at = DateTimeInputField(
        label="When did the court decide?",
        noun="time of the decision",
        required=False,
        initial=now_to_the_minute,
        not_future=True,
        help_text="Leave as it is if you are recording a hearing with no outcome yet",
    )
    note = forms.CharField(
        label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self, *args: Any, episode: Episode, courts: list[tuple[int, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        court = self.fields["court"]
        court.choices = [("", "Choose the court"), *courts]  # type: ignore[attr-defined]
        self.fields["outcome"].choices = [  # type: ignore[attr-defined]
            *codelists.choices("court-outcome"),
            (NO_OUTCOME_YET, "No outcome yet"),
        ]
        sentences = [
            (code.code, code.display)
            for code in codelists.load("sentence-type").codes
            if code.applies_to in {"any", episode.pathway}
        ]
        sentence = self.fields["sentence_type"]
        sentence.choices = [("", "Choose the sentence"), *sentences]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        outcome = cleaned.get("outcome")
        if outcome == NO_OUTCOME_YET:
            cleaned["outcome"] = ""
            cleaned["decided_at"] = None
        elif outcome and not cleaned.get("decided_at") and "decided_at" not in self.errors:
            self.add_error("decided_at", "Enter when the court decided")
        if outcome == "sentenced":
            if not cleaned.get("sentence_type"):
                self.add_error("sentence_type", "Choose the sentence")
        else:
            cleaned["sentence_type"] = ""
        return cleaned

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("court")
        return data


class CloseEpisodeForm(NHSForm):
    reason = forms.ChoiceField(
        label="Why is the episode closing?",
        choices=codelists.choices("closure-reason"),
        widget=forms.RadioSelect,
        error_messages={"required": "Choose why the episode is closing"},
    )
    note = forms.CharField(
        label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReopenEpisodeForm(NHSForm):
    reason = forms.CharField(
        label="Why are you reopening the episode?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, closed in error, or the person was seen again the same day",
        error_messages={"required": "Give a reason for reopening the episode"},
    )
