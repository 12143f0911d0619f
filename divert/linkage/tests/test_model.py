"""Fellegi-Sunter scoring, deterministic rules, thresholds and estimation."""

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from divert.linkage import model as scoring
from divert.linkage.compare import COMPARISONS, INDEX, RecordTable, compare_pairs
from divert.linkage.normalise import normalise_record


@pytest.fixture(scope="module")
def shipped():
    return scoring.Model.load()


def levels(**named):
    """One pair's levels, 'missing' except where named."""
    row = [c.missing for c in COMPARISONS]
    for name, level in named.items():
        row[INDEX[name]] = COMPARISONS[INDEX[name]].level(level)
    return np.array([row], dtype=np.int8)


def test_level_weights_never_rise_down_the_list(shipped):
    """Each level weighs no more than the level above it; missing weighs nothing."""
    for name, weights in shipped.level_weights().items():
        assert all(np.diff(weights[:-1]) <= 1e-9), name
        assert weights[-1] == 0


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_raising_a_level_never_lowers_the_weight(data):
    """More agreement never lowers the match weight (property over all level vectors)."""
    model = scoring.Model.load()
    row = [data.draw(st.integers(0, len(c.levels) - 2)) for c in COMPARISONS]
    which = data.draw(st.integers(0, len(COMPARISONS) - 1))
    stronger = list(row)
    stronger[which] = data.draw(st.integers(0, row[which]))

    before = model.match_weights(np.array([row], dtype=np.int8))[0]
    after = model.match_weights(np.array([stronger], dtype=np.int8))[0]

    assert after >= before - 1e-9


def test_non_increasing_pools_out_of_order_levels():
    """Pool-adjacent-violators gives a non-increasing sequence, keeping ordered ones."""
    assert scoring._non_increasing(np.array([3.0, 2.0, 1.0]), np.ones(3)).tolist() == [3, 2, 1]
    pooled = scoring._non_increasing(np.array([1.0, 3.0, 0.0]), np.array([1.0, 1.0, 1.0]))
    assert pooled.tolist() == [2.0, 2.0, 0.0]


def test_decide_applies_thresholds():
    """At or above match is a match, at or above review is review, else non-match."""
    thresholds = scoring.Thresholds(match=10, review=0)
    weights = np.array([12.0, 10.0, 5.0, 0.0, -3.0])

    decision = scoring.decide(weights, np.zeros(5, dtype=np.int8), thresholds)

    assert [scoring.DECISIONS[d] for d in decision] == [
        "match",
        "match",
        "review",
        "review",
        "non-match",
    ]


def test_thresholds_refuse_review_above_match():
    """A review threshold above the match threshold is a configuration error."""
    with pytest.raises(ValueError, match="review threshold"):
        scoring.Thresholds(match=0, review=5)


def test_rule_same_nhs_number_is_a_match_whatever_the_weight():
    """The same valid NHS number is a match even with names that differ."""
    pair = levels(nhs_number="exact", given_name="different", date_of_birth="exact")

    rule = scoring.rules(pair)
    decision = scoring.decide(np.array([-50.0]), rule, scoring.Thresholds())

    assert rule[0] == scoring.RULE_NHS_SAME
    assert scoring.DECISIONS[decision[0]] == "match"


def test_rule_same_nhs_number_with_different_dates_goes_to_review():
    """The same NHS number with wholly different dates of birth goes to a person."""
    pair = levels(nhs_number="exact", date_of_birth="different")

    rule = scoring.rules(pair)
    decision = scoring.decide(np.array([50.0]), rule, scoring.Thresholds())

    assert rule[0] == scoring.RULE_NHS_SAME_DOB_DIFFERENT
    assert scoring.DECISIONS[decision[0]] == "review"


def test_rule_different_nhs_numbers_is_a_non_match_whatever_the_weight():
    """Two different valid NHS numbers are different people, however alike otherwise."""
    pair = levels(
        nhs_number="different", given_name="exact", family_name="exact", date_of_birth="exact"
    )

    decision = scoring.decide(np.array([80.0]), scoring.rules(pair), scoring.Thresholds())

    assert scoring.DECISIONS[decision[0]] == "non-match"


