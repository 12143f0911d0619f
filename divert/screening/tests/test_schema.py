"""Instrument definitions: every shipped file is valid, and each kind of mistake is reported
with a message that names the item."""

import copy

import pytest
import yaml

from divert.core import codelists
from divert.screening import registry, scoring
from divert.screening.schema import DefinitionError, parse_definition
from divert.screening.tests.definitions import SHIPPED


def test_instruments_every_definition_valid():
    """Every shipped file loads, validates and sits at ``<slug>/v<version>.yaml``."""
    paths = sorted(registry.INSTRUMENTS_DIR.glob("*/v*.yaml"))

    loaded = [registry.load_file(path) for path in paths]

    assert sorted({item.definition.slug for item in loaded}) == SHIPPED
    for item in loaded:
        assert item.path.name == f"v{item.definition.version}.yaml"
        assert item.path.parent.name == item.definition.slug


@pytest.mark.parametrize("slug", SHIPPED)
def test_instruments_definition_rules_hold(slug):
    """Unique link_ids, enable_when on earlier items, registered scoring, scored options and
    a real vulnerability code hold for every shipped definition."""
    definition = registry.get(slug).definition

    link_ids = [item.link_id for item in definition.items]
    assert len(link_ids) == len(set(link_ids))
    for position, item in enumerate(definition.items):
        for condition in item.enable_when:
            assert condition.question in link_ids[:position]
        if item.is_scored:
            assert all(option.score is not None for option in item.options)
    assert scoring.rule(definition.scoring) is not None
    assert definition.suggests_need in {None, *codelists.codes("vulnerability")}


@pytest.mark.parametrize("slug", sorted(set(SHIPPED) - {"bjmhs", "core-10"}))
def test_instruments_bands_cover_possible_range(slug):
    """Bands run from the lowest to the highest possible score with no gaps or overlaps (BJMHS
    has a rule-based outcome and CORE-10 no confirmed cut-off, so neither has bands)."""
    definition = registry.get(slug).definition

    bands = sorted(definition.bands, key=lambda band: band.min)

    assert (bands[0].min, bands[-1].max) == scoring.possible_range(definition)
    assert all(after.min == before.max + 1 for before, after in zip(bands, bands[1:], strict=False))


def test_instruments_licences_recorded():
    """DAST-10 carries its non-commercial and attribution terms; CORE-10 version 1 ships no item
    text, and version 2 the form's own statements under CC BY-ND, with the reverse-keyed pair
    where the form has them."""
    dast = registry.get("dast-10").definition
    withheld = registry.get("core-10", version=1).definition
    core = registry.get("core-10").definition

    assert "non-commercial" in dast.licence_note
    assert "Skinner" in dast.licence_note
    assert withheld.wording == "withheld"
    assert all(
        item.text == f"Item {item.prefix} (see licensed CORE-10 form)" for item in withheld.items
    )
    assert (core.version, core.wording, core.licence) == (2, "published", "CC BY-ND 4.0")
    assert core.items[1].text == "I have felt I have someone to turn to for support when needed"
    assert [option.score for option in core.items[1].options] == [4, 3, 2, 1, 0]
    assert core.items[5].text == "I made plans to end my life"


def scoring_shape(definition):
    """Everything that decides a score: items, their rules, option codes and scores, bands."""
    items = [
        (
            item.link_id,
            item.type,
            item.prefix,
            item.required,
            item.is_scored,
            item.enable_when,
            item.enable_behavior,
            tuple((option.code, option.score) for option in item.options),
            (item.min_value, item.max_value),
        )
        for item in definition.items
    ]
    return items, definition.scoring, definition.bands, definition.flags


@pytest.mark.parametrize(
    ("slug", "version"), [("audit", 2), ("audit-c", 2), ("core-10", 2), ("ciwa-ar", 2)]
)
def test_instruments_wording_version_keeps_scoring(slug, version):
    """A version that only brings the published wording scores exactly as the one before it,
    so answers to either compare directly."""
    before = registry.get(slug, version - 1).definition
    after = registry.get(slug, version).definition

    assert after.wording == "published"
    assert scoring_shape(after) == scoring_shape(before)


def test_instruments_ciwa_ar_published_wording():
    """CIWA-Ar version 2 carries the form's prompts and anchors, with unlabelled points between
    anchors; version 1's shortened anchors stay as they were."""
    paraphrased = registry.get("ciwa-ar", version=1).definition
    ciwa = registry.get("ciwa-ar").definition
    items = {item.link_id: item for item in ciwa.items}

    assert (paraphrased.wording, ciwa.version, ciwa.wording) == ("paraphrased", 2, "published")
    assert (
        items["q1"].help_text
        == 'Ask "Do you feel sick to your stomach? Have you vomited?" Observation.'
    )
    assert [option.display for option in items["q1"].options[1:4]] == [
        "1 mild nausea with no vomiting",
        "2",
        "3",
    ]
    assert items["q4"].options[1].display == "1 mild anxious"
    assert items["q7"].options[0].display == "0 not present"
    assert items["q8"].options[1].display == "1 very mild sensitivity"
    assert items["q10"].options[4].display == "4 disoriented for place/or person"


