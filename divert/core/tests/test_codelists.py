"""Code list files are valid data, hold the national codes, and are loaded into the database."""

from pathlib import Path

import pytest
import yaml
from django.apps import apps as django_apps

from divert.core import codelists
from divert.core.loading import sync_codelists
from divert.core.models import Code, CodeList

FILES = sorted(codelists.CODELIST_DIR.glob("*.yaml"))

REQUIRED_VULNERABILITIES = {
    "mental_health",
    "learning_disability",
    "learning_difficulty",
    "autism",
    "adhd",
    "speech_language_communication",
    "substance_misuse_drugs",
    "substance_misuse_alcohol",
    "suicide_self_harm",
    "personality_disorder",
    "trauma",
    "domestic_abuse",
    "safeguarding",
    "accommodation",
    "financial",
    "physical_health",
    "veteran",
}


def read(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_codelist_files_present():
    """The code list folder holds the lists the models depend on."""

    slugs = codelists.all_slugs()

    assert {"ethnic-category", "gender-identity", "referral-source", "vulnerability"} <= set(slugs)
    assert len(slugs) == len(FILES)


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.stem)
def test_codelist_file_well_formed(path):
    """Each file parses, is named after its slug, and has a version, title and source."""

    data = read(path)

    assert data["slug"] == path.stem
    assert isinstance(data["version"], str)
    assert data["version"].strip()
    assert str(data["title"]).strip()
    assert str(data["source"]).strip()
    assert data["codes"]


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.stem)
def test_codelist_file_codes_unique_with_display(path):
    """Every code is a non-empty quoted string, unique in its list, with display text."""

    codes = read(path)["codes"]

    values = [item["code"] for item in codes]
    assert all(isinstance(value, str) and value.strip() for value in values)
    assert len(values) == len(set(values))
    assert all(str(item.get("display", "")).strip() for item in codes)


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.stem)
def test_codelist_file_applies_to_known(path):
    """A code's optional 'applies_to' is youth, adult or any."""

    codes = read(path)["codes"]

    assert {item.get("applies_to", "any") for item in codes} <= {"youth", "adult", "any"}


def test_vulnerability_required_codes_present():
    """The vulnerability list holds every need the L&D service specification names."""

    codes = set(codelists.codes("vulnerability"))

    assert REQUIRED_VULNERABILITIES - codes == set()


def test_ethnic_category_codes_exact():
    """Ethnic category is the NHS Data Dictionary 2001-census list: A-H, J-N, P, R, S, Z, 99."""

    codes = codelists.codes("ethnic-category")

    assert sorted(codes) == sorted([*"ABCDEFGH", *"JKLMN", "P", "R", "S", "Z", "99"])


def test_gender_identity_codes_exact():
    """Gender identity is the MHSDS list 1, 2, 3, 4, X, Z."""

    codes = codelists.codes("gender-identity")

    assert sorted(codes) == sorted(["1", "2", "3", "4", "X", "Z"])


def test_referral_source_includes_justice_codes():
    """Source of referral includes the criminal justice codes E1 to E6."""

    codes = set(codelists.codes("referral-source"))

    assert {"E1", "E2", "E3", "E4", "E5", "E6"} <= codes


def test_codelist_display_unknown_code_falls_back():
    """An unknown code is shown as itself, and a missing code as nothing."""

    shown = (codelists.display("vulnerability", "zzz"), codelists.display("vulnerability", ""))

    assert shown == ("zzz", "")


@pytest.mark.django_db
def test_data_migration_loaded_every_file():
    """The data migration loaded each file's version with all its codes, in file order."""
    expected = {path.stem: read(path) for path in FILES}

    loaded = {code_list.slug: code_list for code_list in CodeList.objects.all()}

    assert set(loaded) == set(expected)
    for slug, data in expected.items():
        code_list = loaded[slug]
        assert code_list.version == data["version"]
        stored = list(code_list.entries.order_by("sort_order").values_list("code", flat=True))
        assert stored == [item["code"] for item in data["codes"]], slug


@pytest.mark.django_db
def test_sync_codelists_again_adds_nothing():
    """Running the loader again over loaded lists changes nothing (it is idempotent)."""
    before = (CodeList.objects.count(), Code.objects.count())

    sync_codelists(django_apps)

    assert (CodeList.objects.count(), Code.objects.count()) == before


@pytest.mark.django_db
def test_sync_codelists_reloads_missing_list():
    """A list version missing from the database is loaded with all its codes."""
    CodeList.objects.filter(slug="gender-identity").delete()

    sync_codelists(django_apps)

    code_list = CodeList.objects.get(slug="gender-identity")
    assert code_list.entries.count() == len(codelists.codes("gender-identity"))
