"""Screening under an episode (issue #4): choose an instrument, answer it, see the result,
override it with a reason, and record the need a positive screen suggests.

Each view: permission, the episode from the user's scoped episodes, the administration from that
episode, then one action or one page. Pages that show the person write one access event;
actions write their own.
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
from divert.cases import actions as case_actions
from divert.cases.fields import apply_validation_error
from divert.cases.models import Episode
from divert.people.presenters import PersonPresenter
from divert.screening import actions, presenters
from divert.screening.models import Administration

IDENTIFIED_BY_SCREENING = "screening_instrument"


def _episode(request: HttpRequest, episode_id: int) -> Episode:
    return get_visible_or_404(  # type: ignore[no-any-return]
        request,
        Episode.objects.visible_to(current_user(request)).select_related("person", "site", "team"),
        pk=episode_id,
    )


def _administration(request: HttpRequest, episode: Episode, administration_id: int) -> Any:
    """An administration on this (already scoped) episode; any other id is a 404."""
    return get_visible_or_404(
        request,
        episode.administrations.select_related(
            "instrument_version", "administered_by", "overridden_by"
        ),
        pk=administration_id,
    )


def _viewed(
    request: HttpRequest, episode: Episode, administration: Administration | None = None
) -> None:
    """One access event per page that shows the person."""
    auditor.record(
        event="screening.viewed" if administration else "episode.viewed",
        action=AuditEvent.Action.VIEW,
        by=request.user,
        target=administration or episode,
        person_id=episode.person_id,
        request=request,
        changes={"episode_id": episode.pk} if administration else None,
    )


def _page(
    request: HttpRequest, episode: Episode, template: str, title: str, **context: Any
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
            "back_link": reverse("cases:episode_detail", args=[episode.pk]),
            **context,
        },
    )


def _to_answer(administration: Administration) -> HttpResponse:
    return redirect(
        "screening:answer",
        episode_id=administration.episode_id,
        administration_id=administration.pk,
    )


def _to_result(administration: Administration) -> HttpResponse:
    return redirect(
        "screening:result",
        episode_id=administration.episode_id,
        administration_id=administration.pk,
    )


@require_http_methods(["GET", "POST"])
@require_permission(Permission.RECORD_CLINICAL)
def choose_instrument(request: HttpRequest, episode_id: int) -> HttpResponse:
    """The latest version of each published instrument; choosing one starts it."""
    user = current_user(request)
    episode = _episode(request, episode_id)
    instruments = presenters.published_instruments()
    if request.method == "POST":
        chosen = request.POST.get("instrument", "")
        version = next((i.version for i in instruments if str(i.version.pk) == chosen), None)
        if version is None:
            messages.error(request, "Choose one of the instruments listed")
            return redirect("screening:choose_instrument", episode_id=episode.pk)
        try:
            administration = actions.start_administration(
                episode=episode, instrument_version=version, by=user
            )
        except ValidationError as error:
            messages.error(request, error.messages[0])
            return redirect("screening:choose_instrument", episode_id=episode.pk)
        return _to_answer(administration)
    _viewed(request, episode)
    return _page(
        request,
        episode,
        "screening/choose_instrument.jinja",
        "Choose a screening questionnaire",
        instruments=instruments,
        in_progress=list(
            episode.administrations.filter(is_complete=False).select_related("instrument_version")
        ),
    )


@require_http_methods(["GET", "POST"])
@require_permission(Permission.RECORD_CLINICAL)
def answer(request: HttpRequest, episode_id: int, administration_id: int) -> HttpResponse:
    """All the questions still to ask on one page. "Save and check" saves the answers so far and
    shows the questions that follow from them; "Complete" saves, scores and shows the result."""
    user = current_user(request)
    episode = _episode(request, episode_id)
    administration = _administration(request, episode, administration_id)
    if administration.is_complete:
        return _to_result(administration)
    sheet = presenters.AnswerSheet.load(administration)
    completing = request.POST.get("action") == "complete"
    form: Any = sheet.form(
        request.POST if request.method == "POST" else None, completing=completing
    )
    if form.is_bound and form.is_valid():
        try:
            actions.save_answers(administration=administration, answers=form.all_answers(), by=user)
            if completing:
                actions.complete_administration(administration=administration, by=user)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            if completing:
                return _to_result(administration)
            messages.success(request, "Answers saved")
            return _to_answer(administration)
    _viewed(request, episode, administration)
    return _page(
        request,
        episode,
        "screening/answer.jinja",
        sheet.definition.title,
        form=form,
        sheet=sheet,
        flags=sheet.flags(),
    )


@require_GET
@require_permission(Permission.VIEW_RECORDS)
def result(request: HttpRequest, episode_id: int, administration_id: int) -> HttpResponse:
    """The score, band, outcome and every flag, the answers, any override and the suggested
    need. An unfinished screening opens at its questions for those who can record it."""
    user = current_user(request)
    episode = _episode(request, episode_id)
    administration = _administration(request, episode, administration_id)
    can_record = has_permission(user, Permission.RECORD_CLINICAL) and episode.is_open
    if not administration.is_complete and can_record:
        return _to_answer(administration)
    _viewed(request, episode, administration)
    view = presenters.ResultPresenter.load(administration, episode)
    return _page(
        request,
        episode,
        "screening/result.jinja",
        f"{view.definition.short_title} result",
        view=view,
        can_record=can_record,
        not_a_prediction=presenters.NOT_A_PREDICTION,
    )


@require_http_methods(["GET", "POST"])
@require_permission(Permission.RECORD_CLINICAL)
def override(request: HttpRequest, episode_id: int, administration_id: int) -> HttpResponse:
    """A clinician's band (or outcome) in place of the calculated one, with a reason."""
    user = current_user(request)
    episode = _episode(request, episode_id)
    administration = _administration(request, episode, administration_id)
    view = presenters.ResultPresenter.load(administration, episode)
    if not view.can_override():
        # Once overridden the reason stands: a second override would replace the first.
        messages.error(request, "This result cannot be overridden")
        return _to_result(administration)
    form = presenters.OverrideForm(request.POST if request.method == "POST" else None, result=view)
    if form.is_bound and form.is_valid():
        try:
            actions.override_result(administration=administration, by=user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "Override recorded")
            return _to_result(administration)
    _viewed(request, episode, administration)
    return _page(
        request,
        episode,
        "screening/override.jinja",
        "Override the calculated result",
        form=form,
        view=view,
        submit="Save the override",
        back_link=reverse("screening:result", args=[episode.pk, administration.pk]),
    )


@require_POST
@require_permission(Permission.RECORD_CLINICAL)
def record_need(request: HttpRequest, episode_id: int, administration_id: int) -> HttpResponse:
    """Record the need a positive result suggests, as identified by a screening tool."""
    user = current_user(request)
    episode = _episode(request, episode_id)
    administration = _administration(request, episode, administration_id)
    view = presenters.ResultPresenter.load(administration, episode)
    category = view.suggested_need()
    if not category:
        messages.error(request, "This result does not suggest a need")
        return _to_result(administration)
    try:
        case_actions.record_need(
            episode=episode,
            by=user,
            category=category,
            identified_by=IDENTIFIED_BY_SCREENING,
            note=view.need_note(),
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"{view.suggested_need_display()} recorded as a need")
    return _to_result(administration)
