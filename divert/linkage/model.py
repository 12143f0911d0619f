"""Score compared pairs (Fellegi-Sunter) and decide: match, review or non-match.

For each comparison level there are two probabilities: m, that a true match shows that level,
and u, that two different people do. A level adds log2(m/u) bits to the match weight:

    match weight = log2(prior odds) + sum of log2(m/u) + term-frequency adjustments

u is estimated from random pairs of records, each counted by its chance of being two
different people: in a file of N records about one random pair in N is one person, so
counting them all would make agreement look commoner among different people the smaller the
file (an exact date of birth came out four times too common at 20,000 records, and recall
fell with it). A shared address is no stronger than it is among different people with the
same family name (households: siblings share both). m is estimated by
expectation-maximisation (EM) on the pairs blocking proposes. "Missing" adds
nothing. Levels are listed strongest first and a level never weighs less than the ones after
it, so more agreement never lowers the weight. An exact name match is adjusted for how common
the name is (a shared "Smith" counts for less than a shared "Okonkwo"), within bounds.

Before the weights, deterministic rules (style.md 5.6):

- two different valid NHS numbers: non-match;
- the same valid NHS number: match, unless the dates of birth are wholly different (review);
- the same PNC ID and the same date of birth (or day and month swapped): match.

And one guard: with no identifier in common, a family name that disagrees outright, or a
given name that is no more than similarly spelt (Jaro-Winkler below 0.92, not a known short
form), can at most go to review, however high the weight: twins and siblings share
everything else (Mia and Mihai), and a change of family name is for a person to confirm.

Thresholds are configuration (``data/model.json`` or arguments): a weight at or above
``match`` is a match, at or above ``review`` goes to a person to review, below is a
non-match. Nothing here merges anything; callers decide what a "match" is allowed to do.
"""

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from divert.linkage.compare import (
    ADDRESS,
    COMPARISONS,
    DATE_OF_BIRTH,
    FAMILY_NAME,
    GIVEN_NAME,
    INDEX,
    NHS_NUMBER,
    PNC_ID,
    PairComparisons,
    RecordTable,
    compare_pairs,
    is_one_of,
)

DEFAULT_MODEL = Path(__file__).resolve().parent / "data" / "model.json"

MATCH, REVIEW, NON_MATCH = "match", "review", "non-match"
DECISIONS = (MATCH, REVIEW, NON_MATCH)

# Rules, in the order they apply; 0 means the weight decided.
RULE_NONE = 0
RULE_NHS_DIFFERENT = 1
RULE_NHS_SAME = 2
RULE_NHS_SAME_DOB_DIFFERENT = 3
RULE_PNC_AND_DOB_SAME = 4
RULE_NAMES_DISAGREE = 5
RULE_TEXT = {
    RULE_NHS_DIFFERENT: "The NHS numbers are different, so these are different people",
    RULE_NHS_SAME: "The NHS numbers are the same",
    RULE_NHS_SAME_DOB_DIFFERENT: (
        "The NHS numbers are the same but the dates of birth are different: check by hand"
    ),
    RULE_PNC_AND_DOB_SAME: "The PNC IDs and dates of birth are the same",
    RULE_NAMES_DISAGREE: ("A name is different and no identifier matches, so a person must decide"),
}

# Starting values of m for EM: how often a true match shows each level (missing excluded).
INITIAL_M = {
    "nhs_number": [0.95, 0.03, 0.02],
    "pnc_id": [0.9, 0.05, 0.05],
    "given_name": [0.7, 0.12, 0.02, 0.06, 0.04, 0.06],
    "family_name": [0.85, 0.01, 0.02, 0.05, 0.02, 0.05],
    "date_of_birth": [0.8, 0.03, 0.03, 0.04, 0.03, 0.03, 0.04],
    "address": [0.5, 0.1, 0.05, 0.1, 0.25],
}

SMALLEST = 1e-6


@dataclass(frozen=True)
class Thresholds:
    """Match weights (bits, prior included) at or above which a pair is a match / a review."""

    match: float = 8.0
    review: float = 0.0

    def __post_init__(self) -> None:
        if self.review > self.match:
            raise ValueError("The review threshold must not be above the match threshold")


def _normalised(values: np.ndarray) -> np.ndarray:
    values = np.maximum(np.asarray(values, dtype=np.float64), SMALLEST)
    return values / values.sum()


