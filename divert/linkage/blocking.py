"""Choose which pairs of records to compare (blocking).

Comparing every record with every other is N²/2 pairs: 5 billion for 100,000 records. Each
blocking key puts records into groups, and only records sharing a group are compared. A true
pair is found if any one key agrees, so the keys are chosen to fail in different ways:

========================  ==========================================================
key                       finds the pair when
========================  ==========================================================
nhs_number                both have the same valid NHS number
pnc_id                    both have the same valid PNC ID
family_phonetic_year      family names sound alike and the year of birth agrees
given_phonetic_dob        given names sound alike and the date of birth agrees
dob_unordered             the date of birth agrees, or agrees with day and month swapped
family_district           the family name agrees and they live in one postcode district
given_root_dob            given names share a nickname root and the date of birth agrees
names_unordered           the two names sound alike, in either order
given_root_address        given names share a nickname root and the address agrees
given_root_postcode       given names share a nickname root and the postcode agrees
given_root_year           given names share a nickname root and the year of birth agrees
full_name                 given name root and family name sound agree (any date of birth)
========================  ==========================================================

The address and year keys find people whose family name changed and whose date of birth
was also mistyped. Groups of the date-only and name-only keys larger than ``MAX_GROUP`` are
skipped: they say
little and cost many comparisons.

Placeholder dates of birth (1 January) are left out of the date-only key, where they would
make very large groups. ``recall`` measures the share of true pairs the keys find.
"""

from collections.abc import Callable, Iterable, Sequence

import numpy as np

from divert.linkage.normalise import NormalisedRecord

KeyFunction = Callable[[NormalisedRecord], str | None]


def _year(record: NormalisedRecord) -> int | None:
    return record.date_of_birth.year if record.date_of_birth else None


def nhs_number(record: NormalisedRecord) -> str | None:
    return record.nhs_number


def pnc_id(record: NormalisedRecord) -> str | None:
    return record.pnc_id


def family_phonetic_year(record: NormalisedRecord) -> str | None:
    year = _year(record)
    if not record.family_phonetic or year is None:
        return None
    return f"{record.family_phonetic}|{year}"


def given_phonetic_dob(record: NormalisedRecord) -> str | None:
    if not record.given_phonetic or record.date_of_birth is None:
        return None
    return f"{record.given_phonetic}|{record.date_of_birth.isoformat()}"


def dob_unordered(record: NormalisedRecord) -> str | None:
    d = record.date_of_birth
    if d is None or record.date_of_birth_is_weak:
        return None
    low, high = sorted((d.month, d.day))
    return f"{d.year}|{low}|{high}"


def family_district(record: NormalisedRecord) -> str | None:
    if not record.family or not record.postcode_district:
        return None
    return f"{record.family}|{record.postcode_district}"


def given_root_dob(record: NormalisedRecord) -> str | None:
    if not record.given_root or record.date_of_birth is None:
        return None
    return f"{record.given_root}|{record.date_of_birth.isoformat()}"


def names_unordered(record: NormalisedRecord) -> str | None:
    if not record.given_phonetic or not record.family_phonetic:
        return None
    low, high = sorted((record.given_phonetic, record.family_phonetic))
    return f"{low}|{high}"


def given_root_address(record: NormalisedRecord) -> str | None:
    if not record.given_root or not record.address:
        return None
    return f"{record.given_root}|{record.address}"


def given_root_postcode(record: NormalisedRecord) -> str | None:
    if not record.given_root or not record.postcode:
        return None
    return f"{record.given_root}|{record.postcode}"


def given_root_year(record: NormalisedRecord) -> str | None:
    year = _year(record)
    if not record.given_root or year is None:
        return None
    return f"{record.given_root}|{year}"


def full_name(record: NormalisedRecord) -> str | None:
    if not record.given_root or not record.family_phonetic:
        return None
    return f"{record.given_root}|{record.family_phonetic}"


