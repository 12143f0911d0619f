"""Compare pairs of records field by field, giving each comparison a graded level.

``COMPARISONS`` lists the comparisons and their levels, strongest agreement first and
"missing" (one side has no value) last. ``compare_pairs`` works on a ``RecordTable`` (the
records as numpy arrays) and index arrays of pairs, so that a million pairs take seconds:
string similarities are computed once per distinct pair of names with ``rapidfuzz``.

Levels:

- NHS number, PNC ID: exact; near (one character different, or two characters swapped);
  different; missing. Modulus 11 catches every single-digit error and transposition, so two
  valid NHS numbers are never "near"; the level matters for PNC IDs, whose check letter is
  not verified here.
- Given name: exact; nickname (a short form in ``data/nicknames.yaml``); swapped (given and
  family names exchanged: both closely spelt, or one exact and the other a short form or
  similarly spelt); close (Jaro-Winkler >= 0.92); similar (>= 0.85); different; missing.
- Family name: exact; part (one part of a double-barrelled name); swapped; close; similar;
  different; missing.
- Date of birth: exact; swapped (day and month exchanged); exact_weak (the same placeholder
  date, such as 1 January); one_part (same year, day or month different); year_close (same day
  and month, year one apart or one digit different); weak_year (one date is a placeholder and
  the years are within one); different; missing.
- Address: postcode_address (same postcode and similar address); postcode; address (address
  words similar, Jaccard-like token ratio >= 0.8, with the same house numbers); district
  (same postcode district); different; missing. Postcode and address are one comparison
  because they are not independent evidence.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.distance import JaroWinkler
from rapidfuzz.process import cpdist

from divert.linkage import normalise
from divert.linkage.normalise import NormalisedRecord

CLOSE = 0.92
SIMILAR = 0.85
ADDRESS_SIMILAR = 80.0  # rapidfuzz token_set_ratio, 0-100
_DIGITS = re.compile(r"[0-9]+")
NICKNAME_SLOTS = 4  # a name is in at most this many nickname groups (checked by a test)


@dataclass(frozen=True)
class Comparison:
    name: str
    label: str
    levels: tuple[str, ...]

    def level(self, name: str) -> int:
        return self.levels.index(name)

    @property
    def missing(self) -> int:
        return len(self.levels) - 1


NHS_NUMBER = Comparison("nhs_number", "NHS number", ("exact", "near", "different", "missing"))
PNC_ID = Comparison("pnc_id", "PNC ID", ("exact", "near", "different", "missing"))
GIVEN_NAME = Comparison(
    "given_name",
    "Given name",
    ("exact", "nickname", "swapped", "close", "similar", "different", "missing"),
)
FAMILY_NAME = Comparison(
    "family_name",
    "Family name",
    ("exact", "part", "swapped", "close", "similar", "different", "missing"),
)
DATE_OF_BIRTH = Comparison(
    "date_of_birth",
    "Date of birth",
    (
        "exact",
        "swapped",
        "exact_weak",
        "one_part",
        "year_close",
        "weak_year",
        "different",
        "missing",
    ),
)
ADDRESS = Comparison(
    "address",
    "Address",
    ("postcode_address", "postcode", "address", "district", "different", "missing"),
)
COMPARISONS: tuple[Comparison, ...] = (
    NHS_NUMBER,
    PNC_ID,
    GIVEN_NAME,
    FAMILY_NAME,
    DATE_OF_BIRTH,
    ADDRESS,
)
INDEX = {comparison.name: number for number, comparison in enumerate(COMPARISONS)}


def is_one_of(levels: np.ndarray, wanted: Iterable[int]) -> np.ndarray:
    """Whether each level is one of ``wanted`` (a few levels): ``np.isin`` gives the same,
    at some ten times the cost on the hundred or so pairs of an intake lookup."""
    result = np.zeros(levels.shape, dtype=bool)
    for level in wanted:
        result |= levels == level
    return result


class _Vocabulary:
    """Distinct strings as integer codes; -1 stands for no value."""

    def __init__(self) -> None:
        self.codes: dict[str, int] = {}
        self.values: list[str] = []

    def array(self) -> np.ndarray:
        """The strings as a numpy object array, so that codes index it in one step."""
        if len(getattr(self, "_array", ())) != len(self.values):
            self._array = np.array(self.values, dtype=object)
        return self._array

    def code(self, value: str | None) -> int:
        if not value:
            return -1
        found = self.codes.get(value)
        if found is None:
            found = self.codes[value] = len(self.values)
            self.values.append(value)
        return found

    def array_of(self, values: Iterable[str | None]) -> np.ndarray:
        """``code`` of each value, in order, as an int32 array (one loop, no call per value:
        an intake lookup codes some 800 values)."""
        codes, known, append = self.codes, self.values, self.values.append
        result = []
        for value in values:
            if not value:
                result.append(-1)
                continue
            found = codes.get(value)
            if found is None:
                found = codes[value] = len(known)
                append(value)
            result.append(found)
        return np.array(result, dtype=np.int32)


def _characters(values: Sequence[str | None], width: int) -> tuple[np.ndarray, np.ndarray]:
    present = np.array([bool(v) for v in values], dtype=bool)
    padded = "".join((v or "").ljust(width)[:width] for v in values)
    chars = np.frombuffer(padded.encode("ascii"), dtype=np.uint8).reshape(len(values), width)
    return chars, present


class RecordTable:
    """Records as columns of numpy arrays, ready for ``compare_pairs`` and blocking."""

    def __init__(self, records: Sequence[NormalisedRecord]) -> None:
        self.records = list(records)
        self.names = _Vocabulary()
        self.addresses = _Vocabulary()
        self.postcodes = _Vocabulary()
        self.given = self.names.array_of([r.given for r in records])
        self.family = self.names.array_of([r.family for r in records])
        self.given_root = self.names.array_of([r.given_root for r in records])
        self.address = self.addresses.array_of([r.address for r in records])
        # The numbers in each address ("12", "2 12" for flat 2 at 12): similar words are
        # "address" agreement only when the numbers are the same.
        numbers = _Vocabulary()
        self.address_numbers = numbers.array_of(
            [" ".join(_DIGITS.findall(r.address)) or "-" for r in records]
        )
        self.postcode = self.postcodes.array_of([r.postcode for r in records])
        self.district = self.postcodes.array_of([r.postcode_district for r in records])
        self.nhs, self.has_nhs = _characters([r.nhs_number for r in records], 10)
        self.pnc, self.has_pnc = _characters([r.pnc_id for r in records], 10)
        dobs = [r.date_of_birth for r in records]
        self.has_dob = np.array([d is not None for d in dobs], dtype=bool)
        self.year = np.array([d.year if d else 0 for d in dobs], dtype=np.int32)
        self.month = np.array([d.month if d else 0 for d in dobs], dtype=np.int32)
        self.day = np.array([d.day if d else 0 for d in dobs], dtype=np.int32)
        self.dob_weak = np.array([r.date_of_birth_is_weak for r in records], dtype=bool)
        # Each name's nickname groups (up to NICKNAME_SLOTS, -1 for none), and whether it is
        # a name of several parts (double-barrelled).
        self.nickname_groups = np.full((len(self.names.values) + 1, NICKNAME_SLOTS), -1, np.int32)
        for code, value in enumerate(self.names.values):
            groups = sorted(normalise.nickname_group_ids(value))[:NICKNAME_SLOTS]
            self.nickname_groups[code, : len(groups)] = groups
        self.family_parts: dict[int, frozenset[str]] = {}
        for record, code in zip(self.records, self.family, strict=True):
            if code >= 0 and len(record.family_parts) > 1:
                self.family_parts[int(code)] = frozenset(record.family_parts)
        self.has_parts = np.zeros(len(self.names.values) + 1, dtype=bool)
        self.has_parts[np.fromiter(self.family_parts, np.int64, len(self.family_parts))] = True

    def __len__(self) -> int:
        return len(self.records)

    def name_frequencies(
        self, typical: tuple[float, float, float] | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Share of people with each record's given, family and whole name (term frequency).

        People, not records: a term frequency stands for the chance that a *different*
        person has the name, and counting records would count a person's own duplicates.
        Someone with five records under a name no one else has would make that name look five
        times commoner than it is, and the more so the smaller the file (5 in 20,000 records
        is five times 5 in 100,000), so true pairs lost weight as files got smaller. Records
        are not yet people here, so each distinct date of birth under a name counts as one
        person (records with no date of birth count one each): a person's own records nearly
        always share it, and a mistyped date only makes the name look commoner.

        ``typical`` (the model's u for an exact given, family and whole name) asks for the
        share among the *other* people, as a pair sees it: (people with the name - 1 + 1) /
        (people - 1 + 1/u), the person in question left out and one imagined person of
        typical frequency added. A name only one person has then counts as about typical,
        not as "one in however many people the file holds", which would again depend on the
        size of the file.

        The whole name counts short forms together (Jack Smith and John Smith are one name)
        and either order (Smith John is John Smith), so that a swapped name is weighed by how
        common the name is.
        """
        n = len(self)
        if n == 0:
            return np.zeros(0), np.zeros(0), np.zeros(0)
        dob = np.where(
            self.has_dob,
            self.year.astype(np.int64) * 10_000 + self.month * 100 + self.day,
            -1 - np.arange(n, dtype=np.int64),
        )
        size = len(self.names.values) + 1
        root = self.given_root.astype(np.int64) + 1
        family = self.family.astype(np.int64) + 1
        whole = np.minimum(root, family) * size + np.maximum(root, family)
        given_u, family_u, whole_u = typical or (None, None, None)
        return (
            _people_share(self.given.astype(np.int64) + 1, dob, given_u),
            _people_share(family, dob, family_u),
            _people_share(whole, dob, whole_u),
        )


