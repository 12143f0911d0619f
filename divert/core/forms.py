"""Helpers for showing Django form errors with the NHS.UK error-summary pattern."""

from typing import Any

from django import forms


def error_list(form: forms.Form) -> list[dict[str, str]]:
    """Every error, in field order, linked to its field (``#id_<name>``) for the summary box."""
    items = [{"text": str(message), "href": "#maincontent"} for message in form.non_field_errors()]
    for name in form.fields:
        for message in form.errors.get(name, []):
            items.append({"text": str(message), "href": f"#id_{name}"})
    return items


def field_error(form: forms.Form, name: str) -> dict[str, Any] | None:
    """The NHS.UK ``errorMessage`` parameter for one field, or None when it has no error."""
    errors = form.errors.get(name)
    return {"text": str(errors[0])} if errors else None
