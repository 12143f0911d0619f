"""The sections a disclosure document may contain, and which of them a partner may read.

A consent decision's ``scope`` lists section codes; a partner sees only the sections that the
consent behind the disclosure covers. The document's ``content`` holds one text per section.
"""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Section:
    code: str
    title: str


SECTIONS: tuple[Section, ...] = (
    Section("summary", "Summary for the recipient"),
    Section("needs", "Needs and vulnerabilities"),
    Section("recommendations", "Recommendations"),
    Section("reasonable_adjustments", "Reasonable adjustments"),
    Section("risk_summary", "Risk summary"),
    Section("onward_referrals", "Support arranged"),
)
SECTION_CODES = frozenset(section.code for section in SECTIONS)


def visible_sections(
    content: dict[str, Any], *, scope: list[str] | None
) -> list[tuple[Section, str]]:
    """The document's sections a recipient may read, in a fixed order.

    ``scope`` None means no consent restriction applies (a disclosure on another lawful basis,
    approved as a whole by a team leader); otherwise only sections listed in ``scope``.
    """
    allowed = SECTION_CODES if scope is None else SECTION_CODES & set(scope)
    return [
        (section, str(content[section.code]))
        for section in SECTIONS
        if section.code in allowed and content.get(section.code)
    ]
