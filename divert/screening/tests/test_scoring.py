"""Scoring every shipped instrument: minimum, maximum, both sides of every band boundary, skip
and stop rules, reverse-keyed and unequal items, prorating, missing answers and worked examples.

Expected values are hand-computed from the rules in domain.md §3.1 and the manuals cited beside
each table. No database is needed.
"""

from decimal import Decimal

import pytest

from divert.screening import registry, scoring
from divert.screening.scoring import Result
from divert.screening.tests.definitions import minimal


def definition(slug):
    return registry.get(slug, 1).definition


def score(slug, answers):
    return scoring.score(definition(slug), answers)


def spread(total, count, top):
    """``count`` item scores, each at most ``top``, adding up to ``total`` (filled from item 1)."""
    scores = []
    for _ in range(count):
        scores.append(min(top, total))
        total -= scores[-1]
    assert total == 0, "total is above what the items can reach"
    return scores


def items(scores, start=1):
    """Answers ``q<start>…`` whose option codes are the scores (as for PHQ-9, GAD-7, CIWA-Ar)."""
    return {f"q{number}": str(value) for number, value in enumerate(scores, start=start)}


def outcome_of(result: Result):
    total = None if result.total is None else result.total
    return (total, result.band, result.outcome, result.complete)


# -- Banded sums: (slug, answers, total, band, outcome) -------------------------------------
# PHQ-9: bands 0-4 / 5-9 / 10-14 / 15-19 / 20-27, 10 or more positive (Kroenke 2001; domain §3.1).
# GAD-7: bands 0-4 / 5-9 / 10-14 / 15-21, 10 or more positive (Spitzer 2006; domain §3.1).
# AUDIT-C (UK): 0-4 lower, 5-7 increasing, 8-10 higher, 11-12 possible dependence; 5+ positive.
# CAGE: 2 or more exceeds the cut-off (Ewing 1984).
# CIWA-Ar: below 8 mild, 8-14 moderate, 15 or more severe (Sullivan 1989; CamCOPS ciwa.rst).
PHQ9 = [
    ("phq-9", items([0] * 9), 0, "none_minimal", "negative"),
    ("phq-9", items(spread(4, 8, 3) + [0]), 4, "none_minimal", "negative"),
    ("phq-9", items(spread(5, 8, 3) + [0]), 5, "mild", "negative"),
    ("phq-9", items(spread(9, 8, 3) + [0]), 9, "mild", "negative"),
    ("phq-9", items(spread(10, 8, 3) + [0]), 10, "moderate", "positive"),
    ("phq-9", items(spread(14, 8, 3) + [0]), 14, "moderate", "positive"),
    ("phq-9", items(spread(15, 8, 3) + [0]), 15, "moderately_severe", "positive"),
    ("phq-9", items(spread(19, 8, 3) + [0]), 19, "moderately_severe", "positive"),
    ("phq-9", items(spread(20, 8, 3) + [0]), 20, "severe", "positive"),
    ("phq-9", items([3] * 9), 27, "severe", "positive"),
]
GAD7 = [
    ("gad-7", items([0] * 7), 0, "minimal", "negative"),
    ("gad-7", items(spread(4, 7, 3)), 4, "minimal", "negative"),
    ("gad-7", items(spread(5, 7, 3)), 5, "mild", "negative"),
    ("gad-7", items(spread(9, 7, 3)), 9, "mild", "negative"),
    ("gad-7", items(spread(10, 7, 3)), 10, "moderate", "positive"),
    ("gad-7", items(spread(14, 7, 3)), 14, "moderate", "positive"),
    ("gad-7", items(spread(15, 7, 3)), 15, "severe", "positive"),
    ("gad-7", items([3] * 7), 21, "severe", "positive"),
]
AUDIT_C = [
    ("audit-c", items([0, 0, 0]), 0, "lower_risk", "negative"),
    ("audit-c", items(spread(4, 3, 4)), 4, "lower_risk", "negative"),
    ("audit-c", items(spread(5, 3, 4)), 5, "increasing_risk", "positive"),
    ("audit-c", items(spread(7, 3, 4)), 7, "increasing_risk", "positive"),
    ("audit-c", items(spread(8, 3, 4)), 8, "higher_risk", "positive"),
    ("audit-c", items(spread(10, 3, 4)), 10, "higher_risk", "positive"),
    ("audit-c", items(spread(11, 3, 4)), 11, "possible_dependence", "positive"),
    ("audit-c", items([4, 4, 4]), 12, "possible_dependence", "positive"),
]


