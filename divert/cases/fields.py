"""Form fields and a form base class that render with the NHS.UK design system macros.

Django forms validate; these helpers turn each field into the parameters of the matching
NHS.UK macro (input, textarea, select, radios, checkboxes, date input), so one template
(``cases/components/fields.jinja``) renders any form the same accessible way:

- dates use the NHS.UK date input (day, month and year boxes), datetimes add a time box;
- every field's first input has the id ``id_<name>``, which is where the error summary links;
- a form may declare ``reveals``: follow-up fields ("If yes, ...") rendered under the question
  they depend on. They are always visible rather than in an NHS.UK conditional reveal, whose
  script puts ``aria-expanded`` on radio inputs, which ARIA does not allow (axe
  ``aria-allowed-attr``; alphagov/govuk-frontend#979). The form's ``clean`` ignores them when
  the answer does not ask for them.

Used by the cases and people forms.
"""

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

DATE_PARTS = ("day", "month", "year")
TIME_PATTERN = re.compile(r"^(?P<hour>[0-9]{1,2})[:.](?P<minute>[0-9]{2})$")
# Clocks on custody-suite PCs drift; a time a few minutes ahead is not "in the future".
FUTURE_TOLERANCE = dt.timedelta(minutes=5)
YES_NO = [("yes", "Yes"), ("no", "No")]


class DateInputWidget(forms.Widget):
    """Three boxes named ``<name>_day``, ``<name>_month`` and ``<name>_year``."""

    parts: tuple[str, ...] = DATE_PARTS

    def value_from_datadict(self, data: Any, files: Any, name: str) -> dict[str, str]:
        return {part: str(data.get(f"{name}_{part}", "")).strip() for part in self.parts}

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return all(f"{name}_{part}" not in data for part in self.parts)


class DateTimeInputWidget(DateInputWidget):
    """The date boxes plus a 24-hour time box named ``<name>_time``."""

    parts = (*DATE_PARTS, "time")


class DateInputField(forms.Field):
    """A date typed into the NHS.UK date input. Messages name the question, as NHS.UK asks."""

    widget = DateInputWidget

    def __init__(
        self, *args: Any, noun: str = "date", not_future: bool = False, **kwargs: Any
    ) -> None:
        self.noun = noun
        self.not_future = not_future
        kwargs.setdefault("error_messages", {})
        kwargs["error_messages"].setdefault("required", f"Enter the {noun}")
        super().__init__(*args, **kwargs)

    def _date(self, value: Mapping[str, str]) -> dt.date:
        missing = [part for part in DATE_PARTS if not value.get(part)]
        if missing:
            raise ValidationError(
                f"The {self.noun} must include a {' and '.join(missing)}", code="incomplete"
            )
        try:
            day, month, year = (int(value[part]) for part in DATE_PARTS)
            if year < 1000:
                raise ValueError
            return dt.date(year, month, day)
        except ValueError:
            raise ValidationError(f"The {self.noun} must be a real date", code="invalid") from None

    def to_python(self, value: Any) -> dt.date | None:
        if value is None or isinstance(value, dt.date):
            return value
        if not any(value.values()):
            return None
        return self._date(value)

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is None or not self.not_future:
            return
        if isinstance(value, dt.datetime):
            in_future = value > timezone.now() + FUTURE_TOLERANCE
        else:
            in_future = value > timezone.localdate()
        if in_future:
            raise ValidationError(f"The {self.noun} must not be in the future", code="future")


class DateTimeInputField(DateInputField):
    """A date and a 24-hour time (``14:30``), in UK local time."""

    widget = DateTimeInputWidget

    def to_python(self, value: Any) -> dt.datetime | None:  # type: ignore[override]
        if value is None or isinstance(value, dt.datetime):
            return value
        if not any(value.values()):
            return None
        day = self._date(value)
        match = TIME_PATTERN.match(value.get("time", ""))
        if not value.get("time"):
            raise ValidationError(f"The {self.noun} must include a time", code="incomplete")
        if not match or int(match["hour"]) > 23 or int(match["minute"]) > 59:
            raise ValidationError(
                f"Enter the time of the {self.noun} using the 24-hour clock, like 14:30",
                code="invalid_time",
            )
        naive = dt.datetime.combine(day, dt.time(int(match["hour"]), int(match["minute"])))
        return timezone.make_aware(naive)