def test_rule_same_pnc_id_and_date_of_birth_is_a_match():
    """The same PNC ID and date of birth is a match."""
    pair = levels(pnc_id="exact", date_of_birth="swapped")

    decision = scoring.decide(np.array([-5.0]), scoring.rules(pair), scoring.Thresholds())

    assert scoring.DECISIONS[decision[0]] == "match"


@pytest.mark.parametrize(
    "names", [{"given_name": "different"}, {"given_name": "similar"}, {"family_name": "different"}]
)
def test_guard_caps_name_disagreement_at_review(names):
    """Without an identifier in common, a disagreeing name caps the decision at review."""
    pair = levels(date_of_birth="exact", address="postcode_address", **names)

    decision = scoring.decide(np.array([40.0]), scoring.rules(pair), scoring.Thresholds())

    assert scoring.DECISIONS[decision[0]] == "review"


def test_term_frequency_common_whole_name_counts_for_less(shipped):
    """An exact match on a common whole name weighs less than on a rare one."""
    pair = levels(given_name="exact", family_name="exact")
    common = shipped.match_weights(
        pair,
        given_frequency=np.array([0.01]),
        family_frequency=np.array([0.01]),
        full_name_frequency=np.array([0.005]),
    )
    rare = shipped.match_weights(
        pair,
        given_frequency=np.array([0.001]),
        family_frequency=np.array([0.0001]),
        full_name_frequency=np.array([0.00001]),
    )

    assert common[0] < rare[0]


def test_term_frequency_applies_to_swapped_names(shipped):
    """A swapped common name is weighed down by its frequency, as an exact one is."""
    pair = levels(given_name="swapped", family_name="swapped")
    common = shipped.match_weights(
        pair,
        given_frequency=np.array([0.01]),
        family_frequency=np.array([0.01]),
        full_name_frequency=np.array([0.005]),
    )
    plain = shipped.match_weights(pair)

    assert common[0] < plain[0]


def test_term_frequency_misspelt_common_name_weighs_no_more_than_exact(shipped):
    """A common family name misspelt ("Alyi" for "Ali") never outweighs it spelt right."""
    frequencies = {
        "given_frequency": np.array([0.0001]),
        "family_frequency": np.array([0.02]),
    }
    exact = shipped.match_weights(levels(given_name="exact", family_name="exact"), **frequencies)
    close = shipped.match_weights(levels(given_name="exact", family_name="close"), **frequencies)

    assert close[0] <= exact[0]


def test_term_frequency_misspelt_common_whole_name_weighs_no_more_than_exact(shipped):
    """ "Mohammed Alyi" against "Mohammed Ali" (a common whole name) weighs no more than an
    exact "Mohammed Ali"."""
    frequencies = {
        "given_frequency": np.array([0.001]),
        "family_frequency": np.array([0.001]),
        "full_name_frequency": np.array([0.001]),
    }
    exact = shipped.match_weights(levels(given_name="exact", family_name="exact"), **frequencies)
    close = shipped.match_weights(levels(given_name="exact", family_name="close"), **frequencies)

    assert close[0] <= exact[0]


def test_name_frequencies_count_either_order_as_one_name():
    """ "Smith John" and "John Smith" share one whole-name frequency."""
    rows = [("John", "Smith"), ("Smith", "John"), ("John", "Smith"), ("Ann", "Jones")]
    table = RecordTable(
        [
            normalise_record({"record_id": str(k), "given_name": g, "family_name": f})
            for k, (g, f) in enumerate(rows)
        ]
    )

    whole = table.name_frequencies()[2]

    assert whole.tolist() == [0.75, 0.75, 0.75, 0.25]


def test_model_round_trips_through_json(shipped, tmp_path):
    """Saved parameters load back unchanged."""
    path = tmp_path / "model.json"

    shipped.save(path)
    loaded = scoring.Model.load(path)

    assert loaded.thresholds == shipped.thresholds
    for c in COMPARISONS:
        assert np.allclose(loaded.m[c.name], shipped.m[c.name])