def _non_increasing(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Pool-adjacent-violators: the closest non-increasing sequence (weighted least squares)."""
    blocks: list[list[float]] = []  # [mean, weight, length]
    for value, weight in zip(values.tolist(), weights.tolist(), strict=True):
        blocks.append([value, weight, 1])
        while len(blocks) > 1 and blocks[-2][0] < blocks[-1][0]:
            mean_b, weight_b, length_b = blocks.pop()
            mean_a, weight_a, length_a = blocks[-1]
            total = weight_a + weight_b
            blocks[-1] = [
                (mean_a * weight_a + mean_b * weight_b) / total,
                total,
                length_a + length_b,
            ]
    return np.array([mean for mean, _, length in blocks for _ in range(int(length))])


def log2_odds(probability: float) -> float:
    probability = min(max(probability, 1e-300), 1 - 1e-16)
    return math.log2(probability / (1 - probability))


def probability(weight: np.ndarray | float) -> np.ndarray:
    """Match probability from match weight (bits)."""
    return 1.0 / (1.0 + np.power(2.0, -np.clip(weight, -1000, 1000)))


@dataclass
class Model:
    """m and u per comparison level (missing excluded), the prior and the thresholds."""

    m: dict[str, np.ndarray]
    u: dict[str, np.ndarray]
    prior: float = 1e-5  # probability that two records picked at random are one person
    thresholds: Thresholds = field(default_factory=Thresholds)
    term_frequency_bounds: tuple[float, float] = (-8.0, 2.0)
    trained_records: int = 0  # size of the file the prior was estimated on
    returning_share: float = 0.5  # at intake, the share of people already known
    notes: str = ""

    def prior_for(self, records: int) -> float:
        """The prior for a file of ``records``: each record has about as many duplicates."""
        if not self.trained_records or records < 2:
            return self.prior
        return min(self.prior * (self.trained_records - 1) / (records - 1), 0.5)

    def lookup_prior(self, people: int) -> float:
        """The prior that one query is one particular person among ``people``."""
        return min(self.returning_share / max(people, 1), 0.5)

    def level_weights(self) -> dict[str, np.ndarray]:
        """log2(m/u) per level, made non-increasing down the list; missing weighs 0.

        Raw weights can break the order: a nickname is rarer than an exact name among
        different people, so its raw weight can come out above the exact name's, and a level
        that almost never occurs gets a wild weight. Adjacent levels out of order are pooled
        (weighted isotonic regression, weights m + u), so more agreement never lowers the
        weight and a rare level takes its neighbours' value.
        """
        weights = {}
        for comparison in COMPARISONS:
            m, u = self.m[comparison.name], self.u[comparison.name]
            weights[comparison.name] = np.append(_non_increasing(np.log2(m / u), m + u), 0.0)
        return weights

    def weight_table(self) -> np.ndarray:
        """Weights as one array: [comparison, level], padded with zeros (read-only).

        Kept until m or u change: pooling the levels costs more than an intake lookup's
        scoring, and a lookup asks twice."""
        fitted = tuple(self.m[c.name].tobytes() + self.u[c.name].tobytes() for c in COMPARISONS)
        kept = self.__dict__.get("_weight_table")
        if kept is not None and kept[0] == fitted:
            return kept[1]
        width = max(len(c.levels) for c in COMPARISONS)
        table = np.zeros((len(COMPARISONS), width))
        for number, (_, weights) in enumerate(self.level_weights().items()):
            table[number, : len(weights)] = weights
        table.flags.writeable = False
        self.__dict__["_weight_table"] = (fitted, table)
        return table

    def contributions(self, levels: np.ndarray) -> np.ndarray:
        """Weight (bits) each comparison adds, shape (pairs, comparisons)."""
        table = self.weight_table()
        columns = np.arange(len(COMPARISONS))[None, :]
        return table[columns, levels.astype(np.int64)]

    def term_frequency_adjustments(
        self,
        levels: np.ndarray,
        given_frequency: np.ndarray,
        family_frequency: np.ndarray,
        full_name_frequency: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Bits added to exact name matches for how rare (or common) the shared name is.

        When the family name matches exactly and the given name exactly or as a short form,
        or the two names are swapped, the whole name's frequency is used (short forms and
        either order counted together): "Mohammed Khan" is commoner than "Mohammed" and "Khan"
        separately suggest, and "Khan Mohammed" is as common. The result is split between
        the given and family name (the given name carries the whole-name part).

        A name that agrees less than exactly (a short form, a misspelling, one part of a
        double-barrelled name) takes the exact level's adjustment when that is negative: a
        misspelt "Ali" is as common as "Ali", and must not weigh more than "Ali" spelt right;
        the same holds for the whole name ("Mohammed Alyi" is as common as "Mohammed Ali").
        Callers pass the commoner of the two records' frequencies.
        """
        low, high = self.term_frequency_bounds
        g = INDEX["given_name"]
        f = INDEX["family_name"]
        given_exact = levels[:, g] == GIVEN_NAME.level("exact")
        family_exact = levels[:, f] == FAMILY_NAME.level("exact")
        u_given = self.u["given_name"][GIVEN_NAME.level("exact")]
        u_family = self.u["family_name"][FAMILY_NAME.level("exact")]
        given_adjust = np.zeros(len(levels))
        family_adjust = np.zeros(len(levels))
        given_near = is_one_of(
            levels[:, g], [GIVEN_NAME.level(x) for x in ("nickname", "close", "similar")]
        )
        family_near = is_one_of(
            levels[:, f], [FAMILY_NAME.level(x) for x in ("part", "close", "similar")]
        )
        with np.errstate(divide="ignore"):
            given_exact_adjust = np.log2(u_given / np.maximum(given_frequency, SMALLEST))
            family_exact_adjust = np.log2(u_family / np.maximum(family_frequency, SMALLEST))
            given_adjust[given_exact] = given_exact_adjust[given_exact]
            family_adjust[family_exact] = family_exact_adjust[family_exact]
            given_adjust[given_near] = np.minimum(given_exact_adjust[given_near], 0.0)
            family_adjust[family_near] = np.minimum(family_exact_adjust[family_near], 0.0)
            if full_name_frequency is not None:
                given_agrees = given_exact | (levels[:, g] == GIVEN_NAME.level("nickname"))
                swapped = (levels[:, g] == GIVEN_NAME.level("swapped")) & (
                    levels[:, f] == FAMILY_NAME.level("swapped")
                )
                both = (given_agrees & family_exact) | swapped
                whole = np.log2(u_given * u_family / np.maximum(full_name_frequency, SMALLEST))
                # Both names agree, one less than exactly ("Mohammed Alyi"): the whole
                # name's adjustment when it is lower, never a rise.
                near = (given_exact | given_near) & (family_exact | family_near) & ~both
                given_adjust[near] = np.minimum(
                    given_adjust[near] + family_adjust[near], np.minimum(whole[near], 0.0)
                )
                family_adjust[near] = 0.0
                given_adjust[both] = whole[both]
                family_adjust[both] = 0.0
        return np.clip(given_adjust, low, high), np.clip(family_adjust, low, high)

    def match_weights(
        self,
        levels: np.ndarray,
        *,
        given_frequency: np.ndarray | None = None,
        family_frequency: np.ndarray | None = None,
        full_name_frequency: np.ndarray | None = None,
        prior: float | None = None,
    ) -> np.ndarray:
        total = self.contributions(levels).sum(axis=1) + log2_odds(
            self.prior if prior is None else prior
        )
        if given_frequency is not None and family_frequency is not None:
            given_adjust, family_adjust = self.term_frequency_adjustments(
                levels, given_frequency, family_frequency, full_name_frequency
            )
            total = total + given_adjust + family_adjust
        return total

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": 1,
            "notes": self.notes,
            "prior": self.prior,
            "thresholds": {"match": self.thresholds.match, "review": self.thresholds.review},
            "term_frequency_bounds": list(self.term_frequency_bounds),
            "trained_records": self.trained_records,
            "returning_share": self.returning_share,
            "comparisons": {
                c.name: {
                    "levels": list(c.levels[:-1]),
                    "m": [round(float(v), 8) for v in self.m[c.name]],
                    "u": [round(float(v), 10) for v in self.u[c.name]],
                }
                for c in COMPARISONS
            },
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Model":
        comparisons = data["comparisons"]
        for c in COMPARISONS:
            if comparisons[c.name]["levels"] != list(c.levels[:-1]):
                raise ValueError(f"Model levels for {c.name} do not match this version")
        return cls(
            m={c.name: np.asarray(comparisons[c.name]["m"], dtype=float) for c in COMPARISONS},
            u={c.name: np.asarray(comparisons[c.name]["u"], dtype=float) for c in COMPARISONS},
            prior=float(data["prior"]),
            thresholds=Thresholds(**data["thresholds"]),
            term_frequency_bounds=tuple(data["term_frequency_bounds"]),  # type: ignore[arg-type]
            trained_records=int(data.get("trained_records", 0)),
            returning_share=float(data.get("returning_share", 0.5)),
            notes=data.get("notes", ""),
        )

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path = DEFAULT_MODEL) -> "Model":
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))


