"""Screening answers for demo data, scored to match the published instrument definitions.

The instrument engine (divert/screening) publishes each definition as an ``InstrumentVersion``
row from ``screening/instruments/<slug>/v<N>.yaml`` during migration. The seed uses those rows.
Where one is missing (a database migrated before the engine existed) it writes a minimal stand-in
marked with ``PLACEHOLDER_NOTE``, which the engine's sync replaces.

Item answers are drawn from a severity, then scored here rather than through
``divert.screening.scoring``: the engine validates and walks every item's conditions, which is
right for one administration at a time but would add minutes to a million-episode seed. The
option codes, band codes and outcomes come from the stored definition, so rows look exactly as
the engine would write them; the tests check the two agree.
"""

import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from random import Random
from typing import Any

PLACEHOLDER_NOTE = "placeholder definition until the instrument engine issue lands"

# Stand-in definitions: slug -> (title, items as (link_id, {score: code}), bands, licence).
_FREQ = {0: "0", 1: "1", 2: "2", 3: "3"}
_FIVE = {0: "0", 1: "1", 2: "2", 3: "3", 4: "4"}
_YES = {1: "yes", 0: "no"}
_INJURY = {0: "no", 2: "yes_not_last_year", 4: "yes_last_year"}
_PLACEHOLDERS = {
    "phq-9": (
        "Patient Health Questionnaire (PHQ-9)",
        [(f"q{n}", _FREQ) for n in range(1, 10)],
        [
            ("none_minimal", 0, 4, False),
            ("mild", 5, 9, False),
            ("moderate", 10, 14, True),
            ("moderately_severe", 15, 19, True),
            ("severe", 20, 27, True),
        ],
    ),
    "gad-7": (
        "Generalised Anxiety Disorder Assessment (GAD-7)",
        [(f"q{n}", _FREQ) for n in range(1, 8)],
        [
            ("minimal", 0, 4, False),
            ("mild", 5, 9, False),
            ("moderate", 10, 14, True),
            ("severe", 15, 21, True),
        ],
    ),
    "audit": (
        "Alcohol Use Disorders Identification Test (AUDIT)",
        [(f"q{n}", _FIVE) for n in range(1, 9)] + [("q9", _INJURY), ("q10", _INJURY)],
        [
            ("lower_risk", 0, 7, False),
            ("increasing_risk", 8, 15, True),
            ("higher_risk", 16, 19, True),
            ("possible_dependence", 20, 40, True),
        ],
    ),
    "audit-c": (
        "AUDIT-C (UK version)",
        [(f"q{n}", _FIVE) for n in range(1, 4)],
        [
            ("lower_risk", 0, 4, False),
            ("increasing_risk", 5, 7, True),
            ("higher_risk", 8, 10, True),
            ("possible_dependence", 11, 12, True),
        ],
    ),
    "dast-10": (
        "Drug Abuse Screening Test (DAST-10)",
        [(f"q{n}", {1: "no", 0: "yes"} if n == 3 else _YES) for n in range(1, 11)],
        [
            ("none", 0, 0, False),
            ("low", 1, 2, False),
            ("moderate", 3, 5, True),
            ("substantial", 6, 8, True),
            ("severe", 9, 10, True),
        ],
    ),
    "bjmhs": (
        "Brief Jail Mental Health Screen (BJMHS)",
        [(f"q{n}", _YES) for n in range(1, 10)],
        [],
    ),
}
SLUGS = tuple(_PLACEHOLDERS)


def placeholder_definition(slug: str) -> dict:
    title, items, bands = _PLACEHOLDERS[slug]
    return {
        "slug": slug,
        "version": 1,
        "title": title,
        "note": PLACEHOLDER_NOTE,
        "scoring": "bjmhs" if slug == "bjmhs" else "sum",
        "items": [
            {
                "link_id": link_id,
                "type": "choice",
                "options": [{"code": code, "score": score} for score, code in codes.items()],
            }
            for link_id, codes in items
        ],
        "bands": [
            {
                "code": code,
                "min": low,
                "max": high,
                "label": code.replace("_", " ").capitalize(),
                "positive": positive,
            }
            for code, low, high, positive in bands
        ],
    }


