"""Batch de-duplication: clustering and its guards."""

from divert.linkage import dedupe as batch

PLACE = {"address_line": "12 High Street", "postcode": "TS1 2AB"}


def row(record_id, given, family, **fields):
    return {
        "record_id": record_id,
        "given_name": given,
        "family_name": family,
        "date_of_birth": "1990-05-17",
        **PLACE,
        **fields,
    }


def people(rows):
    result = batch.dedupe(rows, progress=False)
    return dict(zip(result.record_ids, result.person_ids, strict=True))


def test_cluster_never_joins_twins_through_a_shared_short_form():
    """Frederick and Alfred (twins) stay apart although "Fred" matches both."""
    ids = people(
        [
            row("f1", "Frederick", "Blackley"),
            row("f2", "Frederick", "Blackley"),
            row("a1", "Alfred", "Blackley"),
            row("x1", "Fred", "Blackley"),
        ]
    )

    assert ids["f1"] == ids["f2"]
    assert ids["f1"] != ids["a1"]


def test_cluster_joins_through_a_record_under_another_name():
    """A record under another name, tied by its NHS number, does not keep the person apart."""
    ids = people(
        [
            row("r1", "John", "Okonkwo", nhs_number="9434765919"),
            row("r2", "Kevin", "Featherstone", nhs_number="9434765919"),
            row("r3", "John", "Okonkwo"),
        ]
    )

    assert ids["r1"] == ids["r2"] == ids["r3"]
