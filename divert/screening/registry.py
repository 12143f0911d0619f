"""Load instrument definitions from ``screening/instruments/<slug>/v<N>.yaml`` and publish them.

``sync_instruments`` copies every file into ``InstrumentVersion`` with the SHA-256 checksum of
the file's bytes. A published version never changes: a file whose checksum differs from the
published row is refused with ``PublishedVersionChangedError`` (add ``v<N+1>.yaml`` instead).
The data migration ``0003_load_instruments`` and ``divert instruments sync`` both call it; it is
safe to repeat.
"""

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.utils import timezone

from divert.screening.schema import Definition, DefinitionError, parse_definition

INSTRUMENTS_DIR = Path(__file__).resolve().parent / "instruments"
FILE_NAME = re.compile(r"^v(?P<version>[1-9][0-9]*)\.yaml$")

# The demo seed wrote stand-in rows before this engine existed (divert/nonprod/seed). A row
# carrying this note was never a published definition, so sync replaces it with the real one.
SEED_PLACEHOLDER_NOTE = "placeholder definition until the instrument engine issue lands"


class PublishedVersionChangedError(Exception):
    """A published definition's file changed. Published versions are immutable."""


@dataclass(frozen=True)
class LoadedDefinition:
    definition: Definition
    path: Path
    checksum: str

    def as_json(self) -> dict[str, Any]:
        """The definition as stored in ``InstrumentVersion.definition``."""
        return self.definition.model_dump(mode="json", exclude_none=True)


def checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_file(path: Path) -> LoadedDefinition:
    """Read and validate one file; ``DefinitionError`` lists every problem."""
    data = path.read_bytes()
    try:
        raw = yaml.safe_load(data)
    except yaml.YAMLError as exc:
        raise DefinitionError([f"not valid YAML: {exc}"], str(path)) from None
    definition = parse_definition(raw, str(path))
    problems = _path_problems(definition, path)
    if problems:
        raise DefinitionError(problems, str(path))
    return LoadedDefinition(definition, path, checksum(data))


def _path_problems(definition: Definition, path: Path) -> list[str]:
    """A file inside the instruments folder must live at ``<slug>/v<version>.yaml``."""
    try:
        path.resolve().relative_to(INSTRUMENTS_DIR)
    except ValueError:
        return []
    expected = f"{definition.slug}/v{definition.version}.yaml"
    actual = f"{path.parent.name}/{path.name}"
    if actual != expected:
        return [f"file is {actual} but slug and version say {expected}"]
    return []


@cache
def load_all() -> tuple[LoadedDefinition, ...]:
    """Every definition file, ordered by slug then version."""
    loaded = []
    for path in INSTRUMENTS_DIR.glob("*/v*.yaml"):
        if FILE_NAME.match(path.name):
            loaded.append(load_file(path))
    return tuple(sorted(loaded, key=lambda item: (item.definition.slug, item.definition.version)))


def slugs() -> list[str]:
    return sorted({item.definition.slug for item in load_all()})


def get(slug: str, version: int | None = None) -> LoadedDefinition:
    """One definition; the latest version when ``version`` is None. ``KeyError`` if unknown."""
    matches = [item for item in load_all() if item.definition.slug == slug]
    if version is not None:
        matches = [item for item in matches if item.definition.version == version]
    if not matches:
        wanted = f"{slug} v{version}" if version is not None else slug
        raise KeyError(f"no instrument definition {wanted!r} (known: {', '.join(slugs())})")
    return matches[-1]


def definition_of(instrument_version: Any) -> Definition:
    """The definition an ``InstrumentVersion`` row published: the exact version used."""
    return parse_definition(instrument_version.definition, str(instrument_version))


def sync_instruments(
    apps: Any = None,
    schema_editor: Any = None,
    *,
    definitions: Sequence[LoadedDefinition] | None = None,
) -> dict[str, list[str]]:
    """Publish each file not yet published; refuse any published file that has changed.

    Called with the migration's ``apps`` from ``0003_load_instruments``, or with nothing from code
    and ``divert instruments sync``. ``definitions`` defaults to every file. Returns the
    ``slug vN`` labels created, replaced (demo-seed placeholders) and unchanged.
    """
    if apps is None:
        from divert.screening.models import InstrumentVersion

        model: Any = InstrumentVersion
    else:
        model = apps.get_model("screening", "InstrumentVersion")
    report: dict[str, list[str]] = {"created": [], "replaced": [], "unchanged": []}
    now = timezone.now()
    for loaded in load_all() if definitions is None else definitions:
        definition = loaded.definition
        fields = {
            "title": definition.title,
            "checksum": loaded.checksum,
            "definition": loaded.as_json(),
            "licence_note": definition.licence_note,
        }
        row = model.objects.filter(slug=definition.slug, version=definition.version).first()
        if row is None:
            model.objects.create(
                slug=definition.slug, version=definition.version, published_at=now, **fields
            )
            report["created"].append(definition.label)
        elif row.checksum == loaded.checksum:
            report["unchanged"].append(definition.label)
        elif isinstance(row.definition, dict) and (
            row.definition.get("note") == SEED_PLACEHOLDER_NOTE
        ):
            for name, value in fields.items():
                setattr(row, name, value)
            row.published_at = now
            row.save()
            report["replaced"].append(definition.label)
        else:
            raise PublishedVersionChangedError(
                f"{definition.label} ({loaded.path.name}): published version changed: "
                f"add v{definition.version + 1} instead. The file's checksum is "
                f"{loaded.checksum}; the published checksum is {row.checksum}."
            )
    return report