def checksum(definition: dict) -> str:
    canonical = json.dumps(definition, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass
class Result:
    """What one administration produced: total, band code, outcome, flags and item answers."""

    total: Decimal | None
    band: str
    outcome: str
    flags: list[str]
    answers: list[tuple[str, Any, Decimal | None]]  # (link_id, option code, item score)


@dataclass
class Definition:
    """The parts of a stored definition the seed needs."""

    bands: list[tuple[int, int, str, bool | None]]
    # link_id -> {item score: option code}, for scored items; unscored items map yes/no.
    codes: dict[str, dict[int, str]] = field(default_factory=dict)
    scored: dict[str, bool] = field(default_factory=dict)

    @classmethod
    def parse(cls, data: dict) -> "Definition":
        bands = [
            (int(b["min"]), int(b["max"]), str(b["code"]), b.get("positive"))
            for b in data.get("bands", [])
        ]
        codes: dict[str, dict[int, str]] = {}
        scored: dict[str, bool] = {}
        for item in data.get("items", []):
            options = item.get("options") or []
            if not options:
                continue
            link_id = item["link_id"]
            scored[link_id] = item.get("scored", True) and any(
                "score" in option for option in options
            )
            if scored[link_id]:
                codes[link_id] = {int(o["score"]): str(o["code"]) for o in options}
            else:
                codes[link_id] = {1: "yes", 0: "no"}
        return cls(bands, codes, scored)

    def band_for(self, total: int) -> tuple[str, bool | None]:
        for low, high, code, positive in self.bands:
            if low <= total <= high:
                return code, positive
        return "", None


CUT_OFFS = {"phq-9": 10, "gad-7": 10, "audit-c": 5, "audit": 8, "dast-10": 3}


class Scorer:
    """Draws item answers from a severity and scores them against the stored definitions."""

    def __init__(self, definitions: dict[str, dict]) -> None:
        self.definitions = {slug: Definition.parse(data) for slug, data in definitions.items()}

    def _result(self, slug: str, scores: list[tuple[str, int]], flags: list[str]) -> Result:
        definition = self.definitions[slug]
        total = sum(score for _, score in scores)
        band, positive = definition.band_for(total)
        if positive is None:
            positive = total >= CUT_OFFS[slug]
        answers: list[tuple[str, Any, Decimal | None]] = [
            (link_id, definition.codes[link_id][score], Decimal(score)) for link_id, score in scores
        ]
        return Result(Decimal(total), band, "positive" if positive else "negative", flags, answers)

    def phq9(self, rng: Random, severity: float, self_harm: bool) -> Result:
        items = _scale_items(rng, 9, 3, severity)
        # Item 9 (thoughts of self-harm) follows the recorded risk, not general severity.
        items[8] = (1 + _binomial(rng, 2, 0.4)) if self_harm else (1 if rng.random() < 0.04 else 0)
        flags = ["phq9_item9_positive"] if items[8] > 0 else []
        return self._result("phq-9", _numbered(items), flags)

    def gad7(self, rng: Random, severity: float) -> Result:
        return self._result("gad-7", _numbered(_scale_items(rng, 7, 3, severity)), [])

    def audit_c(self, items: list[int]) -> Result:
        return self._result("audit-c", _numbered(items), [])

    def audit(self, rng: Random, severity: float, first_three: list[int]) -> Result:
        # Skip rule: Q1 "never" goes straight to Q9-10; so does Q2 + Q3 = 0 (Q4-8 unanswered).
        if first_three[0] == 0:
            answered = first_three[:1]
        elif first_three[1] + first_three[2] == 0:
            answered = list(first_three)
        else:
            answered = list(first_three) + _scale_items(rng, 5, 4, severity * 0.85)
        harm = [
            rng.choices((0, 2, 4), weights=(1 - severity, severity * 0.4, severity * 0.6))[0],
            rng.choices((0, 2, 4), weights=(1 - severity, severity * 0.3, severity * 0.7))[0],
        ]
        return self.audit_items(answered, harm)

    def audit_items(self, answered: list[int], harm: list[int]) -> Result:
        scores = _numbered(answered) + [("q9", harm[0]), ("q10", harm[1])]
        # WHO: step up one intervention level when Q4-6 score 2 or more, or Q9/Q10 score 4.
        step_up = any(value >= 2 for value in answered[3:6]) or 4 in harm
        return self._result("audit", scores, ["audit_step_up"] if step_up else [])

    def dast10(self, rng: Random, severity: float) -> Result:
        # A "yes" scores 1, except item 3 ("always able to stop?") where "no" scores 1.
        scores = [int(rng.random() < severity) for _ in range(10)]
        return self._result("dast-10", _numbered(scores), [])

    def bjmhs(self, rng: Random, severity: float) -> Result:
        yes = [rng.random() < severity * 0.6 for _ in range(6)]
        yes.append(rng.random() < severity * 0.7)  # currently on medication
        yes.append(rng.random() < severity * 0.5)  # ever admitted to hospital
        return self.bjmhs_items(yes, practitioner_concern=severity > 0.6 and rng.random() < 0.3)

    def bjmhs_items(self, yes: list[bool], practitioner_concern: bool = False) -> Result:
        answers = yes + [practitioner_concern]
        refer = sum(answers[:6]) >= 2 or any(answers[6:9])
        return Result(
            None,
            "",
            "refer" if refer else "no_referral",
            [],
            [(f"q{n}", "yes" if value else "no", None) for n, value in enumerate(answers, 1)],
        )

    def from_items(self, slug: str, values: list) -> Result:
        """Score hand-set item scores (the scenario people); booleans for the BJMHS."""
        if slug == "bjmhs":
            return self.bjmhs_items([bool(v) for v in values])
        if slug == "audit":
            numbers = [int(v) for v in values]
            return self.audit_items(numbers[:-2], numbers[-2:])
        numbers = [int(v) for v in values]
        flags = ["phq9_item9_positive"] if slug == "phq-9" and numbers[8] > 0 else []
        return self._result(slug, _numbered(numbers), flags)


def audit_c_items(rng: Random, severity: float) -> list[int]:
    return _scale_items(rng, 3, 4, severity)


def _numbered(scores: list[int]) -> list[tuple[str, int]]:
    return [(f"q{number}", score) for number, score in enumerate(scores, start=1)]


def _binomial(rng: Random, trials: int, p: float) -> int:
    return sum(1 for _ in range(trials) if rng.random() < p)


def _scale_items(rng: Random, count: int, top: int, severity: float) -> list[int]:
    return [_binomial(rng, top, severity) for _ in range(count)]
