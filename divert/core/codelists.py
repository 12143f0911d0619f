"""Code lists kept as versioned YAML data files in ``divert/core/codelists/``.

Models take their ``choices`` and check constraints from here, and a data migration loads the
same files into ``core.CodeList``/``core.Code`` so reports can join on them.
"""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

CODELIST_DIR = Path(__file__).resolve().parent / "codelists"


@dataclass(frozen=True)
class Code:
    code: str
    display: str
    group: str = ""
    description: str = ""
    applies_to: str = "any"


@dataclass(frozen=True)
class CodeList:
    slug: str
    version: str
    title: str
    source: str
    description: str
    codes: tuple[Code, ...]

    def display(self, code: str) -> str:
        for item in self.codes:
            if item.code == code:
                return item.display
        return code


@cache
def load(slug: str) -> CodeList:
    path = CODELIST_DIR / f"{slug}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    codes = tuple(
        Code(
            code=str(item["code"]),
            display=str(item["display"]),
            group=str(item.get("group", "")),
            description=str(item.get("description", "")),
            applies_to=str(item.get("applies_to", "any")),
        )
        for item in data["codes"]
    )
    return CodeList(
        slug=str(data["slug"]),
        version=str(data["version"]),
        title=str(data["title"]),
        source=str(data["source"]),
        description=str(data.get("description", "")),
        codes=codes,
    )


def all_slugs() -> list[str]:
    return sorted(path.stem for path in CODELIST_DIR.glob("*.yaml"))


def choices(slug: str) -> list[tuple[str, str]]:
    return [(item.code, item.display) for item in load(slug).codes]


def codes(slug: str) -> list[str]:
    return [item.code for item in load(slug).codes]


def display(slug: str, code: str | None) -> str:
    if not code:
        return ""
    return load(slug).display(code)
