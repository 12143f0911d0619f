"""Forms built from definitions: one field per item, enable_when honoured on the server, and
error messages that name the question."""

import pytest
from django import forms

from divert.screening import registry
from divert.screening.forms import form_class
from divert.screening.schema import parse_definition
from divert.screening.tests.definitions import minimal


def build(slug, data, **kwargs):
    return form_class(registry.get(slug).definition)(data=data, **kwargs)


def test_form_class_one_field_per_item():
    """Each item becomes a field named by its link_id; choice items are radios of the options."""
    form = build("phq-9", None)

    assert list(form.fields) == [f"q{n}" for n in range(1, 11)]
    q1 = form.fields["q1"]
    assert isinstance(q1, forms.ChoiceField)
    assert isinstance(q1.widget, forms.RadioSelect)
    assert q1.choices[0] == ("0", "Not at all")
    assert q1.label == "Little interest or pleasure in doing things"
    assert q1.prefix == "1"


def test_form_complete_answers_valid():
    """A full set of valid answers is valid and gives the answers to save."""
    data = {f"q{n}": "1" for n in range(1, 10)}

    form = build("phq-9", data)

    assert form.is_valid(), form.errors
    assert form.answers() == data


def test_form_missing_answer_names_the_question():
    """A missing required answer is an error that names the question."""
    data = {f"q{n}": "1" for n in range(1, 10) if n != 3}

    form = build("phq-9", data)

    assert not form.is_valid()
    assert form.errors["q3"] == [
        "Select an answer for question 3: Trouble falling or staying asleep, or sleeping too much"
    ]
    assert "q10" not in form.errors


def test_form_invalid_choice_names_the_question():
    """An answer that is not one of the options is an error that names the question."""
    data = {f"q{n}": "0" for n in range(1, 8)} | {"q2": "7"}

    form = build("gad-7", data)

    assert not form.is_valid()
    assert form.errors["q2"] == [
        "Select one of the answers listed for question 2: Not being able to stop or control "
        "worrying"
    ]


def test_form_audit_skipped_items_not_required_and_discarded():
    """AUDIT Q1 "never": Q2-8 are not required, and any answers to them are discarded."""
    data = {"q1": "0", "q4": "4", "q5": "banana", "q9": "no", "q10": "no"}

    form = build("audit", data)

    assert form.is_valid(), form.errors
    assert form.answers() == {"q1": "0", "q9": "no", "q10": "no"}
    assert form.enabled_link_ids() == {"q1", "q9", "q10"}


def test_form_audit_items_enabled_by_answers_required():
    """AUDIT Q2 above zero enables Q4-8, which are then required."""
    data = {"q1": "2", "q2": "1", "q3": "0", "q9": "no", "q10": "no"}

    form = build("audit", data)

    assert not form.is_valid()
    assert set(form.errors) == {"q4", "q5", "q6", "q7", "q8"}


@pytest.mark.parametrize(("q1", "valid"), [("0", True), ("4", True), ("1", False)])
def test_form_fast_stop_rules(q1, valid):
    """FAST stops after Q1 "never", "weekly" or "daily"; otherwise Q2-4 are required."""
    form = build("fast", {"q1": q1})

    assert form.is_valid() is valid


def test_form_partial_draft_allowed():
    """With ``require_complete=False`` a partial set of answers is valid (a saved draft)."""
    form = build("phq-9", {"q1": "2"}, require_complete=False)

    assert form.is_valid(), form.errors
    assert form.answers() == {"q1": "2"}


@pytest.mark.parametrize(
    ("pulse", "message"),
    [
        ("fast", "Enter a whole number for Pulse or heart rate"),
        ("300", "Enter 250 or less for Pulse or heart rate"),
        ("5", "Enter 20 or more for Pulse or heart rate"),
    ],
)
def test_form_integer_item_errors_name_the_question(pulse, message):
    """A whole-number item's errors name the question."""
    data = {f"q{n}": "0" for n in range(1, 11)} | {"pulse": pulse}

    form = build("ciwa-ar", data)

    assert not form.is_valid()
    assert form.errors["pulse"][0].startswith(message)


def test_form_text_item_only_when_enabled():
    """The BJMHS reason is kept when the practitioner refers, and dropped otherwise."""
    base = {f"q{n}": "no" for n in range(1, 10)}

    refer = build("bjmhs", base | {"q9": "yes", "q9_reason": "Withdrawn"})
    no_refer = build("bjmhs", base | {"q9_reason": "Withdrawn"})

    assert refer.is_valid()
    assert no_refer.is_valid()
    assert refer.answers()["q9_reason"] == "Withdrawn"
    assert "q9_reason" not in no_refer.answers()


def test_form_boolean_item_coerced():
    """A boolean item is a yes/no radio whose answer is True or False."""
    base = minimal().model_dump(mode="json")
    base["items"].append(
        {"link_id": "q5", "type": "boolean", "text": "Seen today", "required": True}
    )
    form_type = form_class(parse_definition(base))

    yes = form_type(data={"q1": "1", "q2": "1", "q3": "1", "q4": "1", "q5": "true"})
    missing = form_type(data={"q1": "1", "q2": "1", "q3": "1", "q4": "1"})

    assert yes.is_valid(), yes.errors
    assert yes.answers()["q5"] is True
    assert not missing.is_valid()
    assert missing.errors["q5"] == ["Select yes or no for Seen today"]