def test_model_refuses_parameters_for_other_levels(shipped):
    """Parameters written for different comparison levels are refused."""
    data = shipped.to_dict()
    data["comparisons"]["address"]["levels"] = ["exact"]

    with pytest.raises(ValueError, match="address"):
        scoring.Model.from_dict(data)


def test_prior_for_scales_with_file_size(shipped):
    """A bigger file has a smaller chance that two random records match."""
    assert shipped.prior_for(100_000) < shipped.prior_for(1000)


def test_fit_learns_sensible_parameters():
    """EM on generated records learns that true matches mostly agree and non-matches not."""
    from divert.linkage import blocking, evaluation
    from divert.linkage.dedupe import normalise_rows

    dataset = evaluation.generate(3000, seed=5)
    records, _ = normalise_rows(dataset.rows)
    table = RecordTable(records)
    i, j = blocking.candidate_pairs(records)

    fitted, report = scoring.fit(table, compare_pairs(table, i, j), random_pairs=100_000)

    exact = COMPARISONS[INDEX["date_of_birth"]].level("exact")
    assert fitted.m["date_of_birth"][exact] > 0.6
    assert fitted.u["date_of_birth"][exact] < 0.001
    assert 0 < fitted.prior < 0.01
    assert report.em_iterations > 0


def test_estimate_m_on_patterns_equals_estimate_m_on_every_pair(shipped):
    """EM over distinct level patterns weighted by their counts gives the same m."""
    rng = np.random.default_rng(3)
    levels = np.column_stack(
        [rng.integers(0, len(c.levels), size=5000) for c in COMPARISONS]
    ).astype(np.int8)

    every, share_every, _ = scoring.estimate_m(levels, shipped.u, iterations=20)
    unique, counts = scoring.patterns(levels)
    grouped, share_grouped, _ = scoring.estimate_m(unique, shipped.u, iterations=20, counts=counts)

    assert len(unique) < len(levels)
    assert share_grouped == pytest.approx(share_every)
    for c in COMPARISONS:
        assert np.allclose(grouped[c.name], every[c.name])


def test_fit_takes_duplicates_out_of_u():
    """u comes from random pairs less the ones that are one person: in a small file many
    random pairs are duplicates, and counting them would make an exact date of birth look
    common among different people (the cause of lower recall on smaller files)."""
    from divert.linkage import blocking, evaluation
    from divert.linkage.dedupe import normalise_rows

    dataset = evaluation.generate(3000, seed=5)
    records, _ = normalise_rows(dataset.rows)
    table = RecordTable(records)
    i, j = blocking.candidate_pairs(records)
    exact = COMPARISONS[INDEX["date_of_birth"]].level("exact")
    one_date_in = 1 / (59 * 365.25)  # dates of birth are uniform over 59 years

    raw, _ = scoring.estimate_u(table, pairs=200_000)
    fitted, _ = scoring.fit(table, compare_pairs(table, i, j), random_pairs=200_000)

    assert raw["date_of_birth"][exact] > 5 * one_date_in
    assert fitted.u["date_of_birth"][exact] < 3 * one_date_in


def test_u_from_levels_leaves_out_pairs_that_match():
    """A random pair with no chance of being two people adds nothing to u."""
    exact = levels(given_name="exact", family_name="exact", date_of_birth="exact")
    different = levels(given_name="different", family_name="different", date_of_birth="different")
    both = np.vstack([exact, different, different, different])

    u = scoring.u_from_levels(both, np.array([0.0, 1.0, 1.0, 1.0]))
    counted = scoring.u_from_levels(both)

    assert u["date_of_birth"][0] < counted["date_of_birth"][0] / 2
    assert u["given_name"][0] < counted["given_name"][0] / 2