def cage(yes_count):
    return {f"q{n}": "yes" if n <= yes_count else "no" for n in range(1, 5)}


CAGE = [
    ("cage", cage(0), 0, "below_cutoff", "negative"),
    ("cage", cage(1), 1, "below_cutoff", "negative"),
    ("cage", cage(2), 2, "above_cutoff", "positive"),
    ("cage", cage(4), 4, "above_cutoff", "positive"),
]
CIWA = [
    ("ciwa-ar", items([0] * 10), 0, "mild", "negative"),
    ("ciwa-ar", items(spread(7, 9, 7) + [0]), 7, "mild", "negative"),
    ("ciwa-ar", items(spread(8, 9, 7) + [0]), 8, "moderate", "positive"),
    ("ciwa-ar", items(spread(14, 9, 7) + [0]), 14, "moderate", "positive"),
    ("ciwa-ar", items(spread(15, 9, 7) + [0]), 15, "severe", "positive"),
    ("ciwa-ar", items([7] * 9 + [4]), 67, "severe", "positive"),
    # Worked example: nausea 1, tremor 4, sweats 1, anxiety 4, agitation 1, no disturbances,
    # headache 2, oriented = 13, moderate withdrawal (anchor points from Sullivan 1989).
    ("ciwa-ar", items([1, 4, 1, 4, 1, 0, 0, 0, 2, 0]), 13, "moderate", "positive"),
]


def dast(yes_items, item3="yes"):
    """DAST-10 answers: "yes" to ``yes_items`` (not 3), and ``item3`` for the reverse-keyed item."""
    answers = {f"q{n}": "yes" if n in yes_items else "no" for n in range(1, 11) if n != 3}
    return answers | {"q3": item3}


# DAST-10: 1 point per "yes" except item 3, where "no" scores 1 (Skinner 1982; domain §3.1).
# Levels 0 / 1-2 / 3-5 / 6-8 / 9-10, 3 or more treated as positive.
DAST = [
    ("dast-10", dast([]), 0, "none", "negative"),
    ("dast-10", dast([1]), 1, "low", "negative"),
    ("dast-10", dast([], item3="no"), 1, "low", "negative"),
    ("dast-10", dast([1, 2]), 2, "low", "negative"),
    ("dast-10", dast([1, 2], item3="no"), 3, "moderate", "positive"),
    ("dast-10", dast([1, 2, 4, 5, 6]), 5, "moderate", "positive"),
    ("dast-10", dast([1, 2, 4, 5, 6, 7]), 6, "substantial", "positive"),
    ("dast-10", dast([1, 2, 4, 5, 6, 7, 8, 9]), 8, "substantial", "positive"),
    ("dast-10", dast([1, 2, 4, 5, 6, 7, 8, 9, 10]), 9, "severe", "positive"),
    ("dast-10", dast([1, 2, 4, 5, 6, 7, 8, 9, 10], item3="no"), 10, "severe", "positive"),
]


def audit(first, rest=(), q9="no", q10="no"):
    """AUDIT answers: scores for q1-q3 (codes are scores), q4-q8, and the q9/q10 codes."""
    answers = items(first) | items(rest, start=4)
    return answers | {"q9": q9, "q10": q10}