KEYS: dict[str, KeyFunction] = {
    "nhs_number": nhs_number,
    "pnc_id": pnc_id,
    "family_phonetic_year": family_phonetic_year,
    "given_phonetic_dob": given_phonetic_dob,
    "dob_unordered": dob_unordered,
    "family_district": family_district,
    "given_root_dob": given_root_dob,
    "names_unordered": names_unordered,
    "given_root_address": given_root_address,
    "given_root_postcode": given_root_postcode,
    "given_root_year": given_root_year,
    "full_name": full_name,
}
# Keys too weak to be worth a very large group: groups bigger than this are skipped (a
# hundred "John Smith"s with no date of birth in common are compared through other keys).
MAX_GROUP = {"full_name": 100, "names_unordered": 100, "dob_unordered": 400}


def _codes(records: Sequence[NormalisedRecord], key: KeyFunction) -> np.ndarray:
    """An integer per record for its key value; -1 where the key does not apply."""
    return _value_codes([key(record) for record in records], missing_if_empty=False)


def _pairs_within_groups(codes: np.ndarray, max_group: int | None = None) -> np.ndarray:
    """Every pair (i < j) of records sharing a code, encoded as i * n + j."""
    n = len(codes)
    keep = np.nonzero(codes >= 0)[0]
    if len(keep) < 2:
        return np.empty(0, dtype=np.int64)
    order = keep[np.argsort(codes[keep], kind="stable")]
    sorted_codes = codes[order]
    starts = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]])
    sizes = np.diff(np.r_[starts, len(order)])
    found = []
    for size in np.unique(sizes):
        if size < 2 or (max_group is not None and size > max_group):
            continue
        group_starts = starts[sizes == size]
        upper_a, upper_b = np.triu_indices(int(size), 1)
        a = order[(group_starts[:, None] + upper_a[None, :]).ravel()]
        b = order[(group_starts[:, None] + upper_b[None, :]).ravel()]
        low, high = np.minimum(a, b), np.maximum(a, b)
        found.append(low.astype(np.int64) * n + high)
    return np.concatenate(found) if found else np.empty(0, dtype=np.int64)


def _value_codes(values: Sequence[object], *, missing_if_empty: bool = True) -> np.ndarray:
    """An integer per distinct value, -1 for None (and for "" unless told otherwise)."""
    seen: dict[object, int] = {}
    setdefault = seen.setdefault
    if missing_if_empty:
        codes = [setdefault(v, len(seen)) if v else -1 for v in values]
    else:
        codes = [-1 if v is None else setdefault(v, len(seen)) for v in values]
    return np.array(codes, dtype=np.int64)


