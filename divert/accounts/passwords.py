"""Password rules beyond Django's own validators (security.md B4).

Django's ``CommonPasswordValidator`` rejects its own 20,000-entry list. This module adds a check
against passwords exposed in data breaches: the 30,000 most frequent passwords of the leaked
corpus that zxcvbn ships (``zxcvbn.frequency_lists``), so the check needs no network. A password
is refused when it is on that list or is a list entry with trivial changes: different case,
common letter-for-symbol swaps (``p@ssw0rd``), digits or symbols added at either end
(``Password2024!``), or the same entry repeated. There are no composition rules and no expiry
(NIST SP 800-63B 5.1.1.2; ASVS 2.1.7 and 2.1.9).
"""

import functools
import re

from django.core.exceptions import ValidationError

# Characters commonly swapped for letters; each maps to the letter it stands for.
_LEET = str.maketrans(
    {"@": "a", "4": "a", "3": "e", "1": "i", "!": "i", "0": "o", "$": "s", "5": "s", "7": "t"}
)
_EDGES = re.compile(r"^[^a-z]+|[^a-z]+$")
# Shorter entries are caught by the length rule; stripping a short word out of a long password
# would refuse sound passphrases that merely start or end with one.
_MIN_ENTRY_LENGTH = 4


@functools.cache
def breached_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(entry.lower() for entry in FREQUENCY_LISTS["passwords"])


def _forms(password: str) -> set[str]:
    """The password and the forms it takes once trivial changes are undone."""
    lowered = password.lower()
    forms = {lowered, lowered.translate(_LEET)}
    for form in list(forms):
        stripped = _EDGES.sub("", form)
        if stripped:
            forms.add(stripped)
    for form in list(forms):
        half, rest = divmod(len(form), 2)
        if not rest and half and form[:half] == form[half:]:
            forms.add(form[:half])
    return forms


def is_breached(password: str) -> bool:
    listed = breached_passwords()
    return any(
        form in listed
        for form in _forms(password)
        if len(form) >= _MIN_ENTRY_LENGTH or form == password.lower()
    )


class BreachedPasswordValidator:
    """Refuse passwords found in breach corpora, with or without trivial changes."""

    def validate(self, password: str, user: object = None) -> None:
        if is_breached(password):
            raise ValidationError(
                "This password is too close to one exposed in data breaches "
                "(a common password with capitals, symbols or numbers added still counts). "
                "Choose another: three or four unrelated words work well.",
                code="password_breached",
            )

    def get_help_text(self) -> str:
        return "Your password cannot be, or be close to, a password exposed in a data breach."