# AUDIT: Q1-8 score 0-4, Q9-10 score 0/2/4; zones 0-7 / 8-15 / 16-19 / 20-40, 8+ positive
# (Babor et al., WHO 2001, Table 4 and Box 4; domain §3.1).
AUDIT = [
    ("audit", audit([0]), 0, "lower_risk", "negative"),
    ("audit", audit([4, 3, 0], [0, 0, 0, 0, 0]), 7, "lower_risk", "negative"),
    ("audit", audit([4, 4, 0], [0, 0, 0, 0, 0]), 8, "increasing_risk", "positive"),
    ("audit", audit([4, 4, 4], [3, 0, 0, 0, 0]), 15, "increasing_risk", "positive"),
    ("audit", audit([4, 4, 4], [4, 0, 0, 0, 0]), 16, "higher_risk", "positive"),
    ("audit", audit([4, 4, 4], [4, 3, 0, 0, 0]), 19, "higher_risk", "positive"),
    ("audit", audit([4, 4, 4], [4, 4, 0, 0, 0]), 20, "possible_dependence", "positive"),
    (
        "audit",
        audit([4, 4, 4], [4] * 5, "yes_last_year", "yes_last_year"),
        40,
        "possible_dependence",
        "positive",
    ),
    # Skip rule, Q1 "never": straight to Q9-10; Q9 "yes, not in the last year" scores 2, Q10
    # "yes, during the last year" scores 4: 0 + 2 + 4 = 6.
    ("audit", audit([0], q9="yes_not_last_year", q10="yes_last_year"), 6, "lower_risk", "negative"),
    # Skip rule, Q2 + Q3 = 0: Q1 "2-3 times a week" (3) then Q9-10: 3 + 4 + 2 = 9.
    (
        "audit",
        audit([3, 0, 0], q9="yes_last_year", q10="yes_not_last_year"),
        9,
        "increasing_risk",
        "positive",
    ),
    # Worked example: Q1 2-3/week (3), Q2 5-6 units (2), Q3 monthly (2), Q4 1, Q5 0, Q6 0, Q7 1,
    # Q8 1, Q9 no (0), Q10 yes not last year (2): 12, increasing risk.
    (
        "audit",
        audit([3, 2, 2], [1, 0, 0, 1, 1], q10="yes_not_last_year"),
        12,
        "increasing_risk",
        "positive",
    ),
]


def fast(q1, q2=None, q3=None, q4=None):
    answers = {"q1": q1, "q2": q2, "q3": q3, "q4": q4}
    return {key: value for key, value in answers.items() if value is not None}


# FAST: Q1 = 0 negative, stop; Q1 3 or 4 positive, stop; otherwise sum Q1-4, 3+ positive; Q4
# scores 0/2/4 (Hodgson 2002; CamCOPS fast.rst; domain §3.1).
FAST = [
    ("fast", fast("0"), 0, "negative", "negative"),
    ("fast", fast("3"), 3, "positive", "positive"),
    ("fast", fast("4"), 4, "positive", "positive"),
    ("fast", fast("1", "0", "0", "no"), 1, "negative", "negative"),
    ("fast", fast("1", "1", "0", "no"), 2, "negative", "negative"),
    ("fast", fast("1", "1", "1", "no"), 3, "positive", "positive"),
    ("fast", fast("1", "0", "0", "yes_once"), 3, "positive", "positive"),
    ("fast", fast("2", "0", "0", "yes_more_than_once"), 6, "positive", "positive"),
    ("fast", fast("2", "4", "4", "yes_more_than_once"), 14, "positive", "positive"),
]


@pytest.mark.parametrize(
    ("slug", "answers", "total", "band", "outcome"),
    PHQ9 + GAD7 + AUDIT_C + CAGE + CIWA + DAST + AUDIT + FAST,
)
def test_score_banded_instrument_matches_manual(slug, answers, total, band, outcome):
    """Complete answers give the hand-computed total, band and outcome."""
    result = score(slug, answers)

    assert outcome_of(result) == (Decimal(total), band, outcome, True)
    assert result.missing == ()
    assert result.prorated is False


