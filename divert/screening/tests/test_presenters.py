"""Which questions the answer page shows: every item the answers so far do not rule out."""

import itertools

import pytest

from divert.screening import registry, scoring
from divert.screening.presenters import shown_items


def shown(slug, answers):
    return [item.link_id for item in shown_items(registry.get(slug).definition, answers)]


AUDIT_ALL = [f"q{n}" for n in range(1, 11)]


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({}, AUDIT_ALL),
        ({"q1": "0"}, ["q1", "q9", "q10"]),
        ({"q1": "2"}, AUDIT_ALL),
        ({"q1": "2", "q2": "0", "q3": "0"}, ["q1", "q2", "q3", "q9", "q10"]),
        ({"q1": "2", "q2": "0"}, AUDIT_ALL),  # question 3 may still bring 4 to 8 in
        ({"q1": "2", "q2": "1"}, AUDIT_ALL),
        # Question 1 unanswered: 2 and 3 "not known yet", but both at zero rule 4 to 8 out.
        ({"q2": "0", "q3": "0"}, ["q1", "q2", "q3", "q9", "q10"]),
        ({"q2": "3"}, AUDIT_ALL),
    ],
)
def test_shown_items_audit_skip_rule(answers, expected):
    """AUDIT keeps a question on the page until the answers so far rule it out."""
    assert shown("audit", answers) == expected


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({}, ["q1", "q2", "q3", "q4"]),
        ({"q1": "0"}, ["q1"]),
        ({"q1": "1"}, ["q1", "q2", "q3", "q4"]),
        ({"q1": "3"}, ["q1"]),
    ],
)
def test_shown_items_fast_stop_rule(answers, expected):
    """FAST stops after question 1 when it is "Never" or weekly or more ("any" conditions)."""
    assert shown("fast", answers) == expected


def test_shown_items_bjmhs_follow_up_reason():
    """The BJMHS "other reason" shows until question 9 is answered "No"."""
    assert "q9_reason" in shown("bjmhs", {})
    assert "q9_reason" in shown("bjmhs", {"q9": "yes"})
    assert "q9_reason" not in shown("bjmhs", {"q9": "no"})


@pytest.mark.parametrize(
    ("q1", "q2", "q3"), list(itertools.product(["0", "1", "2", "3", "4"], repeat=3))
)
def test_shown_items_agree_with_the_engine_once_answered(q1, q2, q3):
    """With every controlling question answered, the page shows exactly the enabled items."""
    definition = registry.get("audit").definition
    answers = {"q1": q1, "q2": q2, "q3": q3}

    enabled = [item.link_id for item in scoring.enabled_items(definition, answers)]

    assert shown("audit", answers) == enabled
