"""``divert people dedupe`` and ``divert people evaluate``."""

import csv
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

HEADER = "record_id,given_name,family_name,date_of_birth,nhs_number,pnc_id,address_line,postcode\n"
GOOD = HEADER + (
    "r1,Daniel,Okonkwo,1985-03-11,9434765919,,12 High Street,TS1 2AB\n"
    "r2,Danny,Okonkwo,1985-11-03,943 476 5919,,12 High St,TS1 2AB\n"
    "r3,Margaret,Featherstonehaugh,1962-07-30,,08/123456K,3 Mill Lane,LS6 1AA\n"
    "r4,Peggy,Featherstonehaugh,1962-07-30,,08/123456K,No fixed abode,\n"
    "r5,Sam,Tester,1990-05-17,4010232137,,,\n"
    "r6,Sam,Tester,1990-05-17,9434765919,,,\n"
)


def run(tmp_path, text, *extra):
    source = tmp_path / "in.csv"
    source.write_text(text, encoding="utf-8")
    output = tmp_path / "out.csv"
    stdout = io.StringIO()
    call_command("people", "dedupe", str(source), "--output", str(output), *extra, stdout=stdout)
    with output.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle)), stdout.getvalue()


def test_dedupe_writes_a_person_for_each_record(tmp_path):
    """Records of one person share an ID; IDs are numbered by first appearance."""
    rows, summary = run(tmp_path, GOOD)

    ids = {row["record_id"]: row["person_id"] for row in rows}
    assert [row["record_id"] for row in rows] == ["r1", "r2", "r3", "r4", "r5", "r6"]
    assert ids["r1"] == ids["r2"] == "P000001"
    assert ids["r3"] == ids["r4"] == "P000002"
    # Same name and date of birth, but two different valid NHS numbers: two people.
    assert ids["r5"] == "P000003"
    assert ids["r6"] == "P000004"
    assert "Records: 6" in summary
    assert "People found: 4" in summary
    assert "Pairs scored:" in summary
    assert "Seconds:" in summary


def test_dedupe_writes_pairs_when_asked(tmp_path):
    """--pairs lists the match and review pairs with their weights."""
    pairs = tmp_path / "pairs.csv"

    run(tmp_path, GOOD, "--pairs", str(pairs))

    with pairs.open(encoding="utf-8") as handle:
        listed = list(csv.DictReader(handle))
    assert {"r1", "r2"} == {listed[0]["record_id_1"], listed[0]["record_id_2"]} or any(
        {p["record_id_1"], p["record_id_2"]} == {"r1", "r2"} for p in listed
    )
    assert all(p["decision"] in {"match", "review"} for p in listed)


def test_dedupe_counts_invalid_identifiers_and_carries_on(tmp_path):
    """Invalid NHS numbers, PNC IDs and dates are counted and treated as missing."""
    text = HEADER + (
        "a,Ann,Lee,1985-02-30,9434765918,,,\n"
        "b,Ann,Lee,1985-02-03,1234567890,nonsense,,\n"
        "c,Bob,Ray,1970-01-01,,8/1K,,\n"
    )

    rows, summary = run(tmp_path, text)

    assert len(rows) == 3
    assert "date_of_birth 1, nhs_number 2, pnc_id 2" in summary


def test_dedupe_refuses_unknown_columns(tmp_path):
    """Unknown columns are named in the error."""
    with pytest.raises(CommandError, match="Unknown columns: shoe_size, colour"):
        run(tmp_path, "record_id,shoe_size,given_name,colour\n1,9,Ann,red\n")


def test_dedupe_refuses_a_file_without_record_id(tmp_path):
    """A file without a record_id column is refused."""
    with pytest.raises(CommandError, match="record_id column is missing"):
        run(tmp_path, "given_name,family_name\nAnn,Lee\n")


def test_dedupe_refuses_duplicate_record_ids_naming_lines(tmp_path):
    """Repeated record IDs are refused, naming the lines."""
    text = "record_id,given_name\nx,Ann\ny,Bob\nx,Cat\n"

    with pytest.raises(CommandError, match="'x' on lines 2, 4"):
        run(tmp_path, text)


def test_dedupe_refuses_a_missing_file(tmp_path):
    """A missing input file is reported, not a traceback."""
    with pytest.raises(CommandError, match="does not exist"):
        call_command("people", "dedupe", str(tmp_path / "nope.csv"), "--output", "x.csv")


def test_evaluate_prints_the_measures():
    """evaluate reports precision, recall, F1, wrong merges and lookup measures."""
    stdout = io.StringIO()

    call_command(
        "people", "evaluate", "--records", "600", "--seed", "3", "--lookups", "50", stdout=stdout
    )

    text = stdout.getvalue()
    for words in ("precision", "recall", "F1", "Wrong auto-merges", "top-1", "false-match"):
        assert words in text


def test_dedupe_corroborated_only_keeps_name_and_date_namesakes_apart(tmp_path):
    """--corroborated-only: two records alike only in name and date of birth (different
    addresses) get two person IDs and are written as a review pair; the summary says so."""
    source = (
        "record_id,given_name,family_name,date_of_birth,address_line,postcode\n"
        "a,Adam,Jones,1970-12-19,99 High Street,CV1 5DE\n"
        "b,Adam,Jones,1970-12-19,132 King Street,BB1 1FH\n"
    )
    pairs = tmp_path / "pairs.csv"

    merged, _ = run(tmp_path, source)
    strict, summary = run(tmp_path, source, "--corroborated-only", "--pairs", str(pairs))

    assert merged[0]["person_id"] == merged[1]["person_id"]
    assert strict[0]["person_id"] != strict[1]["person_id"]
    with pairs.open(encoding="utf-8") as handle:
        [pair] = list(csv.DictReader(handle))
    assert (pair["record_id_1"], pair["record_id_2"], pair["decision"]) == ("a", "b", "review")
    assert "not merged, listed for review (--corroborated-only)" in summary


def test_evaluate_corroborated_only_makes_no_wrong_merge():
    """evaluate --corroborated-only says so and merges no two true people."""
    stdout = io.StringIO()

    call_command(
        "people",
        "evaluate",
        "--records",
        "2000",
        "--seed",
        "5",
        "--lookups",
        "20",
        "--corroborated-only",
        stdout=stdout,
    )

    text = stdout.getvalue()
    assert "(corroborated merges only)" in text
    assert "Wrong auto-merges (two true people in one cluster): 0" in text


def test_dedupe_lists_a_refused_join_for_review(tmp_path, monkeypatch):
    """A match pair whose join the clustering guards refused is written as "review", with
    the reason, not as a match."""
    import numpy as np

    from divert.linkage import dedupe as batch

    real_cluster = batch.cluster

    def refusing_every_match(table, scored, **options):
        roots, _ = real_cluster(table, scored, **options)
        return roots, np.nonzero(scored.decision == 0)[0]

    monkeypatch.setattr(batch, "cluster", refusing_every_match)
    pairs = tmp_path / "pairs.csv"

    run(tmp_path, GOOD, "--pairs", str(pairs))

    with pairs.open(encoding="utf-8") as handle:
        listed = list(csv.DictReader(handle))
    assert listed
    assert all(p["decision"] == "review" for p in listed)
    assert any(p["rule"] == batch.REFUSED_JOIN for p in listed)