@pytest.mark.parametrize(
    ("slug", "answers", "missing"),
    [
        ("phq-9", items([1] * 8), ("q9",)),
        ("gad-7", items([1] * 6), ("q7",)),
        ("audit-c", items([1, 1]), ("q3",)),
        ("cage", {"q1": "yes", "q2": "no"}, ("q3", "q4")),
        ("ciwa-ar", items([0] * 9), ("q10",)),
        ("dast-10", {k: v for k, v in dast([]).items() if k != "q5"}, ("q5",)),
        ("audit", audit([2, 1, 1], [0, 0, 0, 0]) | {"q8": None}, ("q8",)),
        (
            "audit",
            {"q1": "2", "q2": "1", "q9": "no", "q10": "no"},
            ("q3", "q4", "q5", "q6", "q7", "q8"),
        ),
        ("fast", fast("2", "1", None, "no"), ("q3",)),
        ("fast", {}, ("q1",)),
    ],
)
def test_score_missing_answers_incomplete_without_total(slug, answers, missing):
    """An enabled required item left unanswered gives no total and no band, never a lower one."""
    result = score(slug, answers)

    assert result.complete is False
    assert result.missing == missing
    assert (result.total, result.band, result.outcome) == (None, "", "")


def test_score_audit_skipped_items_not_missing():
    """AUDIT Q1 "never" skips Q2-8: they are not missing, and answers given to them are ignored."""
    answers = audit([0]) | items([4, 4], start=2) | items([4] * 5, start=4)

    result = score("audit", answers)

    assert result.complete is True
    assert result.total == 0
    assert set(result.item_scores) == {"q1", "q9", "q10"}


def test_score_fast_stopped_items_ignored():
    """FAST Q1 "weekly" stops the screen: later answers do not change the positive result."""
    result = score("fast", fast("3", "4", "4", "yes_more_than_once"))

    assert (result.total, result.outcome, result.complete) == (3, "positive", True)


def test_score_phq9_item9_flag_at_total_one():
    """PHQ-9 item 9 above zero raises the follow-up flag even when the total is 1."""
    result = score("phq-9", items([0] * 8 + [1]))

    assert result.total == 1
    assert result.band == "none_minimal"
    assert [flag.code for flag in result.flags] == ["phq9_item9_positive"]
    assert result.flags[0].text == (
        "Item 9 (thoughts of self-harm) answered above zero: clinician follow-up today"
    )


def test_score_phq9_item9_flag_when_incomplete():
    """The item 9 flag is raised from the answer given even when other answers are missing."""
    result = score("phq-9", {"q9": "2"})

    assert result.complete is False
    assert [flag.code for flag in result.flags] == ["phq9_item9_positive"]


def test_score_phq9_item9_zero_no_flag():
    """Item 9 "not at all" raises no flag, even with a severe total."""
    result = score("phq-9", items([3] * 8 + [0]))

    assert result.total == 24
    assert result.flags == ()


@pytest.mark.parametrize(("slug", "extra"), [("phq-9", "q10"), ("gad-7", "q8")])
def test_score_functional_item_recorded_not_scored(slug, extra):
    """The optional difficulty question is not required and never adds to the total."""
    base = items([3] * (9 if slug == "phq-9" else 7))

    without = score(slug, base)
    with_it = score(slug, base | {extra: "extremely_difficult"})

    assert without.complete
    assert with_it.complete
    assert without.total == with_it.total
    assert extra not in with_it.item_scores


@pytest.mark.parametrize(
    ("answers", "flagged"),
    [
        (audit([3, 1, 1], [1, 1, 1, 1, 1]), False),
        (audit([3, 1, 1], [0, 2, 0, 0, 0]), True),
        (audit([3, 1, 1], [0, 0, 0, 0, 4]), False),
        (audit([0], q10="yes_last_year"), True),
        (audit([0], q9="yes_not_last_year"), False),
    ],
)
def test_score_audit_step_up_flag(answers, flagged):
    """The WHO step-up flag: Q4, Q5 or Q6 scoring 2 or more, or Q9 or Q10 scoring 4."""
    result = score("audit", answers)

    assert ([flag.code for flag in result.flags] == ["audit_step_up"]) is flagged


