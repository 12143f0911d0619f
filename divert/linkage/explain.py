"""Say why two records look like the same person, in words a practitioner uses.

Each piece of evidence carries the bits it added to the match weight, so a screen can show
"NHS number matches (+14.2)" next to "Address is different (-2.1)". Identifiers and names are
shown as recorded, not as normalised. This text is for the screen only: audit events store
identifiers and codes, never these sentences.
"""

from dataclasses import dataclass

import numpy as np

from divert.linkage import model as scoring
from divert.linkage.compare import COMPARISONS, RecordTable, compare_pairs
from divert.linkage.normalise import NormalisedRecord
from divert.people import identifiers


@dataclass(frozen=True)
class Evidence:
    field: str
    text: str
    weight: float


@dataclass(frozen=True)
class Explanation:
    weight: float
    probability: float
    decision: str
    rule: str
    evidence: tuple[Evidence, ...]


def _uk_date(value) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _nhs(value: str | None) -> str:
    digits = identifiers.normalise_nhs_number(value or "")
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}" if len(digits) == 10 else digits


def _pnc(value: str | None) -> str:
    return f"{value[:2]}/{value[2:9].lstrip('0') or '0'}{value[9:]}" if value else ""


def _sentence(field: str, level: str, a: NormalisedRecord, b: NormalisedRecord) -> str:
    if field == "nhs_number":
        return {
            "exact": "NHS number matches",
            "near": (
                f"NHS numbers differ by one digit or two swapped digits "
                f"({_nhs(a.nhs_number)} and {_nhs(b.nhs_number)})"
            ),
            "different": "NHS numbers are different",
            "missing": "NHS number is not recorded on both",
        }[level]
    if field == "pnc_id":
        return {
            "exact": "PNC ID matches",
            "near": (
                f"PNC IDs differ by one character or two swapped characters "
                f"({_pnc(a.pnc_id)} and {_pnc(b.pnc_id)})"
            ),
            "different": "PNC IDs are different",
            "missing": "PNC ID is not recorded on both",
        }[level]
    if field == "given_name":
        x, y = a.given_name or a.given, b.given_name or b.given
        return {
            "exact": f"Given name '{x}' matches",
            "nickname": f"Given name '{y}' is a short form of '{x}'"
            if len(b.given) <= len(a.given)
            else f"Given name '{x}' is a short form of '{y}'",
            "swapped": "Given and family names appear to be the other way round",
            "close": f"Given names '{x}' and '{y}' are spelt almost the same",
            "similar": f"Given names '{x}' and '{y}' are spelt similarly",
            "different": f"Given names '{x}' and '{y}' are different",
            "missing": "Given name is not recorded on both",
        }[level]
    if field == "family_name":
        x, y = a.family_name or a.family, b.family_name or b.family
        return {
            "exact": f"Family name '{x}' matches",
            "part": f"Family name '{x}' and '{y}' share part of a double-barrelled name",
            "swapped": "Family and given names appear to be the other way round",
            "close": f"Family names '{x}' and '{y}' are spelt almost the same",
            "similar": f"Family names '{x}' and '{y}' are spelt similarly",
            "different": f"Family names '{x}' and '{y}' are different",
            "missing": "Family name is not recorded on both",
        }[level]
    if field == "date_of_birth":
        x, y = _uk_date(a.date_of_birth), _uk_date(b.date_of_birth)
        return {
            "exact": "Date of birth matches",
            "swapped": f"Date of birth matches with day and month swapped ({x} and {y})",
            "exact_weak": (
                f"Date of birth {x} matches, but it looks like a placeholder (1 January), "
                "so it counts for less"
            ),
            "one_part": f"Dates of birth differ in the day or the month ({x} and {y})",
            "year_close": f"Dates of birth differ only in the year ({x} and {y})",
            "weak_year": (
                f"One date of birth looks like a placeholder (1 January); the years are "
                f"close ({x} and {y})"
            ),
            "different": f"Dates of birth are different ({x} and {y})",
            "missing": "Date of birth is not recorded on both",
        }[level]
    return {
        "postcode_address": "Address and postcode match",
        "postcode": "Postcode matches",
        "address": "Address matches (postcode different or missing)",
        "district": f"Postcodes are in the same district ({a.postcode_district})",
        "different": "Addresses are different",
        "missing": "Address is not recorded on both (or no fixed abode)",
    }[level]


def explain_levels(
    a: NormalisedRecord,
    b: NormalisedRecord,
    levels: np.ndarray,
    contributions: np.ndarray,
    *,
    given_adjustment: float = 0.0,
    family_adjustment: float = 0.0,
) -> tuple[Evidence, ...]:
    """Evidence for one compared pair, strongest first; missing fields are left out."""
    evidence = []
    for number, comparison in enumerate(COMPARISONS):
        level = comparison.levels[int(levels[number])]
        if level == "missing":
            continue
        weight = float(contributions[number])
        text = _sentence(comparison.name, level, a, b)
        adjustment = {"given_name": given_adjustment, "family_name": family_adjustment}.get(
            comparison.name, 0.0
        )
        if adjustment < -0.05:
            text += " (a common name, so it counts for less)"
        elif adjustment > 0.05:
            text += " (an uncommon name, so it counts for more)"
        evidence.append(Evidence(comparison.name, text, round(weight + adjustment, 1)))
    if b.variant:
        evidence.append(
            Evidence("alias", f"Matched on a recorded {b.variant.replace('_', ' ')}", 0)
        )
    return tuple(sorted(evidence, key=lambda e: -abs(e.weight)))


def explain(
    a: NormalisedRecord,
    b: NormalisedRecord,
    model: scoring.Model,
    *,
    prior: float | None = None,
    given_frequency: float | None = None,
    family_frequency: float | None = None,
) -> Explanation:
    """Score one pair and explain it (for a screen, a test, or a question from a colleague)."""
    table = RecordTable([a, b])
    compared = compare_pairs(table, np.array([0]), np.array([1]))
    levels = compared.levels
    given_adjust = family_adjust = 0.0
    if given_frequency is not None and family_frequency is not None:
        g, f = model.term_frequency_adjustments(
            levels, np.array([given_frequency]), np.array([family_frequency])
        )
        given_adjust, family_adjust = float(g[0]), float(f[0])
    weight = float(model.match_weights(levels, prior=prior)[0] + given_adjust + family_adjust)
    rule = scoring.rules(levels)
    decision = scoring.decide(np.array([weight]), rule, model.thresholds)
    return Explanation(
        weight=round(weight, 1),
        probability=float(scoring.probability(weight)),
        decision=scoring.DECISIONS[int(decision[0])],
        rule=scoring.RULE_TEXT.get(int(rule[0]), ""),
        evidence=explain_levels(
            a,
            b,
            levels[0],
            model.contributions(levels)[0],
            given_adjustment=given_adjust,
            family_adjustment=family_adjust,
        ),
    )