def rules(levels: np.ndarray) -> np.ndarray:
    """Which deterministic rule (if any) applies to each pair."""
    nhs = levels[:, INDEX["nhs_number"]]
    pnc = levels[:, INDEX["pnc_id"]]
    dob = levels[:, INDEX["date_of_birth"]]
    given = levels[:, INDEX["given_name"]]
    result = np.full(len(levels), RULE_NONE, dtype=np.int8)
    family = levels[:, INDEX["family_name"]]
    no_identifier = (nhs != NHS_NUMBER.level("exact")) & (pnc != PNC_ID.level("exact"))
    names_differ = is_one_of(given, [GIVEN_NAME.level("similar"), GIVEN_NAME.level("different")])
    names_differ |= family == FAMILY_NAME.level("different")
    result[no_identifier & names_differ] = RULE_NAMES_DISAGREE
    same_dob = is_one_of(dob, [DATE_OF_BIRTH.level(x) for x in ("exact", "swapped", "exact_weak")])
    result[(pnc == PNC_ID.level("exact")) & same_dob] = RULE_PNC_AND_DOB_SAME
    nhs_same = nhs == NHS_NUMBER.level("exact")
    dob_different = dob == DATE_OF_BIRTH.level("different")
    result[nhs_same & ~dob_different] = RULE_NHS_SAME
    result[nhs_same & dob_different] = RULE_NHS_SAME_DOB_DIFFERENT
    nhs_differs = is_one_of(nhs, [NHS_NUMBER.level("near"), NHS_NUMBER.level("different")])
    result[nhs_differs] = RULE_NHS_DIFFERENT
    return result


