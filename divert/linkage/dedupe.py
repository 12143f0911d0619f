"""Find the people in a file of records: block, compare, score, then cluster.

Plain Python with numpy rather than a dataframe library: the per-record work (normalising
names, phonetic keys) is Python either way, and the per-pair work is numpy arrays plus
``rapidfuzz.process.cpdist``, which compares many string pairs in C on every core. That keeps
the dependency list short and 100,000 records well inside a minute on two cores (see
docs/benchmarks.md, "Linkage").

Clusters come from pairs decided "match", joined strongest first with union-find. A join is
refused when it would put two different valid NHS numbers in one person, or when any pair
across the two clusters looks like two siblings: given names that disagree (no better than
similarly spelt, not a short form), a family name that does not disagree, and no identifier
in common. Twins Emma and Emily are not joined through a record of "Em". A pair whose given
and family names both disagree does not refuse a join: it is a record under another name
that identifiers or other records already tie to its cluster, and refusing on it (or on
any pair merely scored a non-match) split true people without ever protecting a different
one in the evaluation (``divert people evaluate`` counts what each guard costs). Pairs
decided "review" never join anything; they are returned for a person to look at.

A pair whose weight rests on the names and date of birth alone (``model.uncorroborated``: no
identifier, the addresses differ or one is missing) joins two clusters only if no pair across
them was decided a non-match. Two different people with one full name and date of birth
otherwise join through it, bringing records that disagree with each other; the pair stays
in the review list.
"""

import csv
import math
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from divert.linkage import blocking
from divert.linkage import model as scoring
from divert.linkage.compare import (
    FAMILY_NAME,
    GIVEN_NAME,
    INDEX,
    RecordTable,
    compare_pairs,
    is_one_of,
)
from divert.linkage.normalise import FIELDS, NormalisedRecord, normalise_record

# Below this many records, name frequencies are too noisy to use and EM has too few matches
# to learn from: the shipped model (data/model.json) is used instead.
MIN_RECORDS_TO_TRAIN = 2000
# Expected pairs of different people among a file's weight-decided matches, at most: the
# match threshold rises above the configured one in large files (model.file_match_threshold).
WRONG_MERGE_BUDGET = 1.0
# Why a match pair is in the review list although its weight or a rule made it a match.
REFUSED_JOIN = "A match, but the clustering guards refused to join its records: check by hand"
CHUNK = 500_000
PROGRESS_FROM = 20_000


class InputError(ValueError):
    """The input file cannot be read as records; the message says what to fix."""


def read_records(path: Path) -> list[dict[str, str]]:
    """Rows of a CSV file with a ``record_id`` column and only the known columns."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        header = [name.strip() for name in reader.fieldnames or []]
        if not header:
            raise InputError(f"{path} is empty: the first line must name the columns")
        unknown = [name for name in header if name not in FIELDS]
        if unknown:
            raise InputError(
                f"Unknown columns: {', '.join(unknown)}. Allowed columns are {', '.join(FIELDS)}"
            )
        if "record_id" not in header:
            raise InputError("The record_id column is missing: every record needs an ID")
        reader.fieldnames = header
        rows = []
        lines: dict[str, list[int]] = {}
        for row in reader:
            record_id = (row.get("record_id") or "").strip()
            if not record_id:
                raise InputError(f"Line {reader.line_num} has no record_id")
            row["record_id"] = record_id
            lines.setdefault(record_id, []).append(reader.line_num)
            rows.append(row)
    repeated = {key: found for key, found in lines.items() if len(found) > 1}
    if repeated:
        described = "; ".join(
            f"'{key}' on lines {', '.join(map(str, found))}"
            for key, found in list(repeated.items())[:10]
        )
        more = f" and {len(repeated) - 10} more" if len(repeated) > 10 else ""
        raise InputError(f"Duplicate record_id values: {described}{more}")
    return rows


def write_clusters(path: Path, record_ids: Sequence[str], person_ids: Sequence[str]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["record_id", "person_id"])
        writer.writerows(zip(record_ids, person_ids, strict=True))


@dataclass
class ScoredPairs:
    i: np.ndarray
    j: np.ndarray
    levels: np.ndarray
    weights: np.ndarray
    rule: np.ndarray
    decision: np.ndarray  # index into scoring.DECISIONS
    match_threshold: float = math.inf  # the match threshold used for this file

    def __len__(self) -> int:
        return len(self.i)


def _commoner(frequency: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per pair, the frequency of the commoner of the two records' names."""
    return np.maximum(frequency[a], frequency[b])


