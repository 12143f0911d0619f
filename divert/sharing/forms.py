"""Input validation for the consent and sharing pages. Forms validate; actions write (and
enforce consent: a form never decides whether something may be shared)."""

from typing import Any, ClassVar

from django import forms

from divert.cases.fields import DateInputField, DateTimeInputField, NHSForm, now_to_the_minute
from divert.core import codelists
from divert.organisation.models import Agency
from divert.sharing.actions import SCOPE_CODES
from divert.sharing.models import ConsentDecisionKind, ConsentGivenBy, DocumentKind
from divert.sharing.sections import SECTIONS

SCOPE_CHOICES = [(s.code, s.title) for s in SECTIONS if s.code in SCOPE_CODES]
SECTION_CHOICES = [(s.code, s.title) for s in SECTIONS if s.code != "summary"]
OTHER_BASES = [code for code in codelists.codes("lawful-basis") if code != "consent"]


def _choose(slug: str, blank: str) -> list[tuple[str, str]]:
    return [("", blank), *codelists.choices(slug)]


class ConsentForm(NHSForm):
    reveals: ClassVar[dict[str, dict[str, list[str]]]] = {
        "decision": {"given": ["scope", "expires_on"]},
        "given_by": {"parental_responsibility": ["given_by_name"]},
    }

    recipient_class = forms.ChoiceField(
        label="Who would the information be shared with?",
        choices=_choose("recipient-class", "Choose a recipient"),
        error_messages={"required": "Choose who the information would be shared with"},
    )
    purpose = forms.ChoiceField(
        label="What for?",
        choices=_choose("disclosure-purpose", "Choose a purpose"),
        error_messages={"required": "Choose what the information would be shared for"},
    )
    decision = forms.ChoiceField(
        label="Decision",
        choices=ConsentDecisionKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the decision"},
    )
    scope = forms.MultipleChoiceField(
        label="What may be shared",
        choices=SCOPE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="A summary saying why the information is shared is always included.",
    )
    expires_on = DateInputField(
        label="Consent ends on (optional)", required=False, noun="date consent ends"
    )
    given_by = forms.ChoiceField(
        label="Who made the decision?",
        choices=ConsentGivenBy.choices,
        widget=forms.RadioSelect,
        initial=ConsentGivenBy.PERSON,
        error_messages={"required": "Select who made the decision"},
    )
    given_by_name = forms.CharField(
        label="Name of the person with parental responsibility", required=False, max_length=200
    )
    decided_at = DateTimeInputField(
        label="When was the decision made?", noun="time of the decision", not_future=True
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, how capacity or competence to decide was assessed.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("decided_at", now_to_the_minute())
        super().__init__(*args, **kwargs)


class DraftForm(NHSForm):
    kind = forms.ChoiceField(
        label="Document",
        choices=DocumentKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of document"},
    )
    recipient_class = ConsentForm.base_fields["recipient_class"]
    purpose = ConsentForm.base_fields["purpose"]
    summary = forms.CharField(
        label="Summary for the recipient",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Why you are writing, when and where you saw the person. Needs, "
        "recommendations and adjustments come from the record.",
        error_messages={"required": "Enter a summary for the recipient"},
    )
    sections = forms.MultipleChoiceField(
        label="Include from the record",
        choices=SECTION_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Leave all unticked to include everything the consent covers. Without "
        "consent, the document can only be shared on another lawful basis.",
    )

    def sections_or_default(self) -> list[str] | None:
        return list(self.cleaned_data["sections"]) or None


class ReviseForm(NHSForm):
    summary = DraftForm.base_fields["summary"]
    sections = DraftForm.base_fields["sections"]

    def sections_or_default(self) -> list[str] | None:
        return list(self.cleaned_data["sections"]) or None


class ReturnForm(NHSForm):
    reason = forms.CharField(
        label="What needs to change?",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say what needs to change"},
    )


class ShareForm(NHSForm):
    reveals: ClassVar[dict[str, dict[str, list[str]]]] = {
        "lawful_basis": {code: ["lawful_basis_detail"] for code in OTHER_BASES}
    }

    agency = forms.TypedChoiceField(
        label="Share with",
        coerce=int,
        error_messages={"required": "Choose the agency to share with"},
    )
    recipient_name = forms.CharField(label="Recipient's name (optional)", required=False)
    recipient_role = forms.CharField(label="Recipient's role (optional)", required=False)
    purpose = ConsentForm.base_fields["purpose"]
    lawful_basis = forms.ChoiceField(
        label="Basis for sharing",
        choices=codelists.choices("lawful-basis"),
        widget=forms.RadioSelect,
        initial="consent",
        error_messages={"required": "Select the basis for sharing"},
    )
    lawful_basis_detail = forms.CharField(
        label="Why is sharing without consent justified?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, the court order's date, or the safeguarding concern. "
        "Sharing on this basis records your approval.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        field.choices = [  # type: ignore[attr-defined]
            ("", "Choose an agency"),
            *[
                (agency.pk, f"{agency.name} ({agency.get_recipient_class_display()})")
                for agency in Agency.objects.order_by("name")
            ],
        ]

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["agency"] = Agency.objects.get(pk=data["agency"])
        return data


class DecisionForm(NHSForm):
    cj_decision_at = DateTimeInputField(
        label="When was the decision made?", noun="decision time", not_future=True
    )
