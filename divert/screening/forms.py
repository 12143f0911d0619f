"""Build a Django form class from an instrument definition: no per-instrument code or templates.

``form_class(definition)`` gives one field per item, named by its ``link_id``: a radio choice
for choice items (option code → display), yes/no radios for boolean items, a whole number for
integer items and a text area for text items. Every field is optional to Django; the form's
``clean`` decides what is required from the definition, honouring ``enable_when`` on the server:
an item that the answers disable is never required, its errors are dropped and its value is
discarded. Error messages name the question ("Select an answer for question 3: …").

The form holds no markup choices beyond the widget types, so the UI slice can render it with the
NHS.UK macros (``core/forms.py`` builds the error summary).
"""

from typing import Any, ClassVar

from django import forms

from divert.screening import scoring
from divert.screening.schema import AnswerValue, Definition, Item


def _yes_no(value: str) -> bool:
    return value == "true"


def _field(item: Item) -> forms.Field:
    common: dict[str, Any] = {"label": item.text, "help_text": item.help_text, "required": False}
    field: forms.Field
    if item.type == "choice":
        field = forms.ChoiceField(
            choices=[(option.code, option.display) for option in item.options],
            widget=forms.RadioSelect,
            error_messages={"invalid_choice": f"Select one of the answers listed for {item.label}"},
            **common,
        )
    elif item.type == "boolean":
        field = forms.TypedChoiceField(
            choices=[("true", "Yes"), ("false", "No")],
            coerce=_yes_no,
            empty_value=None,
            widget=forms.RadioSelect,
            error_messages={"invalid_choice": f"Select yes or no for {item.label}"},
            **common,
        )
    elif item.type == "integer":
        field = forms.IntegerField(
            min_value=item.min_value,
            max_value=item.max_value,
            error_messages={
                "invalid": f"Enter a whole number for {item.label}",
                "min_value": f"Enter %(limit_value)s or more for {item.label}",
                "max_value": f"Enter %(limit_value)s or less for {item.label}",
            },
            **common,
        )
    else:
        field = forms.CharField(
            widget=forms.Textarea,
            max_length=item.max_length,
            error_messages={
                "max_length": f"Use %(limit_value)d characters or fewer for {item.label}"
            },
            **common,
        )
    return _tagged(field, item)


def _tagged(field: forms.Field, item: Item) -> forms.Field:
    """For renderers: the number shown beside the question, and the item it came from."""
    field.prefix = item.prefix  # type: ignore[attr-defined]
    field.link_id = item.link_id  # type: ignore[attr-defined]
    return field


def required_message(item: Item) -> str:
    if item.type == "choice":
        return f"Select an answer for {item.label}"
    if item.type == "boolean":
        return f"Select yes or no for {item.label}"
    if item.type == "integer":
        return f"Enter a number for {item.label}"
    return f"Enter an answer for {item.label}"


class ScreeningForm(forms.Form):
    """Base class of the generated forms. ``require_complete=False`` saves a partial draft."""

    definition: ClassVar[Definition]

    def __init__(self, *args: Any, require_complete: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.require_complete = require_complete

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        given = {link_id: value for link_id, value in cleaned.items() if value not in (None, "")}
        enabled = {item.link_id for item in scoring.enabled_items(self.definition, given)}
        for item in self.definition.items:
            link_id = item.link_id
            if link_id not in enabled:
                cleaned[link_id] = None
                self.errors.pop(link_id, None)
            elif (
                self.require_complete
                and item.required
                and link_id not in given
                and link_id not in self.errors
            ):
                self.add_error(link_id, required_message(item))
        return cleaned

    def answers(self) -> dict[str, AnswerValue]:
        """The enabled items' answers, for ``actions.save_answers``. Call after ``is_valid()``."""
        return {
            link_id: value
            for link_id, value in self.cleaned_data.items()
            if value is not None and value != ""
        }

    def enabled_link_ids(self) -> set[str]:
        """Which items to show for the answers so far (after validation: the valid ones)."""
        answers = self.answers() if hasattr(self, "cleaned_data") else {}
        return {item.link_id for item in scoring.enabled_items(self.definition, answers)}


def form_class(definition: Definition) -> type[ScreeningForm]:
    """A form class for ``definition``, one field per item named by ``link_id``."""
    attrs: dict[str, Any] = {item.link_id: _field(item) for item in definition.items}
    attrs["definition"] = definition
    attrs["__module__"] = __name__
    name = "".join(part.title() for part in definition.slug.split("-")) + "ScreeningForm"
    return type(name, (ScreeningForm,), attrs)
