"""The partner inbox: disclosures addressed to the signed-in partner's agency, and nothing else."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from divert.accounts.access import current_user, get_visible_or_404, require_permission
from divert.accounts.permissions import Permission
from divert.audit import auditor
from divert.audit.models import AuditEvent
from divert.sharing import actions
from divert.sharing.models import Disclosure, Document, DocumentStatus
from divert.sharing.presenters import DocumentView, PartnerDisclosure, with_consent_state


def _partner_disclosures(request: HttpRequest):  # type: ignore[no-untyped-def]
    return with_consent_state(
        Disclosure.objects.visible_to(request.user).select_related(
            "episode__person", "document", "consent", "agency", "created_by"
        )
    )


@require_GET
@require_permission(Permission.VIEW_PARTNER_INBOX)
def inbox(request: HttpRequest) -> HttpResponse:
    disclosures = list(_partner_disclosures(request).order_by("-shared_at")[:200])
    auditor.record(
        event="disclosure.inbox_listed",
        action=AuditEvent.Action.SEARCH,
        by=request.user,
        request=request,
        changes={"disclosure_ids": [d.pk for d in disclosures]},
    )
    return render(
        request,
        "sharing/inbox.jinja",
        {
            "items": [PartnerDisclosure(d) for d in disclosures],
            "agency": current_user(request).agency,
            "page_title": "Shared with you",
        },
    )


@require_GET
@require_permission(Permission.VIEW_PARTNER_INBOX)
def disclosure_detail(request: HttpRequest, disclosure_id: int) -> HttpResponse:
    disclosure = get_visible_or_404(request, _partner_disclosures(request), pk=disclosure_id)
    auditor.record(
        event="disclosure.viewed",
        action=AuditEvent.Action.VIEW,
        by=request.user,
        target=disclosure,
        person_id=disclosure.episode.person_id,
        request=request,
    )
    return render(
        request,
        "sharing/disclosure_detail.jinja",
        {
            "item": PartnerDisclosure(disclosure),
            "page_title": "Information shared with you",
            "back_href": "/shared/",
        },
    )


@require_POST
@require_permission(Permission.VIEW_PARTNER_INBOX)
def acknowledge(request: HttpRequest, disclosure_id: int) -> HttpResponse:
    disclosure = get_visible_or_404(
        request, Disclosure.objects.visible_to(request.user), pk=disclosure_id
    )
    try:
        actions.acknowledge_disclosure(disclosure=disclosure, by=current_user(request))
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, "Receipt acknowledged")
    return redirect("sharing:disclosure_detail", disclosure_id=disclosure.pk)


@require_GET
@require_permission(Permission.APPROVE_DISCLOSURE)
def approvals(request: HttpRequest) -> HttpResponse:
    """Documents awaiting approval on the episodes the team leader may open, oldest first.
    The leader's own drafts are listed but cannot be approved by them."""
    user = current_user(request)
    documents = list(
        Document.objects.visible_to(user)
        .filter(status=DocumentStatus.SUBMITTED)
        .select_related("episode__person", "drafted_by")
        .order_by("submitted_at")[:200]
    )
    auditor.record(
        event="document.approvals_listed",
        action=AuditEvent.Action.SEARCH,
        by=user,
        request=request,
        changes={"document_ids": [document.pk for document in documents]},
    )
    return render(
        request,
        "sharing/approvals.jinja",
        {
            "documents": documents,
            "user_id": user.pk,
            "page_title": "Documents awaiting approval",
            "written_for": lambda document: DocumentView(document).written_for,
        },
    )
