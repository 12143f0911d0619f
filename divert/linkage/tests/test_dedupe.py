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


def _scored(pairs):
    """ScoredPairs from (i, j, weight, decision, levels by name) with the real rules."""
    import numpy as np

    from divert.linkage import model as scoring
    from divert.linkage.compare import COMPARISONS, INDEX

    rows = []
    for *_, named in pairs:
        levels = [c.missing for c in COMPARISONS]
        for name, level in named.items():
            levels[INDEX[name]] = COMPARISONS[INDEX[name]].level(level)
        rows.append(levels)
    levels = np.array(rows, dtype=np.int8)
    return batch.ScoredPairs(
        i=np.array([p[0] for p in pairs]),
        j=np.array([p[1] for p in pairs]),
        levels=levels,
        weights=np.array([p[2] for p in pairs], dtype=float),
        rule=scoring.rules(levels),
        decision=np.array([scoring.DECISIONS.index(p[3]) for p in pairs], dtype=np.int8),
    )


NAME_AND_DATE = {
    "given_name": "exact",
    "family_name": "exact",
    "date_of_birth": "exact",
    "address": "different",
}
SAME_PLACE = {**NAME_AND_DATE, "address": "postcode_address"}


def _table(count):
    from divert.linkage.compare import RecordTable
    from divert.linkage.normalise import normalise_record

    return RecordTable([normalise_record(row(f"r{n}", "Adam", "Jones")) for n in range(count)])


def test_cluster_refuses_a_name_and_date_join_against_a_non_match():
    """Records 1 and 2 (same address) are one person; record 0 shares only the name and date
    of birth with record 1 and is a non-match with record 2, so it is not joined, and the
    refused pair is returned for review."""
    scored = _scored(
        [
            (1, 2, 30.0, "match", SAME_PLACE),
            (0, 1, 15.0, "match", NAME_AND_DATE),
            (0, 2, -5.0, "non-match", {**NAME_AND_DATE, "date_of_birth": "different"}),
        ]
    )

    roots, refused = batch.cluster(_table(3), scored)

    assert roots[1] == roots[2]
    assert roots[0] != roots[1]
    assert refused.tolist() == [1]


def test_cluster_joins_a_name_and_date_pair_when_nothing_contradicts_it():
    """With no non-match across the two clusters, a name-and-date match still joins them
    (records of one person after a move)."""
    scored = _scored(
        [
            (1, 2, 30.0, "match", SAME_PLACE),
            (0, 1, 15.0, "match", NAME_AND_DATE),
            (0, 2, 5.0, "review", {**NAME_AND_DATE, "date_of_birth": "one_part"}),
        ]
    )

    roots, refused = batch.cluster(_table(3), scored)

    assert roots[0] == roots[1] == roots[2]
    assert len(refused) == 0


def test_cluster_lets_corroborated_evidence_join_against_a_non_match():
    """The non-match check is for name-and-date joins only: a pair that shares an address as
    well joins although another pair across the clusters is a non-match."""
    scored = _scored(
        [
            (1, 2, 30.0, "match", SAME_PLACE),
            (0, 1, 25.0, "match", SAME_PLACE),
            (0, 2, -5.0, "non-match", {**NAME_AND_DATE, "date_of_birth": "different"}),
        ]
    )

    roots, refused = batch.cluster(_table(3), scored)

    assert roots[0] == roots[1] == roots[2]
    assert len(refused) == 0


def test_cluster_corroborated_only_refuses_every_name_and_date_join():
    """With nothing across the clusters against it, a name-and-date match is still refused
    when only corroborated merges are allowed; an address shared joins as before."""
    scored = _scored(
        [
            (1, 2, 30.0, "match", SAME_PLACE),
            (0, 1, 15.0, "match", NAME_AND_DATE),
            (0, 2, 5.0, "review", {**NAME_AND_DATE, "date_of_birth": "one_part"}),
        ]
    )

    roots, refused = batch.cluster(_table(3), scored, corroborated_only=True)

    assert roots[1] == roots[2]
    assert roots[0] != roots[1]
    assert refused.tolist() == [1]


def test_dedupe_corroborated_only_lists_namesakes_for_review():
    """Two records alike in name and date of birth at different addresses: merged by
    default, listed for review with --corroborated-only (the summary says which)."""
    rows = [
        row("a", "Adam", "Jones"),
        row("b", "Adam", "Jones", address_line="4 Mill Lane", postcode="LS6 1AA"),
    ]

    merged = batch.dedupe(rows, progress=False)
    strict = batch.dedupe(rows, progress=False, corroborated_only=True)

    assert merged.people == 1
    assert strict.people == 2
    assert strict.review_pairs[0][:2] == ("a", "b")
    assert "not merged, listed for review" in strict.summary()


def test_dedupe_sends_refused_joins_to_review(monkeypatch):
    """A match whose join a guard refused is listed for review and counted in the reviews."""
    import numpy as np

    real_cluster = batch.cluster

    def refusing_the_first_match(table, scored, **options):
        roots, _ = real_cluster(table, scored, **options)
        return roots, np.nonzero(scored.decision == 0)[0][:1]

    monkeypatch.setattr(batch, "cluster", refusing_the_first_match)
    rows = [row("a", "Adam", "Jones"), row("b", "Adam", "Jones")]

    result = batch.dedupe(rows, progress=False)

    assert result.refused_joins == 1
    assert result.reviews == 1
    assert result.review_pairs[0][:2] == ("a", "b")