def score_pairs(
    table: RecordTable,
    i: np.ndarray,
    j: np.ndarray,
    model: scoring.Model,
    *,
    prior: float | None = None,
    use_frequencies: bool = True,
    frequencies: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    progress: bool = False,
    compared: np.ndarray | None = None,
    wrong_merge_budget: float | None = None,
) -> ScoredPairs:
    """Compare, weigh and decide every pair (i[k], j[k]).

    Name frequencies come from ``table`` itself (when it is large enough to say), or from
    ``frequencies``: per-record arrays of given, family and whole-name shares. ``compared``
    holds the pairs' levels when they are already known (training compared them).
    ``wrong_merge_budget``, when given, raises the match threshold for this file so that the
    weight-decided matches hold at most that many pairs of different people by the model's
    own probabilities (``model.file_match_threshold``).
    """
    if frequencies is not None:
        given_frequency, family_frequency, full_frequency = frequencies
    else:
        given_u = float(model.u["given_name"][GIVEN_NAME.level("exact")])
        family_u = float(model.u["family_name"][FAMILY_NAME.level("exact")])
        given_frequency, family_frequency, full_frequency = table.name_frequencies(
            (given_u, family_u, given_u * family_u)
        )
        use_frequencies = use_frequencies and len(table) >= MIN_RECORDS_TO_TRAIN
    levels_parts, weight_parts = [], []
    starts = range(0, len(i), CHUNK)
    for start in tqdm(starts, desc="Comparing pairs", unit="chunk", disable=not progress):
        a, b = i[start : start + CHUNK], j[start : start + CHUNK]
        if compared is None:
            chunk_levels = compare_pairs(table, a, b).levels
        else:
            chunk_levels = compared[start : start + CHUNK]
        weights = model.match_weights(
            chunk_levels,
            given_frequency=_commoner(given_frequency, a, b) if use_frequencies else None,
            family_frequency=_commoner(family_frequency, a, b) if use_frequencies else None,
            full_name_frequency=_commoner(full_frequency, a, b) if use_frequencies else None,
            prior=prior,
        )
        levels_parts.append(chunk_levels)
        weight_parts.append(weights)
    width = len(scoring.COMPARISONS)
    levels = np.concatenate(levels_parts) if levels_parts else np.empty((0, width), np.int8)
    weights = np.concatenate(weight_parts) if weight_parts else np.empty(0)
    rule = scoring.rules(levels)
    thresholds = model.thresholds
    if wrong_merge_budget is not None:
        match = scoring.file_match_threshold(weights, rule, thresholds.match, wrong_merge_budget)
        thresholds = scoring.Thresholds(match=match, review=thresholds.review)
    decision = scoring.decide(weights, rule, thresholds)
    return ScoredPairs(i, j, levels, weights, rule, decision, thresholds.match)


class _Clusters:
    def __init__(self, table: RecordTable) -> None:
        n = len(table)
        self.parent = list(range(n))
        self.members: dict[int, list[int]] = {}
        self.nhs: dict[int, set[str]] = {}
        for position, record in enumerate(table.records):
            if record.nhs_number:
                self.nhs[position] = {record.nhs_number}

    def find(self, x: int) -> int:
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def group(self, root: int) -> list[int]:
        return self.members.get(root, [root])

    def union(self, a: int, b: int) -> None:
        big, small = (a, b) if len(self.group(a)) >= len(self.group(b)) else (b, a)
        self.parent[small] = big
        self.members[big] = self.group(big) + self.group(small)
        self.members.pop(small, None)
        nhs = self.nhs.get(big, set()) | self.nhs.pop(small, set())
        if nhs:
            self.nhs[big] = nhs