def test_instruments_phq9_not_a_risk_prediction():
    """PHQ-9's description says it is not a suicide-risk prediction (NICE NG225)."""
    description = registry.get("phq-9").definition.description

    assert "not a suicide-risk prediction" in description
    assert "NG225" in description


def raw_phq9():
    path = registry.INSTRUMENTS_DIR / "phq-9" / "v1.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def item(raw, link_id):
    return next(entry for entry in raw["items"] if entry["link_id"] == link_id)


def duplicate_link_id(raw):
    item(raw, "q2")["link_id"] = "q1"


def enable_when_later(raw):
    item(raw, "q1")["enable_when"] = [{"question": "q2", "operator": "=", "answer": "1"}]


def enable_when_bad_code(raw):
    item(raw, "q2")["enable_when"] = [{"question": "q1", "operator": "=", "answer": "9"}]


def unregistered_scoring(raw):
    raw["scoring"] = "nope"


def option_without_score(raw):
    item(raw, "q3")["options"] = [dict(option) for option in item(raw, "q3")["options"]]
    del item(raw, "q3")["options"][1]["score"]


def band_gap(raw):
    raw["bands"][1]["min"] = 6


def band_overlap(raw):
    raw["bands"][1]["min"] = 4


def band_short(raw):
    raw["bands"][-1]["max"] = 26


def bad_need(raw):
    raw["suggests_need"] = "sadness"


def missing_text(raw):
    del item(raw, "q4")["text"]


def unknown_key(raw):
    item(raw, "q5")["colour"] = "blue"


def flag_unscored(raw):
    raw["flags"][0]["when_any"][0]["item"] = "q10"


def choice_one_option(raw):
    item(raw, "q6")["options"] = item(raw, "q6")["options"][:1]


def options_on_text(raw):
    item(raw, "q10")["type"] = "text"


BROKEN = [
    (duplicate_link_id, "item q1: link_id is used by more than one item"),
    (enable_when_later, "item q1: enable_when refers to 'q2', which is not an earlier item"),
    (enable_when_bad_code, "item q2: enable_when answer '9' is not an option code of q1"),
    (unregistered_scoring, "scoring: 'nope' is not a registered scoring function"),
    (option_without_score, "item q3: scored item has options without a score: 1"),
    (band_gap, "bands none_minimal and mild leave a gap between 4 and 6"),
    (band_overlap, "bands none_minimal and mild overlap"),
    (band_short, "the highest possible score is 27"),
    (bad_need, "suggests_need: 'sadness' is not a code in the vulnerability code list"),
    (missing_text, "item q4: text: Field required"),
    (unknown_key, "item q5: colour: Extra inputs are not permitted"),
    (flag_unscored, "flag phq9_item9_positive: item q10 is not scored"),
    (choice_one_option, "item q6: a choice item needs at least two options"),
    (options_on_text, "item q10: only choice items have options"),
]


@pytest.mark.parametrize(("breakage", "message"), BROKEN, ids=[b.__name__ for b, _ in BROKEN])
def test_parse_definition_errors_name_the_item(breakage, message):
    """Each kind of mistake is refused with a message that says where it is."""
    raw = copy.deepcopy(raw_phq9())
    breakage(raw)

    with pytest.raises(DefinitionError) as caught:
        parse_definition(raw)

    assert any(message in error for error in caught.value.errors), caught.value.errors


def test_parse_definition_reports_every_problem():
    """Several whole-definition problems are reported together, not one at a time."""
    raw = copy.deepcopy(raw_phq9())
    duplicate_link_id(raw)
    bad_need(raw)
    band_gap(raw)

    with pytest.raises(DefinitionError) as caught:
        parse_definition(raw)

    assert len(caught.value.errors) == 3


def test_parse_definition_not_a_mapping_refused():
    """A file that is not a mapping (for example a list) is refused."""
    with pytest.raises(DefinitionError, match="mapping"):
        parse_definition(["slug", "phq-9"])


def test_parse_definition_bjmhs_rule_needs_its_items():
    """The BJMHS rule refuses a definition missing the items it reads."""
    raw = yaml.safe_load((registry.INSTRUMENTS_DIR / "bjmhs" / "v1.yaml").read_text())
    raw["items"] = [entry for entry in raw["items"] if entry["link_id"] not in {"q8"}]

    with pytest.raises(DefinitionError) as caught:
        parse_definition(raw)

    assert "item q8: scoring 'bjmhs' needs this item" in caught.value.errors


def test_parse_definition_stored_json_round_trips():
    """The JSON stored in ``InstrumentVersion.definition`` parses back to the same definition."""
    loaded = registry.get("audit")

    assert parse_definition(loaded.as_json()) == loaded.definition
