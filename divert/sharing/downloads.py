"""PDF downloads: staff open a document on an episode in their scope; a partner downloads what
was shared with their agency, limited to the consent's scope. Each download is audited once.

File names carry only the row's id (``document-12.pdf``, ``disclosure-34.pdf``), never a name,
so a downloads folder or a browser history shows no personal data.
"""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from divert.accounts.access import get_visible_or_404, require_permission
from divert.accounts.permissions import Permission
from divert.audit import auditor
from divert.audit.models import AuditEvent
from divert.cases.models import Episode
from divert.sharing.models import Disclosure
from divert.sharing.pdf import render_disclosure_pdf, render_document_pdf


def pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@require_permission(Permission.VIEW_RECORDS)
def document_pdf(request: HttpRequest, episode_id: int, document_id: int) -> HttpResponse:
    """The whole document, draft or approved, for the team whose episode it is."""
    episode = get_visible_or_404(
        request,
        Episode.objects.visible_to(request.user).select_related(
            "person", "site__service__provider"
        ),
        pk=episode_id,
    )
    document = get_visible_or_404(
        request, episode.documents.select_related("drafted_by", "approved_by"), pk=document_id
    )
    document.episode = episode
    data = render_document_pdf(document, scope=None)
    auditor.record(
        event="document.downloaded",
        action=AuditEvent.Action.EXPORT,
        by=request.user,
        target=document,
        person_id=episode.person_id,
        request=request,
        changes={"kind": document.kind, "status": document.status},
    )
    return pdf_response(data, f"document-{document.pk}.pdf")


@require_GET
@require_permission(Permission.VIEW_PARTNER_INBOX)
def partner_document_pdf(request: HttpRequest, disclosure_id: int) -> HttpResponse:
    """What was shared with the partner's agency: only shared disclosures addressed to it, and
    only the sections the consent covers (or the approved document on another lawful basis)."""
    disclosure = get_visible_or_404(
        request,
        Disclosure.objects.visible_to(request.user).select_related(
            "episode__person",
            "episode__site__service__provider",
            "agency",
            "consent",
            "document__drafted_by",
            "document__approved_by",
            "created_by",
            "approved_by",
        ),
        pk=disclosure_id,
    )
    data = render_disclosure_pdf(disclosure)
    auditor.record(
        event="disclosure.downloaded",
        action=AuditEvent.Action.EXPORT,
        by=request.user,
        target=disclosure,
        person_id=disclosure.episode.person_id,
        request=request,
    )
    return pdf_response(data, f"disclosure-{disclosure.pk}.pdf")