def test_match_posterior_rises_with_agreement(shipped):
    """The probability of a match rises as the evidence does, and with the prior."""
    weak = levels(given_name="exact", family_name="exact")
    strong = levels(given_name="exact", family_name="exact", date_of_birth="exact")

    low = scoring.match_posterior(weak, shipped.m, shipped.u, 1e-4)[0]
    high = scoring.match_posterior(strong, shipped.m, shipped.u, 1e-4)[0]
    higher_prior = scoring.match_posterior(weak, shipped.m, shipped.u, 1e-2)[0]

    assert 0 < low < high < 1
    assert low < higher_prior


def test_household_address_u_is_the_share_among_people_with_one_family_name():
    """Agreeing address levels take the larger of random-pair u and the share among
    different people with the same family name; the levels still sum to one."""
    u_random = np.array([1e-7, 1e-6, 1e-5, 0.02, 0.98 - 1.11e-5])
    same_postcode = levels(family_name="exact", address="postcode_address")
    elsewhere = levels(family_name="exact", address="different")
    blocked = np.vstack([same_postcode, elsewhere])

    u = scoring.household_address_u(u_random, blocked, np.array([30.0, 5.0]), pairs=10_000)

    assert u[0] == pytest.approx(30 / 10_000, rel=1e-3)
    assert u[1:4] == pytest.approx(u_random[1:4], rel=1e-2)
    assert u.sum() == pytest.approx(1.0)
    assert all(u[:4] >= u_random[:4] * 0.99)


def test_household_address_u_makes_a_shared_address_worth_less_than_random_pairs_say():
    """Siblings share a family name and an address, so a fitted model weighs a shared
    address by how often different people with one family name share it."""
    from divert.linkage import blocking, evaluation
    from divert.linkage.dedupe import normalise_rows

    dataset = evaluation.generate(5000, seed=7)
    records, _ = normalise_rows(dataset.rows)
    table = RecordTable(records)
    i, j = blocking.candidate_pairs(records)
    raw, _ = scoring.estimate_u(table, pairs=200_000)

    fitted, _ = scoring.fit(table, compare_pairs(table, i, j), random_pairs=200_000)

    assert fitted.u["address"][0] > 3 * raw["address"][0]


def _table(rows):
    return RecordTable(
        [
            normalise_record(
                {"record_id": str(k), "given_name": g, "family_name": f, "date_of_birth": d}
            )
            for k, (g, f, d) in enumerate(rows)
        ]
    )


def test_name_frequencies_count_people_not_a_persons_own_records():
    """Five records of one Okonkwo make the name no commoner than one record would: each
    date of birth under a name is one person."""
    others = [("Ann", "Jones", f"1980-01-{day:02d}") for day in range(1, 6)]
    once = _table([("Ada", "Okonkwo", "1990-05-06"), *others])
    five = _table([("Ada", "Okonkwo", "1990-05-06")] * 5 + others)

    assert five.name_frequencies()[1][0] == pytest.approx(once.name_frequencies()[1][0])
    assert once.name_frequencies()[1][1] == pytest.approx(5 / 6)


def test_name_frequencies_for_pairs_leave_the_person_out():
    """With a typical u, a name only one person has counts as about typical whatever the
    size of the file, and a name many people have as common."""
    typical = 1 / 1000
    small = _table(
        [("Ada", "Okonkwo", "1990-05-06")]
        + [("Ann", "Jones", f"19{y}-02-03") for y in range(10, 60)]
    )
    large = _table(
        [("Ada", "Okonkwo", "1990-05-06")]
        + [("Ann", f"Jones{k}", f"19{y}-02-03") for k in range(10) for y in range(10, 60)]
    )

    small_family = small.name_frequencies((0.1, typical, 1e-4))[1]
    large_family = large.name_frequencies((0.1, typical, 1e-4))[1]

    assert small_family[0] == pytest.approx(typical, rel=0.06)
    assert large_family[0] == pytest.approx(typical, rel=0.5)
    assert small_family[1] > 10 * typical