def uncorroborated(levels: np.ndarray, rule: np.ndarray) -> np.ndarray:
    """Pairs whose weight rests on the names and date of birth alone: no rule decided them, no
    identifier agrees and the addresses differ or one is missing.

    Different people with the same full name and date of birth look exactly like this, and a
    file of 100,000 records holds a few such coincidences among some 20,000 true pairs of
    this kind (records of one person after a move or with no fixed abode): the weight says
    how likely a coincidence is, but cannot tell which pair is one. Clustering lets such a
    pair join two clusters only when nothing across them contradicts it
    (``dedupe.cluster``).
    """
    pnc = levels[:, INDEX["pnc_id"]]
    address = levels[:, INDEX["address"]]
    apart = is_one_of(address, [ADDRESS.level("different"), ADDRESS.missing])
    return (rule == RULE_NONE) & (pnc != PNC_ID.level("exact")) & apart


def decide(weights: np.ndarray, rule: np.ndarray, thresholds: Thresholds) -> np.ndarray:
    """Decision per pair as an index into DECISIONS (0 match, 1 review, 2 non-match)."""
    decision = np.full(len(weights), 2, dtype=np.int8)
    decision[weights >= thresholds.review] = 1
    decision[weights >= thresholds.match] = 0
    decision[rule == RULE_NAMES_DISAGREE] = np.maximum(decision[rule == RULE_NAMES_DISAGREE], 1)
    decision[rule == RULE_NHS_SAME_DOB_DIFFERENT] = 1
    decision[rule == RULE_NHS_SAME] = 0
    decision[rule == RULE_PNC_AND_DOB_SAME] = 0
    decision[rule == RULE_NHS_DIFFERENT] = 2
    return decision


