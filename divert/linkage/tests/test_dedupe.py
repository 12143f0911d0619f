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


def test_dedupe_raises_the_match_threshold_for_a_large_file_only_when_asked():
    """The file's match threshold is never below the configured one, is reported, and is
    the configured one when no wrong-merge budget is given."""
    from divert.linkage import evaluation
    from divert.linkage import model as scoring

    rows = evaluation.generate(3000, seed=9).rows
    configured = scoring.Thresholds(match=11.0, review=0.0)

    budgeted = batch.dedupe(rows, progress=False, thresholds=configured)
    fixed = batch.dedupe(rows, progress=False, thresholds=configured, wrong_merge_budget=None)
    strict = batch.dedupe(rows, progress=False, thresholds=configured, wrong_merge_budget=0.01)

    assert fixed.match_threshold == 11.0
    assert 11.0 <= budgeted.match_threshold <= strict.match_threshold
    assert strict.match_threshold > 11.0
    assert strict.matches <= fixed.matches
    assert "Match threshold for this file: " in budgeted.summary()
