"""The Jinja2 environment: NHS.UK frontend macros, URL and static helpers, UK date filters."""

from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from jinja2 import ChainableUndefined, ChoiceLoader, Environment, PackageLoader

from divert.core import codelists, formatting
from divert.core.forms import error_list, field_error
from divert.core.navigation import navigation_items


def url(name: str, *args: Any, **kwargs: Any) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def nhs_option(choice: list[Any], selected: Any) -> dict[str, Any]:
    """A (value, label) choice as an NHS.UK select item, selected when it matches."""
    value, label = choice
    return {"value": value, "text": label, "selected": str(value) == str(selected or "")}


def environment(**options: Any) -> Environment:
    # Project templates first, then the NHS.UK component macros shipped by nhsuk-frontend-jinja.
    options["loader"] = ChoiceLoader([options["loader"], PackageLoader("nhsuk_frontend_jinja")])
    # The NHS.UK macros read optional nested parameters, which ChainableUndefined allows.
    options["undefined"] = ChainableUndefined
    options.setdefault("extensions", [])
    # Escape everything, whatever the backend passed: templates render personal data.
    options.pop("autoescape", None)
    env = Environment(autoescape=True, **options)
    env.globals.update(
        {
            "url": url,
            "static": static,
            "demo_mode": lambda: settings.DEMO_MODE,
            "today": timezone.localdate,
            "two_factor_required": lambda: settings.REQUIRE_TWO_FACTOR,
            "navigation_items": navigation_items,
            "get_messages": get_messages,
            "code_display": codelists.display,
            "form_error_list": error_list,
            "field_error": field_error,
        }
    )
    env.filters.update(
        {
            "uk_date": formatting.uk_date,
            "uk_datetime": formatting.uk_datetime,
            "time_since": formatting.time_since,
            "nhs_number": formatting.nhs_number,
            "nhs_option": nhs_option,
        }
    )
    return env
