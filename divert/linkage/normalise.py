"""Put names, dates, identifiers and addresses into the forms linkage compares.

Pure functions with no database access. ``normalise_record`` turns one set of raw fields (a
CSV row, an intake form, a ``Person`` or one of its aliases) into a ``NormalisedRecord`` and
lists the fields it had to drop as invalid.

Names: accents and case are folded, apostrophes dropped (O'Brien is ``obrien``), hyphens,
full stops and other punctuation become spaces, a leading "Mac" or "M'" is written "mc"
(MacDonald and McDonald are one name) and "St" becomes "saint". Family names keep their
parts, so that one half of a double-barrelled name can be recognised. Given names are
compared on the first given name only (middle names are often left out); a hyphenated given
name such as Lee-Ann stays one name. Short forms come from ``data/nicknames.yaml``.

Phonetic keys are NYSIIS codes (``jellyfish``), used only for blocking.

Dates of birth of 1 January, or before 1901, are flagged as weak: services record 1 January
when only the year is known, and 01/01/1900 as "unknown".
"""

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jellyfish
import yaml

from divert.people import identifiers

DATA = Path(__file__).resolve().parent / "data"

_APOSTROPHES = re.compile(r"['\u2018\u2019\u02bc`\u00b4]")
_SEPARATORS = re.compile(r"[^a-z]+")
_ADDRESS_SEPARATORS = re.compile(r"[^a-z0-9]+")

# Words that say "no address": the record is treated as having none.
NO_FIXED_ABODE = {"nfa", "no fixed abode", "no fixed address", "homeless", "unknown", "none"}

# Common address abbreviations, so that "12 High St" and "12 High Street" agree.
ADDRESS_WORDS = {
    "rd": "road",
    "st": "street",
    "ave": "avenue",
    "av": "avenue",
    "ln": "lane",
    "dr": "drive",
    "cl": "close",
    "ct": "court",
    "cres": "crescent",
    "gdns": "gardens",
    "gr": "grove",
    "pl": "place",
    "sq": "square",
    "ter": "terrace",
    "terr": "terrace",
    "hse": "house",
    "flt": "flat",
    "apt": "flat",
    "apartment": "flat",
}


def fold(text: str) -> str:
    """Lower case without accents: 'Zoë' becomes 'zoe', 'ŁUKASZ' becomes 'lukasz'."""
    text = (text or "").replace("ł", "l").replace("Ł", "L").replace("ø", "o").replace("Ø", "O")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


@functools.lru_cache(maxsize=200_000)
def name_parts(text: str) -> tuple[str, ...]:
    """The words of a name, folded: "O'Brien-MacDonald" gives ('obrien', 'mcdonald')."""
    folded = fold(text)
    folded = re.sub(r"\bm['\u2019]", "mc", folded)
    folded = _APOSTROPHES.sub("", folded)
    parts = []
    for word in _SEPARATORS.split(folded):
        if not word:
            continue
        if word.startswith("mac") and len(word) > 5:
            word = "mc" + word[3:]
        if word == "st":
            word = "saint"
        parts.append(word)
    return tuple(parts)


@functools.lru_cache(maxsize=200_000)
def clean_family_name(text: str) -> str:
    """One comparable string: 'Smith-Jones', 'Smith Jones' and 'SMITHJONES' all agree."""
    return "".join(name_parts(text))


@functools.lru_cache(maxsize=200_000)
def clean_given_name(text: str) -> str:
    """The first given name, hyphenated parts joined: 'Lee-Ann Marie' gives 'leeann'."""
    first = fold(text).strip().split(" ")[0] if text and text.strip() else ""
    return "".join(name_parts(first))


@functools.lru_cache(maxsize=200_000)
def phonetic(name: str) -> str:
    """NYSIIS code of an already cleaned name ('' for no name)."""
    return jellyfish.nysiis(name) if name else ""


@functools.lru_cache(maxsize=1)
def nickname_groups() -> tuple[tuple[str, ...], ...]:
    """The groups in data/nicknames.yaml, each name cleaned like a given name."""
    raw = yaml.safe_load((DATA / "nicknames.yaml").read_text(encoding="utf-8"))
    groups = []
    for group in raw["groups"]:
        cleaned = tuple(dict.fromkeys(clean_given_name(str(name)) for name in group))
        groups.append(tuple(name for name in cleaned if name))
    return tuple(groups)


@functools.lru_cache(maxsize=1)
def _nickname_index() -> dict[str, frozenset[int]]:
    index: dict[str, set[int]] = {}
    for number, group in enumerate(nickname_groups()):
        for name in group:
            index.setdefault(name, set()).add(number)
    return {name: frozenset(numbers) for name, numbers in index.items()}


def nickname_group_ids(given: str) -> frozenset[int]:
    """Which nickname groups a cleaned given name belongs to (empty if none)."""
    return _nickname_index().get(given, frozenset())


def are_nicknames(a: str, b: str) -> bool:
    """True when two different cleaned given names share a nickname group (Danny, Daniel)."""
    return a != b and bool(nickname_group_ids(a) & nickname_group_ids(b))


def nickname_root(given: str) -> str:
    """The root of the first group the name is in ('danny' gives 'daniel'), else the name."""
    groups = nickname_group_ids(given)
    if not groups:
        return given
    return nickname_groups()[min(groups)][0]


