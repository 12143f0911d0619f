"""Input validation for the cases pages. Forms validate; actions write."""

from typing import Any

from django import forms

from divert.cases.models import Pathway
from divert.cases.stages import Stage


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
