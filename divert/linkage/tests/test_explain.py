"""Evidence in words, each with its weight."""

from divert.linkage import model as scoring
from divert.linkage.explain import explain
from divert.linkage.normalise import normalise_record


def texts(a_fields, b_fields):
    model = scoring.Model.load()
    a = normalise_record({"record_id": "a", **a_fields})
    b = normalise_record({"record_id": "b", **b_fields})
    return explain(a, b, model)


def test_explain_speaks_plainly():
    """Identifiers, short forms and swapped dates are described in a practitioner's words."""
    result = texts(
        {"given_name": "Daniel", "nhs_number": "9434765919", "date_of_birth": "1985-03-11"},
        {"given_name": "Danny", "nhs_number": "943 476 5919", "date_of_birth": "1985-11-03"},
    )
    sentences = [e.text for e in result.evidence]

    assert "NHS number matches" in sentences
    assert "Given name 'Danny' is a short form of 'Daniel'" in sentences
    assert any(s.startswith("Date of birth matches with day and month swapped") for s in sentences)
    assert result.decision == "match"
    assert result.rule == "The NHS numbers are the same"


def test_explain_weights_add_up_to_the_evidence():
    """Each piece of evidence carries the bits it adds; missing fields are left out."""
    result = texts(
        {"given_name": "Daniel", "family_name": "Okonkwo", "date_of_birth": "1985-03-11"},
        {"given_name": "Daniel", "family_name": "Smith", "date_of_birth": "1985-03-11"},
    )
    by_field = {e.field: e for e in result.evidence}

    assert set(by_field) == {"given_name", "family_name", "date_of_birth"}
    assert by_field["family_name"].weight < 0 < by_field["date_of_birth"].weight
    assert by_field["family_name"].text == "Family names 'Okonkwo' and 'Smith' are different"


def test_explain_names_a_placeholder_date():
    """A 1 January date is called out as a likely placeholder."""
    result = texts({"date_of_birth": "1985-01-01"}, {"date_of_birth": "1985-06-14"})

    assert "placeholder" in result.evidence[0].text