def test_score_dast_item3_reverse_keyed():
    """DAST-10 item 3 scores 1 for "No" and 0 for "Yes"."""
    result_no = score("dast-10", dast([], item3="no"))
    result_yes = score("dast-10", dast([], item3="yes"))

    assert (result_no.item_scores["q3"], result_yes.item_scores["q3"]) == (1, 0)


def core10(codes):
    return {f"q{n}": str(code) for n, code in enumerate(codes, start=1) if code is not None}


# CORE-10: items 0-4, items 2 and 3 reverse-keyed; clinical score = 10 × mean of the answered
# items; prorated with at most one item missing (Barkham 2013; CamCOPS core10.rst). No bands.
CORE10 = [
    # Codes are the columns left to right; item 2 and 3 "not at all" score 4.
    (core10([0, 4, 4, 0, 0, 0, 0, 0, 0, 0]), Decimal(0), False, True),
    (core10([0] * 10), Decimal(8), False, True),
    (core10([4, 0, 0, 4, 4, 4, 4, 4, 4, 4]), Decimal(40), False, True),
    # Worked example: scores 1, 2, 1, 2, 1, 0, 3, 1, 2, 1 (item 2 code 2, item 3 code 3) = 14.
    (core10([1, 2, 3, 2, 1, 0, 3, 1, 2, 1]), Decimal(14), False, True),
    # One missing (item 10): scores 1+4+0+2+2+0+3+1+2 = 15 over 9 items: 10 × 15 / 9 = 16.67.
    (core10([1, 0, 4, 2, 2, 0, 3, 1, 2, None]), Decimal("16.7"), True, False),
    # One missing (item 1): 20 over 9 items: 22.22 → 22.2.
    (core10([None, 2, 2, 2, 2, 2, 2, 2, 2, 4]), Decimal("22.2"), True, False),
    # One missing with everything else 0: 0.
    (core10([0, 4, None, 0, 0, 0, 0, 0, 0, 0]), Decimal(0), True, False),
]


@pytest.mark.parametrize(("answers", "total", "prorated", "complete"), CORE10)
def test_score_core10_clinical_score(answers, total, prorated, complete):
    """CORE-10 sums with reverse-keyed items 2 and 3, and prorates one missing item."""
    result = score("core-10", answers)

    assert (result.total, result.prorated, result.complete) == (total, prorated, complete)
    assert (result.band, result.outcome) == ("", "")


def test_score_core10_two_missing_no_total():
    """With two CORE-10 items unanswered there is no score at all."""
    result = score("core-10", core10([1, 1, 1, 1, 1, 1, 1, 1, None, None]))

    assert (result.total, result.prorated, result.complete) == (None, False, False)
    assert result.missing == ("q9", "q10")


def test_score_core10_risk_item_flag():
    """CORE-10 item 6 above zero raises the follow-up flag."""
    result = score("core-10", core10([0, 4, 4, 0, 0, 1, 0, 0, 0, 0]))

    assert [flag.code for flag in result.flags] == ["core10_item6_positive"]


def bjmhs(*yes, missing=()):
    answers = {f"q{n}": "yes" if n in yes else "no" for n in range(1, 10)}
    return {key: value for key, value in answers.items() if key not in missing}


# BJMHS: refer if 2+ "yes" on items 1-6, or "yes" to 7, or "yes" to 8, or the practitioner
# believes referral is needed (Steadman 2005; domain §3.1). No total.
BJMHS = [
    (bjmhs(), "no_referral", True),
    (bjmhs(1), "no_referral", True),
    (bjmhs(6), "no_referral", True),
    (bjmhs(1, 6), "refer", True),
    (bjmhs(2, 3, 4, 5), "refer", True),
    (bjmhs(7), "refer", True),
    (bjmhs(8), "refer", True),
    (bjmhs(9), "refer", True),
    (bjmhs(missing=("q5",)), "", False),
    (bjmhs(1, missing=("q5",)), "", False),
    (bjmhs(7, missing=("q5",)), "refer", False),
    (bjmhs(1, 2, missing=("q9",)), "refer", False),
]


