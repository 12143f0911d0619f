"""Consent and sharing under an episode (issue #6): ``episodes/<episode_id>/sharing/...``.

Each view: permission, the episode from the user's scoped episodes, the document or disclosure
from that episode, then one action or one page. Pages that show the person write one access
event; actions write their own. Consent is enforced by the actions, not here.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from divert.accounts.access import (
    current_user,
    get_visible_or_404,
    has_permission,
    require_permission,
)
from divert.accounts.permissions import Permission
from divert.audit import auditor
from divert.audit.models import AuditEvent
from divert.cases.fields import apply_validation_error
from divert.cases.models import Episode
from divert.people.presenters import PersonPresenter
from divert.sharing import actions, forms, presenters
from divert.sharing.models import Disclosure, Document, DocumentStatus


def _episode(request: HttpRequest, episode_id: int) -> Episode:
    return get_visible_or_404(  # type: ignore[no-any-return]
        request,
        Episode.objects.visible_to(current_user(request)).select_related(
            "person", "site__service__provider", "team"
        ),
        pk=episode_id,
    )


def _document(request: HttpRequest, episode: Episode, document_id: int) -> Document:
    document = get_visible_or_404(
        request,
        Document.objects.visible_to(current_user(request))
        .filter(episode=episode)
        .select_related("drafted_by", "approved_by", "returned_by"),
        pk=document_id,
    )
    document.episode = episode
    return document  # type: ignore[no-any-return]


def _viewed(request: HttpRequest, episode: Episode, event: str, target: Any) -> None:
    auditor.record(
        event=event,
        action=AuditEvent.Action.VIEW,
        by=request.user,
        target=target,
        person_id=episode.person_id,
        request=request,
        changes={"episode_id": episode.pk} if target is not episode else None,
    )


def _page(
    request: HttpRequest,
    episode: Episode,
    template: str,
    title: str,
    *,
    back_link: str | None = None,
    **context: Any,
) -> HttpResponse:
    form = context.get("form")
    return render(
        request,
        template,
        {
            "page_title": ("Error: " if form is not None and form.errors else "") + title,
            "title": title,
            "caption": f"Episode {episode.reference}",
            "episode": episode,
            "person_view": PersonPresenter.load(episode.person),
            "back_link": back_link or reverse("episode_sharing:overview", args=[episode.pk]),
            **context,
        },
    )


def _data(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _to_document(document: Document) -> HttpResponse:
    return redirect(
        "episode_sharing:document_detail",
        episode_id=document.episode_id,
        document_id=document.pk,
    )


@require_GET
@require_permission(Permission.VIEW_RECORDS)
def overview(request: HttpRequest, episode_id: int) -> HttpResponse:
    """Consent decisions (current and history), documents and disclosures for the episode."""
    user = current_user(request)
    episode = _episode(request, episode_id)
    _viewed(request, episode, "sharing.viewed", episode)
    return _page(
        request,
        episode,
        "sharing/episode/overview.jinja",
        "Consent and sharing",
        back_link=reverse("cases:episode_detail", args=[episode.pk]),
        view=presenters.SharingOverview.load(episode),
        can_record=has_permission(user, Permission.RECORD_CLINICAL),
        status_tag=presenters.status_tag,
    )


@require_http_methods(["GET", "POST"])
@require_permission(Permission.RECORD_CLINICAL)
def record_consent(request: HttpRequest, episode_id: int) -> HttpResponse:
    user = current_user(request)
    episode = _episode(request, episode_id)
    form = forms.ConsentForm(_data(request))
    if form.is_bound and form.is_valid():
        try:
            decision = actions.record_consent(episode=episode, by=user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, f"Consent decision recorded: {decision}")
            return redirect("episode_sharing:overview", episode_id=episode.pk)
    _viewed(request, episode, "episode.viewed", episode)
    return _page(
        request,
        episode,
        "cases/record_form.jinja",
        "Record a consent decision",
        form=form,
        submit="Save the decision",
    )


@require_http_methods(["GET", "POST"])
@require_permission(Permission.RECORD_CLINICAL)
def draft_document(request: HttpRequest, episode_id: int) -> HttpResponse:
    user = current_user(request)
    episode = _episode(request, episode_id)
    form = forms.DraftForm(_data(request))
    if form.is_bound and form.is_valid():
        values = dict(form.cleaned_data, sections=form.sections_or_default())
        try:
            document = actions.draft_document(episode=episode, by=user, **values)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, f"{document.get_kind_display()} drafted")
            return _to_document(document)
    _viewed(request, episode, "episode.viewed", episode)
    return _page(
        request,
        episode,
        "sharing/episode/draft_form.jinja",
        "Draft a court report or custody advice note",
        form=form,
        submit="Draft the document",
        consents=presenters.SharingOverview.load(episode).current_consents,
    )


@require_GET
@require_permission(Permission.VIEW_RECORDS)
def document_detail(request: HttpRequest, episode_id: int, document_id: int) -> HttpResponse:
    user = current_user(request)
    episode = _episode(request, episode_id)
    document = _document(request, episode, document_id)
    _viewed(request, episode, "document.viewed", document)
    view = presenters.DocumentView(document)
    return _page(
        request,
        episode,
        "sharing/episode/document_detail.jinja",
        view.title,
        view=view,
        can_record=has_permission(user, Permission.RECORD_CLINICAL),
        is_author=document.drafted_by_id == user.pk,
        can_approve=has_permission(user, Permission.APPROVE_DISCLOSURE)
        and document.drafted_by_id != user.pk,
        can_share=has_permission(user, Permission.APPROVE_DISCLOSURE),
    )


@require_http_methods(["GET", "POST"])
@require_permission(Permission.RECORD_CLINICAL)
def revise_document(request: HttpRequest, episode_id: int, document_id: int) -> HttpResponse:
    user = current_user(request)
    episode = _episode(request, episode_id)
    document = _document(request, episode, document_id)
    if document.drafted_by_id != user.pk or document.status not in {
        DocumentStatus.DRAFT,
        DocumentStatus.RETURNED,
    }:
        messages.error(request, "Only the author can change a draft or a returned document")
        return _to_document(document)
    chosen = [code for code in document.content.get("sections", []) if code != "summary"]
    form = forms.ReviseForm(
        _data(request),
        initial={"summary": document.content.get("summary", ""), "sections": chosen},
    )
    if form.is_bound and form.is_valid():
        try:
            actions.revise_document(
                document=document,
                by=user,
                summary=form.cleaned_data["summary"],
                sections=form.sections_or_default(),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "Document updated from the record")
            return _to_document(document)
    _viewed(request, episode, "document.viewed", document)
    return _page(
        request,
        episode,
        "sharing/episode/return_form.jinja",
        f"Change the {document.get_kind_display().lower()}",
        form=form,
        submit="Update the draft",
        document=document,
        back_link=reverse("episode_sharing:document_detail", args=[episode.pk, document.pk]),
    )


@require_POST
@require_permission(Permission.RECORD_CLINICAL)
def submit_document(request: HttpRequest, episode_id: int, document_id: int) -> HttpResponse:
    episode = _episode(request, episode_id)
    document = _document(request, episode, document_id)
    try:
        actions.submit_document(document=document, by=current_user(request))
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, "Sent to a team leader for approval")
    return _to_document(document)


@require_POST
@require_permission(Permission.APPROVE_DISCLOSURE)
def approve_document(request: HttpRequest, episode_id: int, document_id: int) -> HttpResponse:
    episode = _episode(request, episode_id)
    document = _document(request, episode, document_id)
    try:
        actions.approve_document(document=document, by=current_user(request))
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"{document.get_kind_display()} approved")
    return _to_document(document)


@require_http_methods(["GET", "POST"])
@require_permission(Permission.APPROVE_DISCLOSURE)
def return_document(request: HttpRequest, episode_id: int, document_id: int) -> HttpResponse:
    user = current_user(request)
    episode = _episode(request, episode_id)
    document = _document(request, episode, document_id)
    form = forms.ReturnForm(_data(request))
    if form.is_bound and form.is_valid():
        try:
            actions.return_document(document=document, by=user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "Returned to the author with your reason")
            return _to_document(document)
    _viewed(request, episode, "document.viewed", document)
    return _page(
        request,
        episode,
        "sharing/episode/return_form.jinja",
        f"Return the {document.get_kind_display().lower()} for changes",
        form=form,
        submit="Return the document",
        document=document,
        back_link=reverse("episode_sharing:document_detail", args=[episode.pk, document.pk]),
    )


@require_http_methods(["GET", "POST"])
@require_permission(Permission.APPROVE_DISCLOSURE)
def share_document(request: HttpRequest, episode_id: int, document_id: int) -> HttpResponse:
    user = current_user(request)
    episode = _episode(request, episode_id)
    document = _document(request, episode, document_id)
    if document.status != DocumentStatus.APPROVED:
        messages.error(request, "Only an approved document can be shared")
        return _to_document(document)
    form = forms.ShareForm(_data(request), initial={"purpose": document.purpose})
    if form.is_bound and form.is_valid():
        try:
            disclosure = actions.share_document(document=document, by=user, **form.values())
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, f"Shared with {disclosure.agency.name}")
            return redirect("episode_sharing:overview", episode_id=episode.pk)
    _viewed(request, episode, "document.viewed", document)
    return _page(
        request,
        episode,
        "sharing/episode/share_form.jinja",
        f"Share the {document.get_kind_display().lower()}",
        form=form,
        submit="Share the document",
        document=document,
        consents=presenters.SharingOverview.load(episode).current_consents,
        back_link=reverse("episode_sharing:document_detail", args=[episode.pk, document.pk]),
    )


@require_http_methods(["GET", "POST"])
@require_permission(Permission.RECORD_CLINICAL)
def record_decision(request: HttpRequest, episode_id: int, disclosure_id: int) -> HttpResponse:
    user = current_user(request)
    episode = _episode(request, episode_id)
    disclosure = get_visible_or_404(
        request,
        Disclosure.objects.visible_to(user).filter(episode=episode).select_related("agency"),
        pk=disclosure_id,
    )
    form = forms.DecisionForm(_data(request))
    if form.is_bound and form.is_valid():
        try:
            actions.record_cj_decision(
                disclosure=disclosure, by=user, decided_at=form.cleaned_data["cj_decision_at"]
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "Decision time recorded")
            return redirect("episode_sharing:overview", episode_id=episode.pk)
    _viewed(request, episode, "episode.viewed", episode)
    return _page(
        request,
        episode,
        "cases/record_form.jinja",
        f"Record when {disclosure.agency.name} made its decision",
        form=form,
        submit="Save the decision time",
    )
