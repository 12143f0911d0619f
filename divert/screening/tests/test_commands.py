"""``divert instruments``: list, show, check, score and sync, with JSON output."""

import json
import shutil
from io import StringIO

import pytest
import yaml
from django.core.management import CommandError, call_command

from divert.screening import registry
from divert.screening.tests.definitions import SHIPPED


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("instruments", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(*args):
    err = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("instruments", *args, stdout=StringIO(), stderr=err)
    return str(caught.value), err.getvalue()


def test_instruments_list_every_definition():
    """``list`` prints every definition with its version, licence and checksum."""
    out, _ = run("list")

    listed = json.loads(out)
    assert sorted({entry["slug"] for entry in listed}) == SHIPPED
    assert [e["version"] for e in listed if e["slug"] == "audit"] == [1, 2]
    phq9 = next(entry for entry in listed if entry["slug"] == "phq-9")
    assert phq9["version"] == 1
    assert phq9["checksum"] == registry.get("phq-9").checksum
    assert phq9["file"] == "phq-9/v1.yaml"


def test_instruments_show_json():
    """``show SLUG --json`` prints the definition as stored, with its checksum."""
    out, _ = run("show", "dast-10", "--version", "1", "--json")

    shown = json.loads(out)
    assert shown["slug"] == "dast-10"
    assert shown["checksum"] == registry.get("dast-10").checksum
    assert shown["items"][2]["options"][1] == {"code": "no", "display": "No", "score": 1}


def test_instruments_show_fhir():
    """``show SLUG --fhir`` prints the FHIR Questionnaire."""
    out, _ = run("show", "gad-7", "--fhir")

    assert json.loads(out)["resourceType"] == "Questionnaire"


def test_instruments_show_text():
    """``show SLUG`` prints a readable summary with the licence, bands and items."""
    out, _ = run("show", "cage")

    assert "CAGE questionnaire (alcohol) (cage v1)" in out
    assert "band 2-4: At or above cut-off" in out
    assert "q4: Have you ever had a drink first thing in the morning" in out


def test_instruments_show_unknown_refused():
    """An unknown instrument is an error naming it."""
    message, _ = run_failing("show", "ldsq")

    assert "ldsq" in message


def test_instruments_check_valid_file():
    """``check FILE`` on a valid file prints its slug, version and checksum."""
    path = registry.get("audit", 1).path

    out, _ = run("check", str(path))

    assert json.loads(out) == {
        "file": str(path),
        "valid": True,
        "slug": "audit",
        "version": 1,
        "items": 10,
        "checksum": registry.get("audit", 1).checksum,
    }


def test_instruments_check_invalid_file_prints_every_error(tmp_path):
    """``check FILE`` prints every problem, each naming its item, and fails."""
    raw = yaml.safe_load(registry.get("phq-9").path.read_text(encoding="utf-8"))
    raw["items"][1]["link_id"] = "q1"
    raw["items"][3]["enable_when"] = [{"question": "q9", "operator": "=", "answer": "1"}]
    raw["scoring"] = "average"
    broken = tmp_path / "v1.yaml"
    broken.write_text(yaml.safe_dump(raw), encoding="utf-8")

    message, err = run_failing("check", str(broken))

    assert "3 problem(s)" in message
    assert f"{broken}: item q1: link_id is used by more than one item" in err
    assert "item q4: enable_when refers to 'q9', which is not an earlier item" in err
    assert "scoring: 'average' is not a registered scoring function" in err


def test_instruments_check_missing_file_refused(tmp_path):
    """``check`` on a path that is not a file fails."""
    message, _ = run_failing("check", str(tmp_path / "nope.yaml"))

    assert "no such file" in message


def test_instruments_score_prints_result():
    """``score SLUG --answers JSON`` prints total, band, outcome, flags, complete and missing."""
    answers = {f"q{n}": "0" for n in range(1, 9)} | {"q9": "1"}

    out, _ = run("score", "phq-9", "--answers", json.dumps(answers))

    result = json.loads(out)
    assert result["total"] == 1
    assert result["band"] == "none_minimal"
    assert result["outcome"] == "negative"
    assert [flag["code"] for flag in result["flags"]] == ["phq9_item9_positive"]
    assert result["complete"] is True
    assert result["missing"] == []


def test_instruments_score_incomplete_lists_missing():
    """Scoring incomplete answers prints no total and lists the missing items."""
    out, _ = run("score", "fast", "--version", "1", "--answers", '{"q1": "2", "q2": "1"}')

    result = json.loads(out)
    assert (result["total"], result["complete"], result["missing"]) == (None, False, ["q3", "q4"])


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ('{"q1": "7"}', "q1: '7' is not an answer option"),
        ('{"q11": "1"}', "q11: 'q11' is not a question in phq-9 v1"),
    ],
)
def test_instruments_score_invalid_answers_name_the_item(answers, expected):
    """Unknown link_ids and invalid option codes are refused, naming the item."""
    message, err = run_failing("score", "phq-9", "--answers", answers)

    assert "invalid answer" in message
    assert expected in err


@pytest.mark.parametrize(("answers", "expected"), [("{q1", "not valid JSON"), ("[1]", "object")])
def test_instruments_score_malformed_answers_refused(answers, expected):
    """``--answers`` must be a JSON object."""
    message, _ = run_failing("score", "phq-9", "--answers", answers)

    assert expected in message


@pytest.mark.django_db
def test_instruments_sync_reports_unchanged(published):
    """``sync`` on a published database changes nothing and says so."""
    out, _ = run("sync")

    assert len(json.loads(out)["unchanged"]) == len(registry.load_all()) > len(SHIPPED)


@pytest.mark.django_db
def test_instruments_sync_edited_version_refused(published, tmp_path, monkeypatch):
    """``sync`` refuses a published version whose file was edited."""
    copy = tmp_path / "cage"
    shutil.copytree(registry.get("cage").path.parent, copy)
    (copy / "v1.yaml").write_text(
        (copy / "v1.yaml").read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8"
    )
    monkeypatch.setattr(registry, "INSTRUMENTS_DIR", tmp_path)
    registry.load_all.cache_clear()

    try:
        message, _ = run_failing("sync")
    finally:
        registry.load_all.cache_clear()

    assert "cage v1 (v1.yaml): published version changed: add v2 instead" in message
