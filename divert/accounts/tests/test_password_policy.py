"""Password policy (security.md B4): length, common and breached lists, no composition rules."""

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from divert.accounts import actions
from divert.accounts.models import User
from divert.accounts.passwords import BreachedPasswordValidator, breached_passwords, is_breached


def codes(password: str, user: User | None = None) -> set[str]:
    try:
        validate_password(password, user)
    except ValidationError as error:
        return {e.code for e in error.error_list}
    return set()


def test_eleven_characters_are_too_short_and_twelve_are_enough():
    assert codes("tulipkettle") == {"password_too_short"}
    assert codes("tulip-kettle") == set()


@pytest.mark.parametrize("length", [64, 128, 200])
def test_long_passwords_are_accepted(length):
    password = ("amber river lantern " * 20)[:length]
    assert codes(password) == set()


def test_djangos_common_list_is_refused_even_at_twelve_characters():
    assert "password_too_common" in codes("startfinding")


@pytest.mark.parametrize(
    "password",
    [
        "qwertyuiop123",  # keyboard walk from the breach list, digits added
        "Password2024!!",  # capital, year and symbols added
        "P@ssw0rd123456",  # letters swapped for symbols
        "monkeymonkey12",  # a breached entry repeated
        "MANCHESTER2024",  # a place name common in breaches, case changed
    ],
)
def test_breached_passwords_and_trivial_changes_are_refused(password):
    assert "password_breached" in codes(password)


def test_the_breach_list_is_the_leaked_corpus_not_a_handful_of_words():
    listed = breached_passwords()
    assert len(listed) >= 29_000
    assert {"password", "dragon", "letmein"} <= listed


@pytest.mark.parametrize(
    "password",
    [
        "lowercase only passphrase here",  # no composition rules
        "sunflower-river-kettle",
        "correct-horse-battery-staple-42",
        "Sheffield United 1889",
    ],
)
def test_passphrases_without_composition_rules_are_accepted(password):
    assert codes(password) == set()
    assert not is_breached(password)


def test_the_validator_is_configured_and_explains_itself():
    names = [v["NAME"] for v in settings.AUTH_PASSWORD_VALIDATORS]
    assert "divert.accounts.passwords.BreachedPasswordValidator" in names
    assert "breach" in BreachedPasswordValidator().get_help_text()


def test_there_is_no_password_expiry_setting():
    assert not [name for name in dir(settings) if "PASSWORD" in name and "AGE" in name]


@pytest.mark.django_db
def test_creating_a_user_with_a_breached_password_is_refused_and_writes_nothing():
    with pytest.raises(ValidationError) as raised:
        actions.create_user(
            username="weak", first_name="W", last_name="K", password="Password2024!!", by=None
        )
    assert "password" in raised.value.message_dict
    assert not User.objects.filter(username="weak").exists()