def sibling_like(scored: ScoredPairs) -> np.ndarray:
    """Pairs that may be siblings or twins: given names disagree, the family name does not,
    and no identifier is shared (the names guard with a family name that is not different)."""
    given = scored.levels[:, INDEX["given_name"]]
    family = scored.levels[:, INDEX["family_name"]]
    given_differs = is_one_of(given, [GIVEN_NAME.level("similar"), GIVEN_NAME.level("different")])
    return (
        (scored.rule == scoring.RULE_NAMES_DISAGREE)
        & given_differs
        & (family != FAMILY_NAME.level("different"))
    )


def _any_pair_in(pairs: set[int], group_a: list[int], group_b: list[int], n: int) -> bool:
    """Whether any pair across the two groups (as ``lower * n + higher``) is in ``pairs``."""
    return any(min(x, y) * n + max(x, y) in pairs for x in group_a for y in group_b)


def cluster(
    table: RecordTable, scored: ScoredPairs, *, corroborated_only: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """A cluster number per record, and the match pairs (indices into ``scored``) whose join
    the guards refused: they go to review with the pairs decided "review".

    ``corroborated_only`` refuses every match that rests on the names and date of birth
    alone (``model.uncorroborated``), which is how two different people with one full name
    and date of birth end up merged (ADR 0008): records join only through an identifier or
    an address they share, and the rest are left for a person to decide.
    """
    n = len(table)
    is_match = scored.decision == 0
    order = np.nonzero(is_match)[0]
    # Rule-decided matches first, then by weight, strongest first.
    ranked = np.where(scored.rule[order] > 0, np.inf, scored.weights[order])
    order = order[np.argsort(-ranked, kind="stable")]
    in_match = np.zeros(n, dtype=bool)
    in_match[scored.i[order]] = True
    in_match[scored.j[order]] = True
    vetoes = sibling_like(scored) & in_match[scored.i] & in_match[scored.j]
    veto = set((scored.i[vetoes].astype(np.int64) * n + scored.j[vetoes]).tolist())
    # Non-matches between records that are in match pairs: evidence against a join that
    # rests on the names and date of birth alone.
    against_mask = (scored.decision == 2) & in_match[scored.i] & in_match[scored.j]
    against = set((scored.i[against_mask].astype(np.int64) * n + scored.j[against_mask]).tolist())
    weak = scoring.uncorroborated(scored.levels, scored.rule)
    clusters = _Clusters(table)
    refused = []
    for k in order:
        a, b = clusters.find(int(scored.i[k])), clusters.find(int(scored.j[k]))
        if a == b:
            continue
        nhs_a, nhs_b = clusters.nhs.get(a, set()), clusters.nhs.get(b, set())
        conflict = bool(nhs_a and nhs_b and nhs_a != nhs_b)
        if not conflict and veto:
            conflict = _any_pair_in(veto, clusters.group(a), clusters.group(b), n)
        if not conflict and weak[k]:
            conflict = corroborated_only or (
                bool(against) and _any_pair_in(against, clusters.group(a), clusters.group(b), n)
            )
        if conflict:
            refused.append(int(k))
            continue
        clusters.union(a, b)
    roots = np.fromiter((clusters.find(x) for x in range(n)), dtype=np.int64, count=n)
    return roots, np.asarray(refused, dtype=np.int64)


def person_ids(roots: np.ndarray, prefix: str = "P") -> list[str]:
    """Stable IDs (P000001, ...) numbered in order of each person's first record."""
    numbers: dict[int, int] = {}
    result = []
    for root in roots.tolist():
        number = numbers.setdefault(root, len(numbers) + 1)
        result.append(f"{prefix}{number:06d}")
    return result


@dataclass
class DedupeResult:
    record_ids: list[str]
    person_ids: list[str]
    records: int
    people: int
    pairs_scored: int
    matches: int
    reviews: int
    refused_joins: int
    invalid: Counter[str]
    seconds: float
    model_source: str
    blocking_seconds: float = 0.0
    scoring_seconds: float = 0.0
    review_pairs: list[tuple[str, str, float]] = field(default_factory=list)
    scored: ScoredPairs | None = None
    model: scoring.Model | None = None
    match_threshold: float = math.inf
    refused_pairs: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    corroborated_only: bool = False

    def summary(self) -> str:
        invalid = ", ".join(f"{k} {v:,}" for k, v in sorted(self.invalid.items())) or "none"
        return "\n".join(
            [
                f"Records: {self.records:,}",
                f"People found: {self.people:,}",
                f"Pairs scored: {self.pairs_scored:,} "
                f"(match {self.matches:,}, review {self.reviews:,}, including "
                f"{self.refused_joins:,} matches whose join the guards refused)",
                f"Invalid identifiers (treated as missing): {invalid}",
                f"Model: {self.model_source}",
                f"Match threshold for this file: {self.match_threshold:.1f} bits",
                "Matches on the names and date of birth alone: "
                + (
                    "not merged, listed for review (--corroborated-only)"
                    if self.corroborated_only
                    else "merged unless a pair across the two clusters is a non-match"
                ),
                f"Seconds: {self.seconds:.1f}",
            ]
        )


def normalise_rows(
    rows: Iterable[Mapping[str, Any]], *, progress: bool = False, total: int | None = None
) -> tuple[list[NormalisedRecord], Counter[str]]:
    records, invalid = [], Counter[str]()
    for row in tqdm(rows, desc="Reading records", unit="rec", disable=not progress, total=total):
        record = normalise_record(row)
        invalid.update(record.invalid)
        records.append(record)
    return records, invalid


def dedupe(
    rows: Sequence[Mapping[str, Any]],
    *,
    model: scoring.Model | None = None,
    train: bool | None = None,
    thresholds: scoring.Thresholds | None = None,
    progress: bool | None = None,
    seed: int = 0,
    wrong_merge_budget: float | None = WRONG_MERGE_BUDGET,
    corroborated_only: bool = False,
) -> DedupeResult:
    """Find the people in ``rows``. Trains on the rows themselves when there are enough.

    ``corroborated_only``: merge no pair on the names and date of birth alone (``cluster``);
    such pairs are listed for review instead.
    """
    started = time.perf_counter()
    show = len(rows) >= PROGRESS_FROM if progress is None else progress
    records, invalid = normalise_rows(rows, progress=show, total=len(rows))
    table = RecordTable(records)
    i, j = blocking.candidate_pairs(records)
    blocked_at = time.perf_counter()
    if train is None:
        train = model is None and len(records) >= MIN_RECORDS_TO_TRAIN
    known_levels = None
    if train:
        compared = compare_pairs(table, i, j)
        known_levels = compared.levels
        model, report = scoring.fit(table, compared, thresholds=thresholds, seed=seed)
        source = (
            f"trained on this file (u from {report.random_pairs:,} random pairs, "
            f"m by EM in {report.em_iterations} iterations)"
        )
        prior = model.prior
    else:
        model = model or scoring.Model.load()
        if thresholds is not None:
            model.thresholds = thresholds
        source = "the shipped parameters (data/model.json)"
        prior = model.prior_for(len(records))
    scored = score_pairs(
        table,
        i,
        j,
        model,
        prior=prior,
        progress=show,
        compared=known_levels,
        wrong_merge_budget=wrong_merge_budget,
    )
    roots, refused = cluster(table, scored, corroborated_only=corroborated_only)
    ids = person_ids(roots)
    record_ids = [r.record_id for r in records]
    # Refused joins go to review too: no pair is merged without a rule that allowed it, and
    # none that a rule stopped is dropped without a person seeing it.
    reviews = np.concatenate([np.nonzero(scored.decision == 1)[0], refused])
    return DedupeResult(
        record_ids=record_ids,
        person_ids=ids,
        records=len(records),
        people=len(set(ids)),
        pairs_scored=len(scored),
        matches=int((scored.decision == 0).sum()),
        reviews=len(reviews),
        refused_joins=len(refused),
        invalid=invalid,
        seconds=time.perf_counter() - started,
        model_source=source,
        blocking_seconds=blocked_at - started,
        scoring_seconds=time.perf_counter() - blocked_at,
        review_pairs=[
            (record_ids[scored.i[k]], record_ids[scored.j[k]], float(scored.weights[k]))
            for k in reviews.tolist()
        ],
        scored=scored,
        model=model,
        match_threshold=scored.match_threshold,
        refused_pairs=refused,
        corroborated_only=corroborated_only,
    )