def _both(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """One code per distinct (a, b), -1 where either is -1."""
    combined = a * (int(b.max(initial=0)) + 1) + b
    combined[(a < 0) | (b < 0)] = -1
    return combined


def key_codes(records: Sequence[NormalisedRecord]) -> dict[str, np.ndarray]:
    """Every key of ``KEYS`` as an integer per record (-1 where it does not apply), grouping
    the records exactly as the key functions' strings do (a test checks each key), from a
    few columns read once: twelve key functions called on every record of a 100,000-record
    file took about 0.7 s of its de-duplication."""
    n = len(records)
    # One vocabulary for both phonetic codes, so that a pair of them can be put in order.
    phonetics = _value_codes(
        [r.given_phonetic for r in records] + [r.family_phonetic for r in records]
    )
    given_phonetic, family_phonetic = phonetics[:n], phonetics[n:]
    root = _value_codes([r.given_root for r in records])
    dates = [r.date_of_birth for r in records]
    has_dob = np.array([d is not None for d in dates], dtype=bool)
    year = np.array([d.year if d else 0 for d in dates], dtype=np.int64)
    month = np.array([d.month if d else 0 for d in dates], dtype=np.int64)
    day = np.array([d.day if d else 0 for d in dates], dtype=np.int64)
    year_code = np.where(has_dob, year, -1)
    dob = np.where(has_dob, year * 10_000 + month * 100 + day, -1)
    weak = np.array([r.date_of_birth_is_weak for r in records], dtype=bool)
    unordered_dob = year * 10_000 + np.minimum(month, day) * 100 + np.maximum(month, day)
    unordered_dob[~has_dob | weak] = -1
    low = np.minimum(given_phonetic, family_phonetic)
    high = np.maximum(given_phonetic, family_phonetic)
    return {
        "nhs_number": _value_codes([r.nhs_number for r in records], missing_if_empty=False),
        "pnc_id": _value_codes([r.pnc_id for r in records], missing_if_empty=False),
        "family_phonetic_year": _both(family_phonetic, year_code),
        "given_phonetic_dob": _both(given_phonetic, dob),
        "dob_unordered": unordered_dob,
        "family_district": _both(
            _value_codes([r.family for r in records]),
            _value_codes([r.postcode_district for r in records]),
        ),
        "given_root_dob": _both(root, dob),
        "names_unordered": _both(low, high),
        "given_root_address": _both(root, _value_codes([r.address for r in records])),
        "given_root_postcode": _both(root, _value_codes([r.postcode for r in records])),
        "given_root_year": _both(root, year_code),
        "full_name": _both(root, family_phonetic),
    }


def candidate_pairs(
    records: Sequence[NormalisedRecord], keys: Iterable[str] = tuple(KEYS)
) -> tuple[np.ndarray, np.ndarray]:
    """The union of pairs (i, j), i < j, that share at least one blocking key."""
    n = len(records)
    codes = key_codes(records)
    encoded = [_pairs_within_groups(codes[name], MAX_GROUP.get(name)) for name in keys]
    if not encoded:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    pairs = np.concatenate(encoded)
    pairs.sort()  # then drop repeats: faster than np.unique, which hashes first
    unique = pairs[np.r_[True, pairs[1:] != pairs[:-1]]] if len(pairs) else pairs
    return unique // max(n, 1), unique % max(n, 1)


def pairs_per_key(records: Sequence[NormalisedRecord]) -> dict[str, int]:
    """How many pairs each key alone proposes (to see which keys cost the most)."""
    return {
        name: len(_pairs_within_groups(_codes(records, key), MAX_GROUP.get(name)))
        for name, key in KEYS.items()
    }


def true_pairs(truth: Sequence[str]) -> np.ndarray:
    """Every pair (i < j) of records of the same true person, encoded as i * n + j."""
    codes = np.unique(np.asarray(truth), return_inverse=True)[1].astype(np.int64)
    return _pairs_within_groups(codes)


def recall(records: Sequence[NormalisedRecord], truth: Sequence[str], i, j) -> float:
    """Share of true pairs that blocking proposed (1.0 when there are none)."""
    n = len(records)
    expected = true_pairs(truth)
    if len(expected) == 0:
        return 1.0
    found = np.asarray(i, dtype=np.int64) * n + np.asarray(j, dtype=np.int64)
    return float(np.isin(expected, found).mean())


def link_candidates(
    queries: Sequence[NormalisedRecord],
    index: Sequence[NormalisedRecord],
    keys: Iterable[str] = tuple(KEYS),
) -> list[set[int]]:
    """For each query, the positions in ``index`` that share a key with it (intake lookup)."""
    groups: dict[tuple[str, str], list[int]] = {}
    names = list(keys)
    for position, record in enumerate(index):
        for name in names:
            value = KEYS[name](record)
            if value is not None:
                groups.setdefault((name, value), []).append(position)
    found: list[set[int]] = []
    for record in queries:
        matches: set[int] = set()
        for name in names:
            value = KEYS[name](record)
            if value is not None:
                group = groups.get((name, value), ())
                if len(group) <= MAX_GROUP.get(name, len(group)):
                    matches.update(group)
        found.append(matches)
    return found