def file_match_threshold(
    weights: np.ndarray, rule: np.ndarray, match: float, budget: float
) -> float:
    """The match threshold for one file: at least ``match``, and high enough that the pairs
    the weights alone make matches are expected to hold no more than ``budget`` pairs of
    different people.

    A weight is a probability (prior included): a pair at 11 bits is two people once in
    2,049. A file of 100,000 records has thousands of pairs near there, so a fixed threshold
    lets the expected number of wrong merges grow with the file. Summing each pair's chance
    of being two people, strongest first, and stopping at ``budget`` bounds it instead;
    small files keep ``match``. Pairs decided by a rule are left out (rules, not weights,
    decide them).
    """
    free = np.sort(weights[(rule == RULE_NONE) & (weights >= match)])[::-1]
    if len(free) == 0:
        return match
    expected = np.cumsum(1.0 / (1.0 + np.power(2.0, np.clip(free, -1000, 1000))))
    allowed = int(np.searchsorted(expected, budget, side="right"))
    if allowed >= len(free):
        return match
    return max(match, float(np.nextafter(free[allowed], np.inf)))


def default_thresholds() -> Thresholds:
    """The thresholds in data/model.json (built-in defaults before that file exists)."""
    if DEFAULT_MODEL.exists():
        return Model.load().thresholds
    return Thresholds()


# ----- estimation ---------------------------------------------------------------------------


# ``patterns`` counts rows in an array of this many slots at most (8 MB of counts).
PATTERNS_COUNTED_UP_TO = 1 << 20