@pytest.mark.parametrize(("answers", "outcome", "complete"), BJMHS)
def test_score_bjmhs_referral_rule(answers, outcome, complete):
    """BJMHS gives a rule-based outcome and no total; a referral already met stands when
    answers are missing, anything else waits for the missing answers."""
    result = score("bjmhs", answers)

    assert (result.outcome, result.complete, result.total, result.band) == (
        outcome,
        complete,
        None,
        "",
    )


def test_score_bjmhs_reason_only_when_referring():
    """The free-text reason is asked only when the practitioner answers "yes" to item 9."""
    answers = bjmhs() | {"q9_reason": "Distressed and withdrawn"}

    enabled = scoring.enabled_items(definition("bjmhs"), answers)

    assert "q9_reason" not in {item.link_id for item in enabled}


@pytest.mark.parametrize(
    ("slug", "answers", "need"),
    [
        ("phq-9", items([3] * 9), "mental_health"),
        ("phq-9", items([0] * 9), ""),
        ("audit", audit([4, 4, 0], [0] * 5), "substance_misuse_alcohol"),
        ("dast-10", dast([1, 2], item3="no"), "substance_misuse_drugs"),
        ("bjmhs", bjmhs(7), "mental_health"),
        ("bjmhs", bjmhs(), ""),
    ],
)
def test_score_positive_result_suggests_need(slug, answers, need):
    """A positive result suggests the definition's vulnerability code; a negative one none."""
    assert score(slug, answers).suggests_need == need


@pytest.mark.parametrize(
    ("answers", "link_id", "message"),
    [
        ({"q1": "4"}, "q1", "'4' is not an answer option"),
        ({"q1": True}, "q1", "True is not an answer option"),
        ({"q99": "1"}, "q99", "'q99' is not a question in phq-9 v1"),
    ],
)
def test_score_invalid_answers_name_the_item(answers, link_id, message):
    """Unknown items and values that are not option codes are refused, naming the item."""
    with pytest.raises(scoring.InvalidAnswersError) as caught:
        score("phq-9", answers)

    assert message in caught.value.errors[link_id]


def test_score_choice_code_given_as_number_accepted():
    """A number given for a numeric option code (JSON ``2``) counts as the code ``"2"``."""
    result = score("phq-9", {f"q{n}": 2 for n in range(1, 10)})

    assert result.total == 18


@pytest.mark.parametrize(("value", "ok"), [(72, True), (19, False), (251, False), ("72", False)])
def test_score_integer_item_checked_not_scored(value, ok):
    """CIWA-Ar pulse is a whole number within its limits, recorded but not scored."""
    answers = items([0] * 10) | {"pulse": value}

    if ok:
        assert score("ciwa-ar", answers).item_scores.get("pulse") is None
    else:
        with pytest.raises(scoring.InvalidAnswersError, match="pulse"):
            score("ciwa-ar", answers)


def test_band_for_prorated_total_between_bands_is_lower_band():
    """A prorated total between one band's max and the next band's min is in the lower band."""
    test = minimal()

    result = scoring.score(test, {"q1": "3", "q2": "2", "q3": "3"})

    assert result.total == Decimal("10.7")
    assert result.band == "low"


def test_score_registered_rules():
    """The engine has the shared sum, the prorated sum and the BJMHS rule."""
    assert scoring.rule_names() == ["bjmhs", "prorated_sum", "sum"]


def test_register_duplicate_name_refused():
    """Two scoring functions cannot share a name."""
    with pytest.raises(ValueError, match="already registered"):
        scoring.register("sum")(scoring.sum_scores)


def test_result_as_dict_json_ready():
    """The JSON form gives whole totals as integers and decimals as numbers."""
    whole = score("phq-9", items([1] * 9)).as_dict()
    prorated = score("core-10", core10([1, 0, 4, 2, 2, 0, 3, 1, 2, None])).as_dict()

    assert (whole["total"], whole["band"], whole["complete"]) == (9, "mild", True)
    assert (prorated["total"], prorated["prorated"], prorated["missing"]) == (16.7, True, ["q10"])