def parse_date(value: Any) -> dt.date | None:
    """A date from a ``date`` or a 'YYYY-MM-DD' string; None when empty or unparseable."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def is_weak_date_of_birth(value: dt.date) -> bool:
    """Placeholder dates: 1 January of any year (year known only), and anything before 1901."""
    return (value.month == 1 and value.day == 1) or value.year <= 1900


def swap_day_and_month(value: dt.date) -> dt.date | None:
    """14/03 for 03/14: the date with day and month exchanged, if that is a real date."""
    if value.day > 12 or value.day == value.month:
        return None
    try:
        return value.replace(month=value.day, day=value.month)
    except ValueError:
        return None


@functools.lru_cache(maxsize=200_000)
def canonical_pnc_id(value: str) -> str | None:
    """A valid PNC ID as ten characters (two-digit year, zero-padded serial, check letter)."""
    text = identifiers.normalise_pnc_id(value)
    found = identifiers.PNC_ID_PATTERN.match(text)
    if not found:
        return None
    return f"{found['year'][-2:]}{int(found['serial']):07d}{found['check']}"


@functools.lru_cache(maxsize=200_000)
def postcode_district(postcode: str) -> str | None:
    """The outward code ('TS1' of 'TS1 2AB'); a lone outward code is accepted as a district."""
    normalised = identifiers.normalise_postcode(postcode)
    if identifiers.POSTCODE_PATTERN.match(normalised):
        return normalised.split(" ")[0]
    compact = normalised.replace(" ", "")
    if re.fullmatch(r"[A-Z]{1,2}[0-9][A-Z0-9]?", compact):
        return compact
    return None


@functools.lru_cache(maxsize=200_000)
def full_postcode(postcode: str) -> str | None:
    normalised = identifiers.normalise_postcode(postcode)
    return normalised if identifiers.POSTCODE_PATTERN.match(normalised) else None


@functools.lru_cache(maxsize=200_000)
def clean_address(text: str) -> str:
    """Address words, lower case, abbreviations spelt out; '' for no fixed abode."""
    folded = fold(text).strip()
    if not folded or folded.strip(" .") in NO_FIXED_ABODE:
        return ""
    words = [ADDRESS_WORDS.get(word, word) for word in _ADDRESS_SEPARATORS.split(folded) if word]
    return " ".join(words)


@dataclass(frozen=True)
class NormalisedRecord:
    """One record (or one alias of a person) in comparable form. Display values kept as given."""

    record_id: str
    given_name: str = ""
    family_name: str = ""
    given: str = ""
    family: str = ""
    family_parts: tuple[str, ...] = ()
    given_phonetic: str = ""
    family_phonetic: str = ""
    given_root: str = ""
    date_of_birth: dt.date | None = None
    date_of_birth_is_weak: bool = False
    nhs_number: str | None = None
    pnc_id: str | None = None
    postcode: str | None = None
    postcode_district: str | None = None
    address: str = ""
    variant: str = ""  # '' for the record itself, else the alias kind (for explanations)
    invalid: tuple[str, ...] = field(default=(), compare=False)

    @property
    def date_of_birth_swapped(self) -> dt.date | None:
        return swap_day_and_month(self.date_of_birth) if self.date_of_birth else None


FIELDS = (
    "record_id",
    "given_name",
    "family_name",
    "date_of_birth",
    "nhs_number",
    "pnc_id",
    "address_line",
    "postcode",
)


def normalise_record(fields: Mapping[str, Any], *, variant: str = "") -> NormalisedRecord:
    """Normalise raw fields. Invalid identifiers and dates are dropped and named in ``invalid``.

    Invalid means: an NHS number failing its Modulus 11 check or not ten digits, a PNC ID not
    in year/serial+letter form, or a date of birth that is not a real YYYY-MM-DD date.
    """
    invalid = []
    given_name = str(fields.get("given_name") or "").strip()
    family_name = str(fields.get("family_name") or "").strip()
    given = clean_given_name(given_name)
    family = clean_family_name(family_name)

    raw_dob = fields.get("date_of_birth")
    date_of_birth = parse_date(raw_dob)
    if date_of_birth is None and str(raw_dob or "").strip():
        invalid.append("date_of_birth")

    nhs_number = None
    raw_nhs = str(fields.get("nhs_number") or "").strip()
    if raw_nhs:
        if identifiers.is_valid_nhs_number(raw_nhs):
            nhs_number = identifiers.normalise_nhs_number(raw_nhs)
        else:
            invalid.append("nhs_number")

    pnc_id = None
    raw_pnc = str(fields.get("pnc_id") or "").strip()
    if raw_pnc:
        pnc_id = canonical_pnc_id(raw_pnc)
        if pnc_id is None:
            invalid.append("pnc_id")

    raw_postcode = str(fields.get("postcode") or "").strip()
    return NormalisedRecord(
        record_id=str(fields.get("record_id") or ""),
        given_name=given_name,
        family_name=family_name,
        given=given,
        family=family,
        family_parts=name_parts(family_name),
        given_phonetic=phonetic(given),
        family_phonetic=phonetic(family),
        given_root=nickname_root(given),
        date_of_birth=date_of_birth,
        date_of_birth_is_weak=bool(date_of_birth and is_weak_date_of_birth(date_of_birth)),
        nhs_number=nhs_number,
        pnc_id=pnc_id,
        postcode=full_postcode(raw_postcode) if raw_postcode else None,
        postcode_district=postcode_district(raw_postcode) if raw_postcode else None,
        address=clean_address(str(fields.get("address_line") or "")),
        variant=variant,
        invalid=tuple(invalid),
    )
