"""Display-ready values shared by several pages."""

from collections.abc import Iterable
from typing import Any

from divert.accounts.roles import ROLES, RoleName

SMALL_NUMBER_THRESHOLD = 5


def role_labels(user: Any) -> list[str]:
    return [ROLES[RoleName(name)].display_name for name in sorted(user.role_names)]


def suppressed(count: int, *, threshold: int = SMALL_NUMBER_THRESHOLD) -> str:
    """Counts from 1 to threshold-1 are shown as '<5' to anyone who sees suppressed reports."""
    if 0 < count < threshold:
        return f"<{threshold}"
    return str(count)


def site_counts(sites: Iterable[Any], *, suppress: bool) -> list[dict[str, str]]:
    return [
        {
            "site": site.name,
            "type": site.get_site_type_display(),
            "open": suppressed(site.open_count) if suppress else str(site.open_count),
        }
        for site in sites
    ]
