"""Display-ready values shared by several pages."""

from collections.abc import Iterable
from typing import Any

from django.conf import settings

from divert.accounts.roles import ROLES, RoleName


def role_labels(user: Any) -> list[str]:
    return [ROLES[RoleName(name)].display_name for name in sorted(user.role_names)]


def suppressed(count: int, *, threshold: int | None = None) -> str:
    """Counts from 1 to threshold-1 are shown as '<5' to anyone who sees suppressed reports.

    The threshold defaults to the DIVERT_SUPPRESSION_THRESHOLD setting (5 unless configured).
    """
    if threshold is None:
        threshold = int(settings.DIVERT_SUPPRESSION_THRESHOLD)
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