def _people_share(names: np.ndarray, dob: np.ndarray, typical: float | None) -> np.ndarray:
    """Per record, the share of (name, date of birth) combinations that have its name; with
    ``typical``, among the others plus one imagined person (``RecordTable.name_frequencies``)."""
    _, name_index = np.unique(names, return_inverse=True)
    name_index = name_index.ravel()
    combined = np.unique(name_index.astype(np.int64) * (1 << 40) + (dob - dob.min()))
    people = np.bincount(combined // (1 << 40), minlength=int(name_index.max()) + 1)
    if typical is None:
        return people[name_index] / max(len(combined), 1)
    return people[name_index] / (len(combined) - 1 + 1 / max(typical, 1e-12))


# Below this many distinct name pairs one thread is faster: an intake lookup's few hundred
# pairs took about 1 ms per call to start and join threads on a busy machine (up to five
# calls a lookup), for work that takes 0.1 ms on one thread.
THREADS_FROM_PAIRS = 10_000


def _workers(pairs: int) -> int:
    """rapidfuzz's ``workers``: every core (-1) for a batch, one thread for a lookup."""
    return -1 if pairs >= THREADS_FROM_PAIRS else 1


def _similarity(table: RecordTable, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Jaro-Winkler similarity of name codes a[k], b[k], computed once per distinct pair."""
    result = np.zeros(len(a), dtype=np.float64)
    valid = (a >= 0) & (b >= 0)
    # A name against itself is 1.0 without asking: in batch blocking most pairs share the name
    # being compared, and finding the distinct pairs (a sort) is the costly step here.
    same = valid & (a == b)
    result[same] = 1.0
    valid &= ~same
    if not valid.any():
        return result
    size = len(table.names.values) + 1
    keys = a[valid].astype(np.int64) * size + b[valid]
    unique, inverse = np.unique(keys, return_inverse=True)
    values = table.names.array()
    left, right = values[unique // size].tolist(), values[unique % size].tolist()
    scores = cpdist(
        left, right, scorer=JaroWinkler.normalized_similarity, workers=_workers(len(left))
    )
    result[valid] = np.asarray(scores, dtype=np.float64)[inverse]
    return result


def _identifier_levels(chars: np.ndarray, present: np.ndarray, i, j) -> np.ndarray:
    level = np.full(len(i), 3, dtype=np.int8)  # missing
    both = present[i] & present[j]
    a, b = chars[i], chars[j]
    differs = a != b
    count = differs.sum(axis=1)
    level[both] = 2  # different
    # Two differing characters that are each other's: a transposition.
    two = both & (count == 2)
    if two.any():
        rows = np.nonzero(two)[0]
        positions = np.argsort(~differs[rows], axis=1, kind="stable")[:, :2]
        p, q = positions[:, 0], positions[:, 1]
        swapped = (a[rows, p] == b[rows, q]) & (a[rows, q] == b[rows, p])
        level[rows[swapped]] = 1
    level[both & (count == 1)] = 1
    level[both & (count == 0)] = 0
    return level


def _share_nickname(table: RecordTable, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Whether name codes a[k] and b[k] share a nickname group (Danny and Daniel)."""
    groups_a = table.nickname_groups[a]  # -1 (no name) is the last, empty row
    groups_b = table.nickname_groups[b]
    shared = np.zeros(len(a), dtype=bool)
    for x in range(NICKNAME_SLOTS):
        for y in range(NICKNAME_SLOTS):
            shared |= (groups_a[:, x] >= 0) & (groups_a[:, x] == groups_b[:, y])
    return shared


def _name_levels(
    table: RecordTable, mine_a: np.ndarray, mine_b: np.ndarray, *, given: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Levels for one name (given or family), except "swapped"; also the similarity."""
    comparison = GIVEN_NAME if given else FAMILY_NAME
    n = len(mine_a)
    level = np.full(n, comparison.level("different"), dtype=np.int8)
    present = (mine_a >= 0) & (mine_b >= 0)
    similarity = _similarity(table, mine_a, mine_b)
    level[present & (similarity >= SIMILAR)] = comparison.level("similar")
    level[present & (similarity >= CLOSE)] = comparison.level("close")
    if given:
        level[present & _share_nickname(table, mine_a, mine_b)] = comparison.level("nickname")
    else:
        values, parts = table.names.values, table.family_parts
        maybe = present & (mine_a != mine_b) & (similarity < CLOSE)
        maybe &= table.has_parts[mine_a] | table.has_parts[mine_b]
        hits = []
        for k in np.nonzero(maybe)[0].tolist():
            a, b = int(mine_a[k]), int(mine_b[k])
            part_a = parts.get(a) or frozenset([values[a]])
            part_b = parts.get(b) or frozenset([values[b]])
            if part_a <= part_b or part_b <= part_a:
                hits.append(k)
        if hits:
            level[np.asarray(hits, dtype=np.int64)] = comparison.level("part")
    level[present & (mine_a == mine_b)] = comparison.level("exact")
    level[~present] = comparison.missing
    return level, similarity


def _swapped(
    table: RecordTable,
    ga: np.ndarray,
    gb: np.ndarray,
    fa: np.ndarray,
    fb: np.ndarray,
    given_level: np.ndarray,
    family_level: np.ndarray,
) -> np.ndarray:
    """Pairs whose given and family names are the other way round.

    Both names must otherwise disagree (no better than similarly spelt), and each must agree
    with the other record's other name: both closely, or one exactly and the other closely or
    as a short form ("Steve Davies" and "Davies Stephen"; "Daniel Okonkwo" and "Okonkow
    Daniel"). One name exact and the other only similarly spelt is not enough: that is how a
    twin looks when one record has the names the other way round ("Lee Aisha" against her
    sister "Nisha Lee", same date of birth and address), and the same pair the right way round
    is the siblings case the names guard sends to review. Only the few pairs that can qualify
    are compared across.
    """
    loose_given = [GIVEN_NAME.level("similar"), GIVEN_NAME.level("different")]
    loose_family = [FAMILY_NAME.level("similar"), FAMILY_NAME.level("different")]
    rows = np.nonzero(
        is_one_of(given_level, loose_given)
        & is_one_of(family_level, loose_family)
        & (fa >= 0)
        & (fb >= 0)
    )[0]
    cross_1 = _similarity(table, ga[rows], fb[rows])
    nickname_1 = _share_nickname(table, ga[rows], fb[rows])
    agree_1 = (cross_1 >= SIMILAR) | nickname_1
    rows, cross_1, nickname_1 = rows[agree_1], cross_1[agree_1], nickname_1[agree_1]
    cross_2 = _similarity(table, fa[rows], gb[rows])
    nickname_2 = _share_nickname(table, fa[rows], gb[rows])
    both_close = (cross_1 >= CLOSE) & (cross_2 >= CLOSE)
    near_1 = (cross_1 >= CLOSE) | nickname_1
    near_2 = (cross_2 >= CLOSE) | nickname_2
    one_exact = ((ga[rows] == fb[rows]) & near_2) | ((fa[rows] == gb[rows]) & near_1)
    swapped = np.zeros(len(ga), dtype=bool)
    swapped[rows[both_close | one_exact]] = True
    return swapped


def _digit_typo(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Years differing in one digit, or with two adjacent digits swapped (1985 and 1958)."""
    result = np.zeros(len(a), dtype=bool)
    for position in range(4):
        scale = 10**position
        digit_a, digit_b = (a // scale) % 10, (b // scale) % 10
        rest_same = (a - digit_a * scale) == (b - digit_b * scale)
        result |= rest_same & (digit_a != digit_b)
    for position in range(3):
        low, high = 10**position, 10 ** (position + 1)
        a_low, a_high = (a // low) % 10, (a // high) % 10
        swapped = a - a_low * low - a_high * high + a_low * high + a_high * low
        result |= (swapped == b) & (a != b)
    return result


def _date_levels(table: RecordTable, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    c = DATE_OF_BIRTH
    level = np.full(len(i), c.level("different"), dtype=np.int8)
    ya, ma, da = table.year[i], table.month[i], table.day[i]
    yb, mb, db = table.year[j], table.month[j], table.day[j]
    weak = table.dob_weak[i] | table.dob_weak[j]
    same_year, same_month, same_day = ya == yb, ma == mb, da == db
    year_near = (np.abs(ya - yb) == 1) | _digit_typo(ya, yb)
    level[weak & (np.abs(ya - yb) <= 1)] = c.level("weak_year")
    strong = ~weak
    level[strong & same_month & same_day & year_near] = c.level("year_close")
    level[strong & same_year & (same_month ^ same_day)] = c.level("one_part")
    level[weak & same_year & same_month & same_day] = c.level("exact_weak")
    level[strong & same_year & (ma == db) & (da == mb) & (ma != da)] = c.level("swapped")
    level[strong & same_year & same_month & same_day] = c.level("exact")
    level[~(table.has_dob[i] & table.has_dob[j])] = c.missing
    return level


def _address_levels(table: RecordTable, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    c = ADDRESS
    level = np.full(len(i), c.level("different"), dtype=np.int8)
    address_a, address_b = table.address[i], table.address[j]
    has_address = (address_a >= 0) & (address_b >= 0)
    similar = np.zeros(len(i), dtype=bool)
    same_numbers = table.address_numbers[i] == table.address_numbers[j]
    rows = np.nonzero(has_address & same_numbers)[0]
    if len(rows):
        size = len(table.addresses.values) + 1
        keys = address_a[rows].astype(np.int64) * size + address_b[rows]
        unique, inverse = np.unique(keys, return_inverse=True)
        values = table.addresses.array()
        left, right = values[unique // size].tolist(), values[unique % size].tolist()
        scores = cpdist(left, right, scorer=fuzz.token_set_ratio, workers=_workers(len(left)))
        similar[rows] = np.asarray(scores)[inverse] >= ADDRESS_SIMILAR
    postcode_a, postcode_b = table.postcode[i], table.postcode[j]
    district_a, district_b = table.district[i], table.district[j]
    has_district = (district_a >= 0) & (district_b >= 0)
    same_postcode = (postcode_a >= 0) & (postcode_a == postcode_b)
    level[has_district & (district_a == district_b)] = c.level("district")
    level[similar] = c.level("address")
    level[same_postcode] = c.level("postcode")
    level[same_postcode & similar] = c.level("postcode_address")
    level[~has_address & ~has_district] = c.missing
    return level


@dataclass
class PairComparisons:
    """Levels for each pair (rows) and comparison (columns, in ``COMPARISONS`` order)."""

    i: np.ndarray
    j: np.ndarray
    levels: np.ndarray  # int8, shape (pairs, comparisons)
    given_similarity: np.ndarray
    family_similarity: np.ndarray

    def __len__(self) -> int:
        return len(self.i)


def compare_pairs(table: RecordTable, i: np.ndarray, j: np.ndarray) -> PairComparisons:
    """Compare record i[k] with record j[k] for every k."""
    i = np.asarray(i, dtype=np.int64)
    j = np.asarray(j, dtype=np.int64)
    levels = np.empty((len(i), len(COMPARISONS)), dtype=np.int8)
    levels[:, INDEX["nhs_number"]] = _identifier_levels(table.nhs, table.has_nhs, i, j)
    levels[:, INDEX["pnc_id"]] = _identifier_levels(table.pnc, table.has_pnc, i, j)
    ga, gb, fa, fb = table.given[i], table.given[j], table.family[i], table.family[j]
    given_level, given_similarity = _name_levels(table, ga, gb, given=True)
    family_level, family_similarity = _name_levels(table, fa, fb, given=False)
    swapped = _swapped(table, ga, gb, fa, fb, given_level, family_level)
    given_level[swapped] = GIVEN_NAME.level("swapped")
    family_level[swapped] = FAMILY_NAME.level("swapped")
    levels[:, INDEX["given_name"]] = given_level
    levels[:, INDEX["family_name"]] = family_level
    levels[:, INDEX["date_of_birth"]] = _date_levels(table, i, j)
    levels[:, INDEX["address"]] = _address_levels(table, i, j)
    return PairComparisons(i, j, levels, given_similarity, family_similarity)


def compare_records(a: NormalisedRecord, b: NormalisedRecord) -> dict[str, str]:
    """Level names for one pair, for explanations and tests: {'given_name': 'nickname', ...}."""
    table = RecordTable([a, b])
    result = compare_pairs(table, np.array([0]), np.array([1]))
    return {
        comparison.name: comparison.levels[int(result.levels[0, number])]
        for number, comparison in enumerate(COMPARISONS)
    }
