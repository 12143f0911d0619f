"""Forms for the duplicate review pages. Forms validate; ``linkage/actions.py`` writes."""

from typing import Any

from django import forms

from divert.cases.fields import NHSForm
from divert.linkage.models import LinkDecision


class DecisionForm(NHSForm):
    outcome = forms.ChoiceField(
        label="Are these records the same person?",
        choices=[
            (LinkDecision.Outcome.SAME, "Yes, the same person (you will be asked to merge them)"),
            (LinkDecision.Outcome.DIFFERENT, "No, different people"),
            (LinkDecision.Outcome.NOT_SURE, "Not sure: leave it for someone else to look at"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether these records are the same person"},
    )
    reason = forms.CharField(
        label="What did you base this on? (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, the person confirmed both addresses",
    )


class MergeForm(NHSForm):
    survivor = forms.ChoiceField(
        label="Which record should be kept?",
        widget=forms.RadioSelect,
        help_text="Everything on the other record moves to this one. You can undo a merge",
        error_messages={"required": "Choose the record to keep"},
    )
    reason = forms.CharField(
        label="Why are you sure they are the same person?",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say why you are sure they are the same person"},
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        survivor = self.fields["survivor"]
        assert isinstance(survivor, forms.ChoiceField)
        survivor.choices = choices


class UnmergeForm(NHSForm):
    reason = forms.CharField(
        label="Why should this merge be undone?",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say why this merge should be undone"},
    )