class YesNoField(forms.TypedChoiceField):
    """A yes/no question as radios; ``None`` when not answered."""

    widget = forms.RadioSelect

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            choices=YES_NO,
            coerce=lambda value: value == "yes",
            empty_value=None,
            **kwargs,
        )

    def prepare_value(self, value: Any) -> Any:
        if value is True:
            return "yes"
        if value is False:
            return "no"
        return value


def now_to_the_minute() -> dt.datetime:
    return timezone.localtime().replace(second=0, microsecond=0)


def date_parts(value: Any, parts: Iterable[str] = DATE_PARTS) -> dict[str, str]:
    """The boxes' contents: as typed when the form is bound, from the value otherwise."""
    if isinstance(value, Mapping):
        return {part: value.get(part, "") for part in parts}
    if isinstance(value, dt.datetime):
        local = timezone.localtime(value)
        return {
            "day": str(local.day),
            "month": str(local.month),
            "year": str(local.year),
            "time": f"{local:%H:%M}",
        }
    if isinstance(value, dt.date):
        return {"day": str(value.day), "month": str(value.month), "year": str(value.year)}
    return {part: "" for part in parts}


class NHSForm(forms.Form):
    """A form that knows how to describe each field to the NHS.UK macros."""

    # {"field": {"answer value": ["follow-up field", ...]}}: asked when that answer is chosen.
    reveals: ClassVar[dict[str, dict[str, list[str]]]] = {}
    # Checkbox fields whose options are shown in groups: {"field": [(group, [codes])]}.
    groups: dict[str, list[tuple[str, list[str]]]] = {}  # replaced per instance, never mutated

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name, value in cleaned.items():
            if isinstance(value, str):
                cleaned[name] = value.replace("\r\n", "\n")
        return cleaned

    # What the template needs.

    def revealed_fields(self) -> set[str]:
        return {child for answers in self.reveals.values() for c in answers.values() for child in c}

    def top_level_fields(self) -> list[str]:
        hidden = self.revealed_fields()
        return [
            name
            for name, field in self.fields.items()
            if name not in hidden and not isinstance(field.widget, forms.HiddenInput)
        ]

    def hidden_fields_data(self) -> list[tuple[str, Any]]:
        return [
            (name, self[name].value() if self[name].value() is not None else "")
            for name, field in self.fields.items()
            if isinstance(field.widget, forms.HiddenInput)
        ]

    def follow_ups(self, name: str) -> list[str]:
        """The fields that follow up an answer to ``name``, in the order declared."""
        return [
            child
            for children in self.reveals.get(name, {}).values()
            for child in children
            if child in self.fields
        ]

    def field_kind(self, name: str) -> str:
        widget = self.fields[name].widget
        if isinstance(widget, DateTimeInputWidget):
            return "datetime"
        if isinstance(widget, DateInputWidget):
            return "date"
        if isinstance(widget, forms.CheckboxSelectMultiple):
            return "grouped_checkboxes" if name in self.groups else "checkboxes"
        if isinstance(widget, forms.RadioSelect):
            return "radios"
        if isinstance(widget, forms.CheckboxInput):
            return "checkbox"
        if isinstance(widget, forms.Select):
            return "select"
        if isinstance(widget, forms.Textarea):
            return "textarea"
        return "input"

    def _error(self, name: str) -> dict[str, str] | None:
        errors = self.errors.get(name) if self.is_bound else None
        return {"text": str(errors[0])} if errors else None

    def _value(self, name: str) -> Any:
        return self[name].value()

    def _hint(self, name: str) -> dict[str, str] | None:
        text = self.fields[name].help_text
        return {"text": str(text)} if text else None

    def _label(self, name: str) -> str:
        label = self.fields[name].label
        return str(label) if label is not None else name.replace("_", " ").capitalize()

    def _choices(self, name: str) -> list[tuple[str, str]]:
        field = self.fields[name]
        return [(str(value), str(label)) for value, label in getattr(field, "choices", [])]

    def nhs_params(self, name: str) -> dict[str, Any]:
        """Parameters for the NHS.UK macro that renders ``name`` (see ``field_kind``)."""
        kind = self.field_kind(name)
        field = self.fields[name]
        params: dict[str, Any] = {
            "name": name,
            "hint": self._hint(name),
            "errorMessage": self._error(name),
        }
        legend = {"text": self._label(name), "size": "s"}
        value = self._value(name)
        if kind in {"input", "textarea", "select"}:
            params["id"] = f"id_{name}"
            params["label"] = {"text": self._label(name)}
            params["value"] = "" if value is None else str(value)
            params["classes"] = field.widget.attrs.get("class", "")
        if kind == "input":
            if isinstance(field, forms.IntegerField):
                params["inputmode"] = "numeric"
            if autocomplete := field.widget.attrs.get("autocomplete"):
                params["autocomplete"] = autocomplete
            if field.widget.attrs.get("spellcheck") == "false":
                params["spellcheck"] = False
        elif kind == "textarea":
            params["rows"] = field.widget.attrs.get("rows", 4)
        elif kind == "select":
            params["items"] = [
                {"value": value_, "text": label, "selected": value_ == params["value"]}
                for value_, label in self._choices(name)
            ]
        elif kind == "radios":
            params["idPrefix"] = f"id_{name}"
            params["fieldset"] = {"legend": legend}
            selected = "" if value is None else str(value)
            params["items"] = [
                {"value": value_, "text": label, "checked": value_ == selected}
                for value_, label in self._choices(name)
                if value_ != ""
            ]
            params["classes"] = "nhsuk-radios--inline" if len(params["items"]) == 2 else ""
        elif kind in {"checkboxes", "grouped_checkboxes"}:
            chosen = {str(v) for v in (value or [])}
            params["idPrefix"] = f"id_{name}"
            params["fieldset"] = {"legend": legend}
            params["items"] = [
                {"value": value_, "text": label, "checked": value_ in chosen}
                for value_, label in self._choices(name)
            ]
        elif kind == "checkbox":
            params["idPrefix"] = f"id_{name}"
            params["items"] = [{"value": "on", "text": self._label(name), "checked": bool(value)}]
        elif kind in {"date", "datetime"}:
            parts = date_parts(value, field.widget.parts)  # type: ignore[attr-defined]
            params["id"] = f"{name}-input"
            params["fieldset"] = {"legend": legend}
            params["items"] = [
                {"id": f"id_{name}", "name": f"{name}_day", "label": "Day", "width": 2},
                {"id": f"id_{name}_month", "name": f"{name}_month", "label": "Month", "width": 2},
                {"id": f"id_{name}_year", "name": f"{name}_year", "label": "Year", "width": 4},
            ]
            if kind == "datetime":
                params["items"].append(
                    {
                        "id": f"id_{name}_time",
                        "name": f"{name}_time",
                        "label": "Time",
                        "width": 5,
                        "inputmode": "text",
                    }
                )
            for item in params["items"]:
                item["value"] = parts[item["name"].rsplit("_", 1)[1]]
        return params

    def checkbox_groups(self, name: str) -> list[dict[str, Any]]:
        """For grouped checkboxes: one block of NHS.UK checkbox items per group."""
        params = self.nhs_params(name)
        by_value = {item["value"]: item for item in params["items"]}
        blocks = []
        for index, (group, codes) in enumerate(self.groups[name]):
            items = [by_value[code] for code in codes if code in by_value]
            if items:
                # "-group-N": a plain "-N" collides with the first block's own "id_x-2" etc.
                prefix = f"id_{name}" if index == 0 else f"id_{name}-group-{index}"
                blocks.append({"legend": group, "idPrefix": prefix, "items": items})
        # Only the first block keeps the plain id, so the error summary link lands on it.
        return blocks


def apply_validation_error(form: forms.Form, error: ValidationError, **field_map: str) -> None:
    """Put an action's ValidationError on the form: keyed messages on their field (renamed
    through ``field_map`` when the action's name differs), anything else on the form."""
    if hasattr(error, "error_dict"):
        for key, messages in error.message_dict.items():
            name = field_map.get(key, key)
            target = name if name in form.fields else None
            for message in messages:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)
