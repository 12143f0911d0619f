"""Header navigation items, chosen by what the signed-in user may do."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from divert.accounts.access import has_permission
from divert.accounts.permissions import Permission


def navigation_items(request: HttpRequest) -> list[dict[str, Any]]:
    user = request.user
    items: list[tuple[str, str]] = [("Home", reverse("core:home"))]
    if has_permission(user, Permission.VIEW_CASELOAD):
        items.append(("Worklist", reverse("cases:caseload")))
    if has_permission(user, Permission.VIEW_PARTNER_INBOX):
        items.append(("Shared with you", reverse("sharing:inbox")))
    if has_permission(user, Permission.APPROVE_DISCLOSURE):
        items.append(("Approvals", reverse("sharing:approvals")))
    if has_permission(user, Permission.VIEW_AUDIT):
        items.append(("Information governance", reverse("audit:ig_home")))
    if has_permission(user, Permission.REVIEW_ACCESS):
        items.append(("Access to review", reverse("audit:access_reviews")))
    current = request.path
    return [{"text": text, "href": href, "current": href == current} for text, href in items]