def patterns(levels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of ``levels`` and how often each occurs.

    EM needs only these: a million pairs show a few thousand patterns, so each iteration
    works on the patterns, weighted by their counts, not on every pair.
    """
    if len(levels) == 0:
        return levels, np.zeros(0)
    # One integer per row, each column a digit in its own base (its highest level + 1), the
    # first column least significant: a few tens of thousands of possible rows, so they are
    # counted directly (no sort), in the order sorting the rows from the last column would give.
    bases = levels.max(axis=0).astype(np.int64) + 1
    places = np.concatenate(([1], np.cumprod(bases)[:-1]))
    possible = int(np.prod(bases))
    keys = levels.astype(np.int64) @ places
    if possible <= PATTERNS_COUNTED_UP_TO:
        tally = np.bincount(keys, minlength=possible)
        unique = np.flatnonzero(tally)
        counts = tally[unique]
    else:  # pragma: no cover - more levels than any comparison has
        unique, counts = np.unique(keys, return_counts=True)
    rows = ((unique[:, None] // places) % bases).astype(levels.dtype)
    return rows, counts.astype(np.float64)


def _level_counts(levels: np.ndarray, comparison_number: int, weights=None) -> np.ndarray:
    size = len(COMPARISONS[comparison_number].levels)
    counts = np.bincount(levels[:, comparison_number], weights=weights, minlength=size)
    return counts[:-1]  # drop missing


def random_pair_levels(table: RecordTable, *, pairs: int = 1_000_000, seed: int = 0) -> np.ndarray:
    """Levels of ``pairs`` pairs of records drawn at random (with replacement)."""
    n = len(table)
    rng = np.random.default_rng(seed)
    total = n * (n - 1) // 2
    count = int(min(pairs, total))
    i = rng.integers(0, n, size=count)
    j = rng.integers(0, n - 1, size=count)
    j[j >= i] += 1
    return compare_pairs(table, i, j).levels


def u_from_levels(levels: np.ndarray, non_match: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """u per level from random pairs' levels, each pair counted by its chance of being two
    different people (``non_match``; all 1 when not given), with a little smoothing."""
    u = {}
    for number, comparison in enumerate(COMPARISONS):
        counts = _level_counts(levels, number, non_match) + 0.5
        u[comparison.name] = _normalised(counts)
    return u


def estimate_u(
    table: RecordTable, *, pairs: int = 1_000_000, seed: int = 0
) -> tuple[dict[str, np.ndarray], int]:
    """u per level from random pairs of records; returns (u, number of pairs compared)."""
    levels = random_pair_levels(table, pairs=pairs, seed=seed)
    return u_from_levels(levels), len(levels)


def match_posterior(
    levels: np.ndarray, m: dict[str, np.ndarray], u: dict[str, np.ndarray], prior: float
) -> np.ndarray:
    """The probability that each pair is a match, from m, u and the prior (no term
    frequencies, no rules)."""
    log_ratio = np.zeros(len(levels))
    for number, c in enumerate(COMPARISONS):
        padded = np.append(np.log(m[c.name]) - np.log(u[c.name]), 0.0)
        log_ratio += padded[levels[:, number]]
    logit = math.log(prior) - math.log1p(-prior) + log_ratio
    return 1.0 / (1.0 + np.exp(-np.clip(logit, -700, 700)))


def estimate_m(
    levels: np.ndarray,
    u: dict[str, np.ndarray],
    *,
    initial_m: dict[str, list[float]] | None = None,
    initial_share: float = 0.1,
    iterations: int = 60,
    tolerance: float = 1e-5,
    fixed: frozenset[str] = frozenset(),
    counts: np.ndarray | None = None,
) -> tuple[dict[str, np.ndarray], float, int]:
    """EM over the blocked pairs; returns (m, share of blocked pairs that match, iterations).

    Comparisons named in ``fixed`` are left out: they are the ones the pairs were chosen by,
    so within these pairs they agree whatever the truth and say nothing about it.

    The blocked pairs that are not matches are not like random pairs (blocking chose them
    because something agrees), so EM also fits their own level frequencies, starting from
    ``u``. Only m is kept: the final u comes from random pairs, as the score is for all pairs.
    ``counts``, when given, says how many pairs each row of ``levels`` stands for.
    """
    weights = np.ones(len(levels)) if counts is None else counts
    total = max(float(weights.sum()), 1.0)
    initial = initial_m or INITIAL_M
    m = {c.name: _normalised(np.asarray(initial[c.name])) for c in COMPARISONS}
    u_blocked = {c.name: _normalised(u[c.name]) for c in COMPARISONS}
    share = initial_share
    used = 0
    for used in range(1, iterations + 1):  # noqa: B007 - the count is returned
        log_ratio = np.zeros(len(levels))
        for number, c in enumerate(COMPARISONS):
            if c.name not in fixed:
                padded = np.append(np.log(m[c.name]) - np.log(u_blocked[c.name]), 0.0)
                log_ratio += padded[levels[:, number]]
        logit = math.log(share) - math.log1p(-share) + log_ratio
        posterior = 1.0 / (1.0 + np.exp(-np.clip(logit, -700, 700)))
        new_share = float(np.clip((posterior * weights).sum() / total, 1e-9, 1 - 1e-9))
        change = abs(new_share - share)
        share = new_share
        for number, c in enumerate(COMPARISONS):
            new_m = _normalised(_level_counts(levels, number, posterior * weights) + 1e-3)
            new_u = _normalised(_level_counts(levels, number, (1.0 - posterior) * weights) + 1e-3)
            change = max(change, float(np.abs(new_m - m[c.name]).max()))
            m[c.name], u_blocked[c.name] = new_m, new_u
        if change < tolerance:
            break
    return m, share, used


@dataclass
class FitReport:
    random_pairs: int
    candidate_pairs: int
    em_iterations: int
    blocked_match_share: float


def fit(
    table: RecordTable,
    compared: PairComparisons,
    *,
    thresholds: Thresholds | None = None,
    seed: int = 0,
    random_pairs: int | None = None,
) -> tuple[Model, FitReport]:
    """Estimate u from random pairs and m by EM on blocked pairs of ``table``.

    As in Splink, EM runs in sessions, each on pairs that agree exactly on something: pairs
    with the same date of birth teach m for names; pairs with the same given and family name
    teach m for date of birth, address and identifiers. A session never learns m for what its
    pairs were chosen by. Finally the share of matching pairs is estimated over all blocked
    pairs with m and u fixed, which gives the prior.

    Then, ``U_ROUNDS`` times: each random pair's chance of being one person (with m, u and
    the prior) takes it out of u in proportion, the address u is raised to the household
    share (``household_address_u``), and the prior is estimated again.
    """
    if random_pairs is None:  # 20 per record, between 100,000 and 1,000,000
        random_pairs = min(max(20 * len(table), 100_000), 1_000_000)
    random_levels, random_counts = patterns(
        random_pair_levels(table, pairs=random_pairs, seed=seed)
    )
    sampled = int(random_counts.sum())
    u = u_from_levels(random_levels, random_counts)
    levels = compared.levels
    given = levels[:, INDEX["given_name"]] == GIVEN_NAME.level("exact")
    family = levels[:, INDEX["family_name"]] == FAMILY_NAME.level("exact")
    dob = levels[:, INDEX["date_of_birth"]] == DATE_OF_BIRTH.level("exact")
    m = {c.name: _normalised(np.asarray(INITIAL_M[c.name])) for c in COMPARISONS}
    iterations = 0
    for rows, learn in ((dob, ("given_name", "family_name")), (given & family, SESSION_B)):
        if rows.sum() < 50:
            continue
        fixed = frozenset(c.name for c in COMPARISONS if c.name not in learn)
        session_levels, session_counts = patterns(levels[rows])
        session_m, _, used = estimate_m(session_levels, u, fixed=fixed, counts=session_counts)
        iterations += used
        for name in learn:
            m[name] = session_m[name]
    blocked_levels, blocked_counts = patterns(levels)
    household_levels, household_counts = patterns(levels[family])
    household_pairs = _pairs_sharing_family_name(table)
    n = len(table)
    all_pairs = max(n * (n - 1) / 2, 1)
    prior = 1.0 / max(n, 2)
    for round_number in range(U_ROUNDS + 1):
        if round_number:
            non_match = 1.0 - match_posterior(random_levels, m, u, prior)
            u = u_from_levels(random_levels, random_counts * non_match)
            non_match = 1.0 - match_posterior(household_levels, m, u, prior)
            u["address"] = household_address_u(
                u["address"], household_levels, household_counts * non_match, household_pairs
            )
        share = estimate_share(blocked_levels, blocked_counts, m, u)
        prior = min(max(share * len(compared) / all_pairs, 1e-12), 0.5)
    model = Model(
        m=m,
        u=u,
        prior=prior,
        thresholds=thresholds or default_thresholds(),
        trained_records=n,
        notes=f"Fitted on {n} records: u from {sampled} random pairs, m by EM.",
    )
    return model, FitReport(sampled, len(compared), iterations, share)


U_ROUNDS = 3


def _pairs_sharing_family_name(table: RecordTable) -> float:
    """How many pairs of records have the same family name, both with an address or postcode."""
    located = (table.address >= 0) | (table.district >= 0)
    codes = table.family[located & (table.family >= 0)]
    counts = np.bincount(codes).astype(np.float64)
    return float((counts * (counts - 1) / 2).sum())


def household_address_u(
    u_address: np.ndarray, levels: np.ndarray, non_match: np.ndarray, pairs: float
) -> np.ndarray:
    """u for address, at least as high as it is among people with the same family name.

    Random pairs almost never share an address, so u from them makes a shared address worth
    some 20 bits. But a shared address and a shared family name are not independent
    evidence: households share both (siblings, parents and children), and the sum of their
    two weights would merge a sibling. ``levels`` are the blocked pairs with the same family
    name (blocking proposes every such pair in one postcode district, so the agreeing levels
    are counted in full), weighted by ``non_match``, the chance each is two people; ``pairs``
    is how many pairs share a family name in all. Each agreeing level's u is the larger of the
    two estimates, and "different" takes what is left, so the levels still sum to one.
    """
    if pairs < 1 or len(levels) == 0:
        return u_address
    column = INDEX["address"]
    agreeing = [ADDRESS.level(x) for x in ("postcode_address", "postcode", "address", "district")]
    counts = np.bincount(levels[:, column], weights=non_match, minlength=len(ADDRESS.levels))
    household = counts[agreeing] / pairs
    result = np.asarray(u_address, dtype=np.float64).copy()
    result[agreeing] = np.maximum(result[agreeing], household)
    different = ADDRESS.level("different")
    result[different] = max(1.0 - result[agreeing].sum(), SMALLEST)
    return _normalised(result)


SESSION_B = ("date_of_birth", "address", "nhs_number", "pnc_id")


def estimate_share(
    levels: np.ndarray,
    counts: np.ndarray,
    m: dict[str, np.ndarray],
    u: dict[str, np.ndarray],
    iterations: int = 30,
) -> float:
    """The share of pairs that match, by EM with m and u held fixed (``counts``: pairs per
    row of ``levels``)."""
    total = max(float(counts.sum()), 1.0)
    log_ratio = np.zeros(len(levels))
    for number, c in enumerate(COMPARISONS):
        padded = np.append(np.log(m[c.name]) - np.log(u[c.name]), 0.0)
        log_ratio += padded[levels[:, number]]
    share = 0.1
    for _ in range(iterations):
        logit = math.log(share) - math.log1p(-share) + log_ratio
        posterior = 1.0 / (1.0 + np.exp(-np.clip(logit, -700, 700)))
        share = float(np.clip((posterior * counts).sum() / total, 1e-9, 0.5))
    return share
