from django import forms

from divert.accounts.models import AccessGrant


class IGRequestForm(forms.Form):
    local_id = forms.CharField(
        label="Divert ID of the person",
        max_length=20,
        error_messages={"required": "Enter the Divert ID, like DIV-0000123"},
    )
    reference = forms.CharField(
        label="Subject-access or investigation reference",
        max_length=100,
        error_messages={"required": "Enter the request or investigation reference"},
    )
    reason = forms.CharField(
        label="Why you need to open the record",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why you need to open the record"},
    )

    def clean_local_id(self) -> str:
        return self.cleaned_data["local_id"].strip().upper()


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=AccessGrant.Review.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the access was appropriate"},
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
