"""Publishing definitions: checksums of the file bytes, idempotent sync, immutable versions."""

import dataclasses
import hashlib
import shutil

import pytest
from django.utils import timezone

from divert.screening import registry
from divert.screening.models import InstrumentVersion
from divert.screening.schema import DefinitionError

pytestmark = pytest.mark.django_db


def test_sync_instruments_publishes_every_file():
    """On an empty table, sync publishes each file with the SHA-256 of its bytes."""
    InstrumentVersion.objects.all().delete()

    report = registry.sync_instruments()

    rows = {row.slug: row for row in InstrumentVersion.objects.all()}
    assert len(report["created"]) == len(registry.load_all()) == InstrumentVersion.objects.count()
    assert len(rows) == 10
    phq9 = rows["phq-9"]
    file_bytes = (registry.INSTRUMENTS_DIR / "phq-9" / "v1.yaml").read_bytes()
    assert phq9.checksum == hashlib.sha256(file_bytes).hexdigest()
    assert phq9.version == 1
    assert phq9.title == "Patient Health Questionnaire (PHQ-9)"
    assert "Pfizer" in phq9.licence_note
    assert registry.definition_of(phq9) == registry.get("phq-9").definition


def test_sync_instruments_repeat_changes_nothing(published):
    """Syncing again leaves published rows as they are (the data migration is idempotent)."""
    before = list(InstrumentVersion.objects.values_list("pk", "checksum", "published_at"))

    report = registry.sync_instruments()

    assert report["created"] == report["replaced"] == []
    assert len(report["unchanged"]) == len(registry.load_all())
    assert list(InstrumentVersion.objects.values_list("pk", "checksum", "published_at")) == before


def test_sync_instruments_edited_published_version_refused(published):
    """A published version whose file changed is refused: add a new version instead."""
    edited = dataclasses.replace(registry.get("gad-7"), checksum="f" * 64)

    with pytest.raises(registry.PublishedVersionChangedError) as caught:
        registry.sync_instruments(definitions=[edited])

    assert "gad-7 v1" in str(caught.value)
    assert "published version changed: add v2 instead" in str(caught.value)
    assert InstrumentVersion.objects.get(slug="gad-7").checksum != "f" * 64


def test_sync_instruments_replaces_demo_seed_placeholder():
    """A demo-seed placeholder row (never a published definition) gives way to the real one."""
    InstrumentVersion.objects.filter(slug="bjmhs").delete()
    placeholder = InstrumentVersion.objects.create(
        slug="bjmhs",
        version=1,
        title="Placeholder",
        checksum="0" * 64,
        definition={"note": registry.SEED_PLACEHOLDER_NOTE, "items": []},
        published_at=timezone.now(),
    )

    report = registry.sync_instruments()

    placeholder.refresh_from_db()
    assert report["replaced"] == ["bjmhs v1"]
    assert placeholder.checksum == registry.get("bjmhs").checksum
    assert registry.definition_of(placeholder).scoring == "bjmhs"


def test_load_file_misplaced_file_refused(tmp_path, monkeypatch):
    """Inside the instruments folder a file must be at ``<slug>/v<version>.yaml``."""
    monkeypatch.setattr(registry, "INSTRUMENTS_DIR", tmp_path)
    (tmp_path / "phq-9").mkdir()
    misplaced = tmp_path / "phq-9" / "v2.yaml"
    shutil.copy(registry.get("phq-9").path, misplaced)

    with pytest.raises(DefinitionError, match=r"file is phq-9/v2.yaml but slug and version say"):
        registry.load_file(misplaced)


def test_load_file_invalid_yaml_refused(tmp_path):
    """A file that is not YAML is refused with the parser's message."""
    broken = tmp_path / "v1.yaml"
    broken.write_text("slug: [unclosed\n", encoding="utf-8")

    with pytest.raises(DefinitionError, match="not valid YAML"):
        registry.load_file(broken)


def test_get_unknown_instrument_refused():
    """Asking for an instrument or version that has no file is a ``KeyError`` naming it."""
    with pytest.raises(KeyError, match="ldsq"):
        registry.get("ldsq")
    with pytest.raises(KeyError, match="phq-9 v2"):
        registry.get("phq-9", 2)
