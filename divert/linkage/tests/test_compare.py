"""Field comparisons: every level of every comparison."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from divert.linkage.compare import RecordTable, compare_pairs, compare_records, is_one_of
from divert.linkage.normalise import normalise_record

BASE = {
    "record_id": "a",
    "given_name": "Daniel",
    "family_name": "Okonkwo",
    "date_of_birth": "1985-03-11",
    "nhs_number": "9434765919",
    "pnc_id": "08/123456K",
    "address_line": "12 High Street",
    "postcode": "TS1 2AB",
}


def level(field, **changes):
    a = normalise_record(BASE)
    b = normalise_record({**BASE, "record_id": "b", **changes})
    return compare_records(a, b)[field]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("9434765919", "exact"),
        ("4010232137", "different"),
        ("", "missing"),
        ("9434765918", "missing"),  # fails Modulus 11: treated as missing
    ],
)
def test_nhs_number_levels(value, expected):
    """NHS numbers: exact, different, or missing (an invalid one counts as missing)."""
    assert level("nhs_number", nhs_number=value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("08/123456K", "exact"),
        ("08/123457K", "near"),  # one digit
        ("08/124356K", "near"),  # two digits swapped
        ("08/987654K", "different"),
        ("", "missing"),
    ],
)
def test_pnc_id_levels(value, expected):
    """PNC IDs: exact, one character or a transposition away, different, missing."""
    assert level("pnc_id", pnc_id=value) == expected


def test_nhs_numbers_never_near_when_both_valid():
    """Modulus 11 catches every single-digit change and transposition, so two valid NHS
    numbers are never "near": a mistyped number is invalid and counts as missing."""
    a = normalise_record({"record_id": "a", "nhs_number": "9434765919"})
    b = normalise_record({"record_id": "b", "nhs_number": "9434765991"})

    assert b.nhs_number is None
    assert compare_records(a, b)["nhs_number"] == "missing"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("DANIEL", "exact"),
        ("Danny", "nickname"),
        ("Daneil", "close"),
        ("Dainal", "similar"),
        ("Margaret", "different"),
        ("", "missing"),
    ],
)
def test_given_name_levels(given, expected):
    """Given names: exact, nickname, Jaro-Winkler >= 0.92, >= 0.85, different, missing."""
    assert level("given_name", given_name=given) == expected


@pytest.mark.parametrize(
    ("family", "expected"),
    [
        ("OKONKWO", "exact"),
        ("Okonkwo-Smith", "part"),
        ("Okonkow", "close"),
        ("Okonkwoe", "close"),
        ("Okankow", "similar"),
        ("Smith", "different"),
        ("", "missing"),
    ],
)
def test_family_name_levels(family, expected):
    """Family names: exact, part of a double-barrelled name, close, similar, different."""
    assert level("family_name", family_name=family) == expected


def test_names_swapped_level():
    """Given and family names the other way round are "swapped" on both comparisons."""
    result = compare_records(
        normalise_record(BASE),
        normalise_record(
            {**BASE, "record_id": "b", "given_name": "Okonkwo", "family_name": "Daniel"}
        ),
    )

    assert result["given_name"] == result["family_name"] == "swapped"


@pytest.mark.parametrize(
    ("given", "family", "expected"),
    [
        ("Okonkwo", "Danny", "swapped"),  # swapped, and a short form
        ("Okonkow", "Daniel", "swapped"),  # swapped, and a typo
        ("Okonkow", "Danny", "different"),  # a typo and a short form: too far
        ("Okonkwo", "Peter", "different"),  # one name only
    ],
)
def test_names_swapped_level_allows_a_short_form_or_a_typo(given, family, expected):
    """A swap still counts when one name is a short form or misspelt, not when both are."""
    result = compare_records(
        normalise_record(BASE),
        normalise_record({**BASE, "record_id": "b", "given_name": given, "family_name": family}),
    )

    assert result["given_name"] == expected


@pytest.mark.parametrize(
    ("dob", "expected"),
    [
        ("1985-03-11", "exact"),
        ("1985-11-03", "swapped"),
        ("1985-03-12", "one_part"),
        ("1985-04-11", "one_part"),
        ("1986-03-11", "year_close"),
        ("1958-03-11", "year_close"),
        ("1985-01-01", "weak_year"),
        ("1990-07-20", "different"),
        ("", "missing"),
    ],
)
def test_date_of_birth_levels(dob, expected):
    """Dates: exact, day/month swapped, one part, year close, placeholder year, different."""
    assert level("date_of_birth", date_of_birth=dob) == expected


def test_date_of_birth_exact_placeholder_is_weak():
    """The same 1 January date on both records is a weaker level than a real exact date."""
    a = normalise_record({**BASE, "date_of_birth": "1985-01-01"})
    b = normalise_record({**BASE, "record_id": "b", "date_of_birth": "1985-01-01"})

    assert compare_records(a, b)["date_of_birth"] == "exact_weak"


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, "postcode_address"),
        ({"address_line": "Flat 3, 99 Other Road"}, "postcode"),
        ({"postcode": "TS9 9ZZ", "address_line": "12 High St"}, "address"),
        ({"postcode": "LS6 1AA", "address_line": "67 High Street"}, "different"),  # number
        ({"postcode": "TS1 9ZZ", "address_line": "4 Other Road"}, "district"),
        ({"postcode": "LS6 1AA", "address_line": "4 Other Road"}, "different"),
        ({"postcode": "", "address_line": "No fixed abode"}, "missing"),
    ],
)
def test_address_levels(changes, expected):
    """Address: postcode and address, postcode, address, district, different, missing."""
    assert level("address", **changes) == expected


def test_compare_pairs_matches_pairwise_comparison():
    """Comparing many pairs at once gives the same levels as comparing each pair alone."""
    rows = [
        BASE,
        {**BASE, "record_id": "b", "given_name": "Danny", "date_of_birth": "1985-11-03"},
        {**BASE, "record_id": "c", "family_name": "Smith", "nhs_number": ""},
        {**BASE, "record_id": "d", "given_name": "Okonkwo", "family_name": "Daniel"},
    ]
    records = [normalise_record(r) for r in rows]
    i, j = np.triu_indices(len(records), 1)

    together = compare_pairs(RecordTable(records), i, j).levels

    for k, (a, b) in enumerate(zip(i, j, strict=True)):
        alone = compare_pairs(RecordTable([records[a], records[b]]), [0], [1]).levels[0]
        assert together[k].tolist() == alone.tolist()


@pytest.mark.parametrize(
    ("given", "family", "expected"),
    [
        ("Lee", "Aisha", "different"),  # her twin sister Nisha Lee, names the other way round
        ("Lee", "Nisah", "swapped"),  # her own name with two letters transposed (close)
    ],
)
def test_names_swapped_level_needs_more_than_a_similar_spelling(given, family, expected):
    """With one name exact, the other must be closely spelt or a short form: a sister whose
    given name is only similarly spelt is not a swapped record of the same person."""
    nisha = {**BASE, "given_name": "Nisha", "family_name": "Lee"}

    result = compare_records(
        normalise_record(nisha),
        normalise_record({**nisha, "record_id": "b", "given_name": given, "family_name": family}),
    )

    assert result["given_name"] == expected


@pytest.mark.parametrize("threshold", [1, 10_000])
def test_compare_pairs_same_levels_on_one_thread_or_many(threshold, monkeypatch):
    """A lookup's few pairs are scored on one thread, a batch's on many; the levels agree."""
    from divert.linkage import compare

    calls = []
    real = compare.cpdist

    def spy(*args, **kwargs):
        calls.append(kwargs["workers"])
        return real(*args, **kwargs)

    monkeypatch.setattr(compare, "cpdist", spy)
    monkeypatch.setattr(compare, "THREADS_FROM_PAIRS", threshold)
    records = [
        normalise_record(BASE),
        normalise_record({**BASE, "record_id": "b", "given_name": "Danny"}),
        normalise_record({**BASE, "record_id": "c", "family_name": "Okonkwu"}),
    ]

    levels = compare_pairs(RecordTable(records), [0, 0], [1, 2]).levels

    assert set(calls) == ({-1} if threshold == 1 else {1})
    assert levels.tolist() == compare_pairs(RecordTable(records), [0, 0], [1, 2]).levels.tolist()


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.integers(0, 7), max_size=300),
    st.lists(st.integers(0, 7), max_size=4),
)
def test_is_one_of_agrees_with_numpy_isin(values, wanted):
    levels = np.array(values, dtype=np.int8)
    assert np.array_equal(is_one_of(levels, wanted), np.isin(levels, wanted))
