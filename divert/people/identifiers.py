"""Identifier rules for people: NHS number (Modulus 11), PNC ID format, and normalisation.

Pure functions, so forms, actions, imports and linkage share one definition.
"""

import re

import nhs_number
from django.core.exceptions import ValidationError

# A PNC ID is a year of issue (2 or 4 digits), a slash, a serial number of up to seven digits
# and a check letter, for example "08/123456K" or "2008/0123456K".
PNC_ID_PATTERN = re.compile(r"^(?P<year>[0-9]{2}|[0-9]{4})/(?P<serial>[0-9]{1,7})(?P<check>[A-Z])$")


# ASCII digits only: str.isdigit() and \d also accept other scripts' digits.
TEN_DIGITS = re.compile(r"[0-9]{10}")


def normalise_nhs_number(value: str) -> str:
    """Strip spaces and hyphens: '943 476 5919' becomes '9434765919'."""
    return re.sub(r"[\s-]", "", value or "")


def is_valid_nhs_number(value: str) -> bool:
    digits = normalise_nhs_number(value)
    return bool(TEN_DIGITS.fullmatch(digits)) and bool(nhs_number.is_valid(digits))


def validate_nhs_number(value: str) -> None:
    digits = normalise_nhs_number(value)
    if not TEN_DIGITS.fullmatch(digits):
        raise ValidationError(
            "Enter an NHS number with 10 digits, like 943 476 5919", code="nhs_number_length"
        )
    if not nhs_number.is_valid(digits):
        raise ValidationError(
            "This NHS number is not valid: its check digit does not match. Check it has been "
            "copied correctly",
            code="nhs_number_check_digit",
        )


def normalise_pnc_id(value: str) -> str:
    return re.sub(r"\s", "", value or "").upper()


def is_valid_pnc_id(value: str) -> bool:
    return bool(PNC_ID_PATTERN.match(normalise_pnc_id(value)))


def validate_pnc_id(value: str) -> None:
    if not is_valid_pnc_id(value):
        raise ValidationError(
            "Enter a PNC ID as year/serial number and check letter, like 08/123456K",
            code="pnc_id_format",
        )


# Outward code and inward code of a UK postcode (BS 7666 shape; GIR 0AA is not used here).
POSTCODE_PATTERN = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")


def normalise_postcode(value: str) -> str:
    compact = re.sub(r"\s", "", value or "").upper()
    if len(compact) > 3:
        return f"{compact[:-3]} {compact[-3:]}"
    return compact


def validate_postcode(value: str) -> None:
    if not POSTCODE_PATTERN.match(normalise_postcode(value)):
        raise ValidationError("Enter a full UK postcode, like TS1 2AB", code="postcode_format")
