"""Normalisation of names, dates, identifiers and addresses for linkage."""

import datetime as dt

import pytest

from divert.linkage import normalise


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Smith", "smith"),
        ("SMITH ", "smith"),
        ("O'Brien", "obrien"),
        ("O’Brien", "obrien"),
        ("MacDonald", "mcdonald"),
        ("Mc Donald", "mcdonald"),
        ("M'Donald", "mcdonald"),
        ("Smith-Jones", "smithjones"),
        ("Smith Jones", "smithjones"),
        ("Núñez", "nunez"),
        ("Łukasiewicz", "lukasiewicz"),
        ("St. John", "saintjohn"),
        ("Saint John", "saintjohn"),
    ],
)
def test_clean_family_name_folds_variants(raw, expected):
    """Case, accents, apostrophes, hyphens, Mac/Mc and St are folded to one form."""
    assert normalise.clean_family_name(raw) == expected


def test_name_parts_keeps_double_barrelled_parts():
    """A double-barrelled family name keeps its parts."""
    assert normalise.name_parts("Smith-Jones") == ("smith", "jones")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("Zoë", "zoe"), ("Lee-Ann Marie", "leeann"), ("  JOHN  paul", "john"), ("", "")],
)
def test_clean_given_name_first_name_only(raw, expected):
    """The first given name is compared; a hyphenated given name stays one name."""
    assert normalise.clean_given_name(raw) == expected


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("danny", "daniel"),
        ("dan", "daniel"),
        ("leigh", "lee"),
        ("mick", "michael"),
        ("bill", "william"),
        ("liam", "william"),
        ("bob", "robert"),
        ("betty", "elizabeth"),
        ("peggy", "margaret"),
        ("steve", "stephen"),
        ("steven", "stephen"),
    ],
)
def test_are_nicknames_knows_uk_short_forms(a, b):
    """Common UK short forms and spellings are recognised both ways round."""
    assert normalise.are_nicknames(a, b)
    assert normalise.are_nicknames(b, a)


def test_are_nicknames_rejects_unrelated_and_identical_names():
    """Unrelated names, and a name with itself, are not nicknames."""
    assert not normalise.are_nicknames("daniel", "margaret")
    assert not normalise.are_nicknames("daniel", "daniel")


def test_nickname_root_is_first_name_of_group():
    """Blocking uses the formal name as the root of a short form."""
    assert normalise.nickname_root("danny") == "daniel"
    assert normalise.nickname_root("zebedee") == "zebedee"


def test_nickname_table_is_large_and_cleaned():
    """The table has about 150 or more groups and every entry is in cleaned form."""
    groups = normalise.nickname_groups()

    assert len(groups) >= 150
    assert all(name == normalise.clean_given_name(name) for group in groups for name in group)


def test_nickname_groups_per_name_fit_comparison_slots():
    """No name is in more nickname groups than the comparison arrays hold."""
    from divert.linkage.compare import NICKNAME_SLOTS

    names = {name for group in normalise.nickname_groups() for name in group}

    assert max(len(normalise.nickname_group_ids(n)) for n in names) <= NICKNAME_SLOTS


def test_phonetic_keys_agree_for_spellings():
    """NYSIIS codes agree for common spelling variants."""
    assert normalise.phonetic("jon") == normalise.phonetic("john")
    assert normalise.phonetic("") == ""


@pytest.mark.parametrize(
    ("value", "weak"),
    [
        (dt.date(1985, 1, 1), True),
        (dt.date(1900, 1, 1), True),
        (dt.date(1899, 6, 3), True),
        (dt.date(1985, 1, 2), False),
        (dt.date(1985, 6, 14), False),
    ],
)
def test_is_weak_date_of_birth_flags_placeholders(value, weak):
    """1 January and dates before 1901 are placeholders."""
    assert normalise.is_weak_date_of_birth(value) is weak


def test_swap_day_and_month():
    """Day and month swap only where both could be a month and they differ."""
    assert normalise.swap_day_and_month(dt.date(1985, 3, 11)) == dt.date(1985, 11, 3)
    assert normalise.swap_day_and_month(dt.date(1985, 3, 14)) is None
    assert normalise.swap_day_and_month(dt.date(1985, 3, 3)) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1985-03-11", dt.date(1985, 3, 11)), ("", None), ("11/03/1985", None), ("1985-02-30", None)],
)
def test_parse_date_iso_only(raw, expected):
    """Dates are YYYY-MM-DD; anything else is unparseable."""
    assert normalise.parse_date(raw) == expected


def test_canonical_pnc_id_pads_and_shortens_year():
    """Two- and four-digit years and short serials give one ten-character form."""
    assert normalise.canonical_pnc_id("08/123456K") == "080123456K"
    assert normalise.canonical_pnc_id("2008/0123456k") == "080123456K"
    assert normalise.canonical_pnc_id("123456K") is None


@pytest.mark.parametrize(
    ("raw", "district"), [("ts1 2ab", "TS1"), ("TS12AB", "TS1"), ("M14", "M14"), ("nonsense", None)]
)
def test_postcode_district(raw, district):
    """The outward code of a full postcode, or a lone outward code."""
    assert normalise.postcode_district(raw) == district


def test_clean_address_expands_abbreviations_and_drops_nfa():
    """Abbreviations are spelt out; no fixed abode is no address."""
    assert normalise.clean_address("12 High St.") == "12 high street"
    assert normalise.clean_address("No fixed abode") == ""
    assert normalise.clean_address("NFA") == ""


def test_normalise_record_drops_and_names_invalid_identifiers():
    """An NHS number failing Modulus 11, a malformed PNC ID and a bad date are dropped."""
    record = normalise.normalise_record(
        {
            "record_id": "1",
            "given_name": "Danny",
            "family_name": "O'Brien",
            "date_of_birth": "1985-13-01",
            "nhs_number": "943 476 5918",
            "pnc_id": "nonsense",
            "postcode": "ts1 2ab",
        }
    )

    assert record.invalid == ("date_of_birth", "nhs_number", "pnc_id")
    assert record.nhs_number is None
    assert record.pnc_id is None
    assert record.date_of_birth is None
    assert record.given_root == "daniel"
    assert record.postcode == "TS1 2AB"


def test_normalise_record_keeps_valid_identifiers():
    """Valid identifiers are kept in normalised form."""
    record = normalise.normalise_record(
        {"record_id": "1", "nhs_number": "943 476 5919", "date_of_birth": "1985-01-01"}
    )

    assert record.nhs_number == "9434765919"
    assert record.date_of_birth_is_weak
    assert record.invalid == ()
