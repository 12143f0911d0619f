"""Referral forms: the status change, with the details each move needs."""

from typing import Any

from django import forms

from divert.cases.fields import DateTimeInputField, NHSForm, YesNoField
from divert.referrals import states
from divert.referrals.models import ReferralStatus


class StatusForm(NHSForm):
    """Move a referral to ``to``; only the questions that move needs are asked."""

    to = forms.ChoiceField(choices=ReferralStatus.choices, widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Give a reason"},
    )
    first_appointment_at = DateTimeInputField(
        label="When is the first appointment?", noun="first appointment"
    )
    was_supported_to_first_appointment = YesNoField(
        label="Was the person supported to the first appointment?",
        help_text="For example, L&D staff or a support worker went with them or met them there",
        error_messages={"required": "Say whether the person was supported to the appointment"},
    )

    def __init__(self, *args: Any, current: str, to: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not states.needs_reason(current, to):
            del self.fields["reason"]
        elif to == ReferralStatus.DECLINED:
            self.fields["reason"].label = "Why did the service decline the referral?"
            self.fields["reason"].error_messages["required"] = (
                "Give the reason the service declined the referral"
            )
        else:
            self.fields["reason"].label = "Why is the referral being closed?"
            self.fields["reason"].help_text = "For example, sent in error, or the person withdrew"
            self.fields["reason"].error_messages["required"] = (
                "Give a reason for closing the referral before it has an outcome"
            )
        if not states.needs_appointment(to):
            del self.fields["first_appointment_at"]
        if not states.needs_supported_answer(to):
            del self.fields["was_supported_to_first_appointment"]

    def values(self) -> dict[str, Any]:
        values = dict(self.cleaned_data)
        values["expected_version"] = values.pop("version")
        return values
