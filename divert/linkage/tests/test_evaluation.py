"""The evaluation generator and its measures."""

from divert.linkage import dedupe as batch
from divert.linkage import evaluation
from divert.linkage.normalise import normalise_record


def test_generate_is_reproducible_by_seed():
    """The same seed gives the same records and truth; another seed does not."""
    first = evaluation.generate(500, seed=7, nhs_rate=0.3)
    again = evaluation.generate(500, seed=7, nhs_rate=0.3)
    other = evaluation.generate(500, seed=8, nhs_rate=0.3)

    assert first.rows == again.rows
    assert first.truth == again.truth
    assert first.rows != other.rows


def test_generate_gives_exactly_the_records_asked_for():
    """The number of records is exact and most people have one or two."""
    dataset = evaluation.generate(1000, seed=1)

    assert len(dataset.rows) == len(dataset.truth) == 1000
    assert len({row["record_id"] for row in dataset.rows}) == 1000


def test_generate_nhs_rate_zero_has_no_nhs_numbers():
    """With an NHS rate of 0 no record has an NHS number."""
    dataset = evaluation.generate(300, seed=1, nhs_rate=0.0)

    assert not any(row["nhs_number"] for row in dataset.rows)


def test_generated_nhs_numbers_mostly_valid():
    """NHS numbers pass Modulus 11 except the few deliberately transposed."""
    dataset = evaluation.generate(2000, seed=2, nhs_rate=1.0)
    records = [normalise_record(row) for row in dataset.rows]

    invalid = sum("nhs_number" in r.invalid for r in records)
    assert 0 < invalid < 0.06 * len(records)


def test_cluster_scores_pairwise():
    """Pairwise precision, recall and F1, and wrong merges, on a hand-worked example."""
    truth = ["a", "a", "a", "b", "c"]
    predicted = ["1", "1", "2", "2", "3"]

    scores = evaluation.cluster_scores(predicted, truth)

    # Predicted pairs: (0,1) right, (2,3) wrong; true pairs: (0,1), (0,2), (1,2).
    assert scores.precision == 0.5
    assert scores.recall == 1 / 3
    assert scores.wrong_merges == 1


def test_evaluate_small_run_has_no_wrong_auto_merges():
    """On a small generated file nothing of two true people is merged automatically."""
    result = evaluation.evaluate(2500, seed=4, lookups=100)

    assert result.clusters.wrong_merges == 0
    assert result.clusters.precision == 1.0
    assert result.clusters.recall > 0.5
    assert result.lookups.top1_accuracy > 0.8


def test_missed_pairs_accounts_for_every_true_pair_kept_apart():
    """Each true pair the clusters keep apart is counted in exactly one cause."""
    dataset = evaluation.generate(1500, seed=3, nhs_rate=0.0)
    result = batch.dedupe(dataset.rows, progress=False)
    scores = evaluation.cluster_scores(result.person_ids, dataset.truth)

    missed = evaluation.missed_pairs(dataset.truth, result)

    assert set(missed) <= set(evaluation.MISSED_CAUSES)
    kept_apart = round(scores.true_pairs * (1 - scores.recall))
    assert sum(missed.values()) == kept_apart > 0
