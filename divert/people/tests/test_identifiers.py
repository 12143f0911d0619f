"""NHS number (Modulus 11), PNC ID and postcode rules."""

import nhs_number
import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from divert.people import identifiers

# Each checked with nhs_number.is_valid before being listed here.
KNOWN_VALID_NHS_NUMBERS = ["9434765919", "9990000018", "4010232137", "9876543210"]


@pytest.mark.parametrize("value", KNOWN_VALID_NHS_NUMBERS)
def test_is_valid_nhs_number_known_valid(value):
    """A published or synthetic NHS number with a correct check digit is accepted."""

    result = identifiers.is_valid_nhs_number(value)

    assert result is True


@pytest.mark.parametrize("value", KNOWN_VALID_NHS_NUMBERS)
def test_validate_nhs_number_known_valid(value):
    """Validating a correct NHS number raises nothing."""

    identifiers.validate_nhs_number(value)


@pytest.mark.parametrize("value", ["9434765918", "9434765910", "9990000019", "4010232138"])
def test_validate_nhs_number_wrong_check_digit(value):
    """An NHS number with a wrong check digit is refused as a check-digit error."""

    with pytest.raises(ValidationError) as error:
        identifiers.validate_nhs_number(value)

    assert error.value.code == "nhs_number_check_digit"
    assert identifiers.is_valid_nhs_number(value) is False


@pytest.mark.parametrize("last_digit", "0123456789")
def test_validate_nhs_number_check_digit_of_ten(last_digit):
    """A number whose Modulus 11 check digit would be 10 is refused whatever its last digit."""
    value = "123456789" + last_digit  # weighted sum 210, 11 - (210 % 11) = 10

    with pytest.raises(ValidationError) as error:
        identifiers.validate_nhs_number(value)

    assert error.value.code == "nhs_number_check_digit"


@pytest.mark.parametrize(
    "value",
    ["", "943476591", "94347659190", "943476591A", "NHS9434765", "943.476.5919", "9434765919x"],
)
def test_validate_nhs_number_wrong_length_or_not_digits(value):
    """An NHS number that is not ten digits is refused as a length error, not a check digit one."""

    with pytest.raises(ValidationError) as error:
        identifiers.validate_nhs_number(value)

    assert error.value.code == "nhs_number_length"
    assert identifiers.is_valid_nhs_number(value) is False


@pytest.mark.parametrize(
    "value", ["943 476 5919", "943-476-5919", " 9434765919 ", "943 - 476 - 5919", "9434\t765919"]
)
def test_normalise_nhs_number_spaces_and_hyphens(value):
    """Spaces, tabs and hyphens are removed, so a number copied from a letter is accepted."""

    normalised = identifiers.normalise_nhs_number(value)

    assert normalised == "9434765919"
    assert identifiers.is_valid_nhs_number(value) is True


def test_normalise_nhs_number_none():
    """A missing NHS number normalises to an empty string rather than failing."""

    normalised = identifiers.normalise_nhs_number(None)

    assert normalised == ""


@given(st.random_module())
def test_is_valid_nhs_number_generated_numbers_accepted(seed):
    """Every valid Modulus 11 number the nhs_number package generates is accepted (C6)."""
    (value,) = nhs_number.generate()

    accepted = identifiers.is_valid_nhs_number(value)

    assert accepted, value


@given(st.random_module())
def test_is_valid_nhs_number_single_digit_substitution_refused(seed):
    """Changing any one digit of a valid NHS number to any other digit is refused (C6)."""
    (value,) = nhs_number.generate()
    substitutions = [
        value[:position] + digit + value[position + 1 :]
        for position in range(10)
        for digit in "0123456789"
        if digit != value[position]
    ]

    accepted = [
        candidate for candidate in substitutions if identifiers.is_valid_nhs_number(candidate)
    ]

    assert len(substitutions) == 90
    assert accepted == []


@given(st.text(alphabet="0123456789 -x", max_size=14))
def test_validate_nhs_number_agrees_with_is_valid(value):
    """The validator raises exactly when is_valid_nhs_number says the number is invalid."""

    try:
        identifiers.validate_nhs_number(value)
        raised = False
    except ValidationError:
        raised = True

    assert raised is not identifiers.is_valid_nhs_number(value)


@pytest.mark.parametrize("value", ["08/123456K", "2008/0123456K", "99/1Z", "1999/1234567A"])
def test_validate_pnc_id_valid(value):
    """A PNC ID of year, slash, up to seven serial digits and a check letter is accepted."""

    identifiers.validate_pnc_id(value)

    assert identifiers.is_valid_pnc_id(value) is True


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("08/123456k", "08/123456K"),
        (" 2008/0123456k ", "2008/0123456K"),
        ("08 /123456K", "08/123456K"),
    ],
)
def test_normalise_pnc_id_lowercase_and_spaces(value, expected):
    """A PNC ID is upper-cased and stripped of spaces, so a lower-case check letter is accepted."""

    normalised = identifiers.normalise_pnc_id(value)

    assert normalised == expected
    assert identifiers.is_valid_pnc_id(value) is True


@pytest.mark.parametrize(
    "value",
    ["123456K", "08/12345678K", "08/123456", "AB/123456K", "008/123456K", "08/K", "08-123456K", ""],
)
def test_validate_pnc_id_invalid(value):
    """A PNC ID without a 2- or 4-digit year, a 1-7 digit serial or a check letter is refused."""

    with pytest.raises(ValidationError) as error:
        identifiers.validate_pnc_id(value)

    assert error.value.code == "pnc_id_format"
    assert identifiers.is_valid_pnc_id(value) is False


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ts12ab", "TS1 2AB"),
        ("TS1 2AB", "TS1 2AB"),
        ("  sw1a   1aa ", "SW1A 1AA"),
        ("m11ae", "M1 1AE"),
        ("dn551pt", "DN55 1PT"),
        ("ab", "AB"),
        ("", ""),
    ],
)
def test_normalise_postcode(value, expected):
    """A postcode is upper-cased with one space before the three-character inward code."""

    normalised = identifiers.normalise_postcode(value)

    assert normalised == expected


@pytest.mark.parametrize(
    "value", ["TS1 2AB", "ts12ab", "SW1A 1AA", "M1 1AE", "B33 8TH", "EC1A 1BB"]
)
def test_validate_postcode_valid(value):
    """A full UK postcode, in any case or spacing, is accepted."""

    identifiers.validate_postcode(value)


@pytest.mark.parametrize(
    "value", ["", "TS1", "TS1 2A", "123 4AB", "TS1 2ABC", "TSX1 2AB", "TS1-2AB"]
)
def test_validate_postcode_invalid(value):
    """A partial or malformed postcode is refused."""

    with pytest.raises(ValidationError) as error:
        identifiers.validate_postcode(value)

    assert error.value.code == "postcode_format"
