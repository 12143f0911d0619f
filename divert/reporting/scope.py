"""Who sees which numbers on the reporting pages.

- Audience: holders of ``view_unsuppressed_reports`` (team leaders, service managers) see exact
  numbers; everyone else who may open reports (commissioners) sees the commissioner audience,
  with small numbers suppressed and rounded (``suppression.for_audience``).
- Sites: users with a caseload but not the whole service (team leaders) see only their current
  teams' sites, the same sites that define their caseload (``access.caseload_site_ids``);
  service managers and commissioners see the whole service.
"""

from dataclasses import dataclass
from typing import Any

from divert.accounts.access import caseload_site_ids, has_permission
from divert.accounts.permissions import Permission
from divert.organisation.models import Site

COMMISSIONER = "commissioner"
SERVICE = "service"


@dataclass(frozen=True)
class ReportScope:
    audience: str  # COMMISSIONER or SERVICE
    is_whole_service: bool
    sites: tuple[Site, ...]

    @property
    def is_suppressed(self) -> bool:
        return self.audience == COMMISSIONER

    @property
    def site_codes(self) -> tuple[str, ...]:
        return tuple(site.code for site in self.sites)

    def force_areas(self) -> list[tuple[str, str]]:
        seen: dict[str, str] = {}
        for site in self.sites:
            seen.setdefault(site.force_area.code, site.force_area.name)
        return sorted(seen.items(), key=lambda item: item[1])


def scope_for(user: Any) -> ReportScope:
    audience = (
        SERVICE if has_permission(user, Permission.VIEW_UNSUPPRESSED_REPORTS) else COMMISSIONER
    )
    sites = Site.objects.select_related("force_area").order_by("name")
    is_whole_service = has_permission(user, Permission.VIEW_SERVICE_RECORDS) or not (
        has_permission(user, Permission.VIEW_CASELOAD)
    )
    if not is_whole_service:
        sites = sites.filter(id__in=caseload_site_ids(user))
    return ReportScope(audience=audience, is_whole_service=is_whole_service, sites=tuple(sites))