def test_file_match_threshold_keeps_the_configured_threshold_for_few_pairs():
    """A handful of strong pairs expects far fewer than one wrong merge."""
    weights = np.array([12.0, 15.0, 20.0, 5.0])
    rule = np.zeros(4, dtype=np.int8)

    assert scoring.file_match_threshold(weights, rule, 11.0, 1.0) == 11.0


def test_file_match_threshold_rises_with_the_number_of_pairs():
    """Thousands of pairs just above the threshold would expect several wrong merges, so the
    threshold rises until the expected number is within the budget."""
    weights = np.concatenate([np.full(8000, 11.5), np.full(8000, 16.0)])
    rule = np.zeros(len(weights), dtype=np.int8)

    threshold = scoring.file_match_threshold(weights, rule, 11.0, 1.0)
    above = weights[weights >= threshold]

    assert 11.5 < threshold <= 16.0
    assert (1 / (1 + 2.0**above)).sum() <= 1.0


def test_file_match_threshold_is_higher_for_a_smaller_budget():
    """Asking for fewer expected wrong merges never lowers the threshold."""
    weights = np.random.default_rng(1).uniform(8, 25, size=20_000)
    rule = np.zeros(len(weights), dtype=np.int8)

    thresholds = [scoring.file_match_threshold(weights, rule, 11.0, b) for b in (4, 1, 0.25)]

    assert thresholds == sorted(thresholds)
    assert thresholds[-1] > thresholds[0]


def test_file_match_threshold_ignores_rule_decided_pairs():
    """Pairs a rule decides (the same NHS number) do not count towards the budget."""
    weights = np.full(10_000, 11.5)
    rule = np.full(len(weights), scoring.RULE_NHS_SAME, dtype=np.int8)

    assert scoring.file_match_threshold(weights, rule, 11.0, 1.0) == 11.0


@pytest.mark.parametrize(
    ("other", "expected"),
    [
        ({"address": "different"}, True),  # moved, or another person with the name and date
        ({}, True),  # one address missing (no fixed abode)
        ({"address": "district"}, False),  # the same postcode district corroborates
        ({"address": "postcode_address"}, False),
        ({"pnc_id": "exact", "address": "different"}, False),
        ({"nhs_number": "exact", "address": "different"}, False),  # a rule decides it
    ],
)
def test_uncorroborated_is_names_and_date_of_birth_alone(other, expected):
    """A pair is uncorroborated when only the names and date of birth agree: no identifier,
    and the addresses differ or one is missing."""
    pair = levels(given_name="exact", family_name="exact", date_of_birth="exact", **other)

    result = scoring.uncorroborated(pair, scoring.rules(pair))

    assert bool(result[0]) is expected


def test_weight_table_follows_changes_to_m_and_u():
    """The kept weight table is rebuilt when m or u change, replaced or edited in place."""
    model = scoring.Model.load()
    before = model.weight_table()
    assert model.weight_table() is before  # kept between calls

    model.u["given_name"] = model.u["given_name"] * 3
    replaced = model.weight_table()
    model.m["date_of_birth"][0] /= 3  # in place
    edited = model.weight_table()

    assert not np.array_equal(replaced, before)
    assert not np.array_equal(edited, replaced)
    # A new instance over the same m and u (nothing kept) computes the same table.
    assert np.array_equal(edited, dataclasses.replace(model).weight_table())


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(*(st.integers(0, len(c.levels) - 1) for c in COMPARISONS)), max_size=200))
def test_patterns_are_the_distinct_rows_with_their_counts(rows):
    """Each distinct row of levels once, with how often it occurs; sorted from the last column."""
    levels = np.array(rows, dtype=np.int8).reshape(-1, len(COMPARISONS))

    found, counts = scoring.patterns(levels)

    expected: dict[tuple[int, ...], int] = {}
    for row in rows:
        expected[row] = expected.get(row, 0) + 1
    assert {
        tuple(int(v) for v in row): int(n) for row, n in zip(found, counts, strict=True)
    } == expected
    assert len(found) == len(expected)
    assert [tuple(row[::-1]) for row in found.tolist()] == sorted(r[::-1] for r in expected)
