"""Header navigation items, chosen by what the signed-in user may do."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from divert.accounts.access import has_permission
from divert.accounts.permissions import Permission
from divert.directory.access import can_read_directory


def navigation_items(request: HttpRequest) -> list[dict[str, Any]]:
    user = request.user
    items: list[tuple[str, str]] = [("Home", reverse("core:home"))]
    if has_permission(user, Permission.VIEW_CASELOAD):
        items.append(("Worklist", reverse("cases:caseload")))
    if has_permission(user, Permission.VIEW_REPORTS):
        items.append(("Reports", reverse("reporting:dashboard")))
    if has_permission(user, Permission.VIEW_PARTNER_INBOX):
        items.append(("Shared with you", reverse("sharing:inbox")))
    if can_read_directory(user):
        items.append(("Directory", reverse("directory:service_list")))
    if has_permission(user, Permission.APPROVE_DISCLOSURE):
        items.append(("Approvals", reverse("sharing:approvals")))
    if has_permission(user, Permission.VIEW_AUDIT):
        items.append(("Information governance", reverse("audit:ig_home")))
    if has_permission(user, Permission.REVIEW_ACCESS):
        items.append(("Access to review", reverse("audit:access_reviews")))
    if has_permission(user, Permission.MERGE_PEOPLE):
        items.append(("Duplicates", reverse("duplicates:queue")))
    current = request.path
    return [{"text": text, "href": href, "current": href == current} for text, href in items]
