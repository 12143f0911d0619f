"""The worklist, allocation, intake, the episode page and the forms that record under it."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from divert.accounts.access import (
    current_user,
    get_visible_or_404,
    has_permission,
    require_permission,
    sites_with_episodes_visible_to,
)
from divert.accounts.models import User
from divert.accounts.permissions import Permission
from divert.audit import auditor
from divert.audit.models import AuditEvent
from divert.cases import actions, amendments, intake, presenters, worklist
from divert.cases.fields import apply_validation_error
from divert.cases.forms import (
    ASSESSMENT_FIELDS,
    AllocateForm,
    AssessmentEditForm,
    AssessmentForm,
    CloseEpisodeForm,
    ContactForm,
    CourtHearingForm,
    IntakeSearchForm,
    NeedsForm,
    OfferCorrectionForm,
    OfferForm,
    PoliceOutcomeForm,
    ReferralForm,
    ReopenEpisodeForm,
    TaskForm,
    WorklistFilterForm,
)
from divert.cases.models import Assessment, Episode, Offer
from divert.cases.stages import Stage
from divert.core import codelists
from divert.organisation.models import Site, SiteType
from divert.people import actions as people_actions
from divert.people.forms import PersonForm
from divert.people.models import Person
from divert.people.presenters import PersonPresenter

COURT_TYPES = [SiteType.MAGISTRATES_COURT, SiteType.YOUTH_COURT, SiteType.CROWN_COURT]

PAGE_SIZE = 50


@require_GET
@require_permission(Permission.VIEW_CASELOAD)
def caseload(request: HttpRequest) -> HttpResponse:
    """The worklist: the team's episodes by stage, newest referral first, with time waiting."""
    user = current_user(request)
    visible = Episode.objects.visible_to(user)
    site_choices = list(
        sites_with_episodes_visible_to(user).order_by("name").values_list("pk", "name")
    )
    form = WorklistFilterForm(request.GET or None, sites=site_choices)
    filters = form.filters() if request.GET else {"show": "open"}
    episodes = worklist.filtered(visible, user=user, filters=filters)
    stage_counts = worklist.stage_counts(episodes)
    if filters.get("stage"):
        episodes = episodes.filter(stage=filters["stage"])
    page = worklist.page(
        episodes,
        number=request.GET.get("page"),
        count=worklist.total(stage_counts, filters.get("stage")),
        per_page=PAGE_SIZE,
    )
    auditor.record(
        event="caseload.listed",
        action=AuditEvent.Action.SEARCH,
        by=user,
        request=request,
        changes={"episode_ids": [episode.pk for episode in page.object_list]},
    )
    return render(
        request,
        "cases/caseload.jinja",
        {
            "page_title": "Worklist",
            "page": page,
            "form": form,
            "filters": filters,
            "stage_counts": stage_counts,
            "stages": Stage,
            "can_allocate": has_permission(user, Permission.ALLOCATE_WORK),
            "can_record": has_permission(user, Permission.RECORD_CLINICAL),
            "allocation_choices": worklist.allocation_choices(page.object_list),
            "query_without_page": worklist.query_without(request.GET, "page"),
            "query_without_stage": worklist.query_without(request.GET, "stage", "page"),
            "tasks_due": worklist.tasks_due(user, visible),
        },
    )


@require_POST
@require_permission(Permission.ALLOCATE_WORK)
def allocate(request: HttpRequest, episode_id: int) -> HttpResponse:
    """A team leader allocates an open episode to a practitioner in the episode's team."""
    user = current_user(request)
    episode = get_visible_or_404(request, Episode.objects.visible_to(user), pk=episode_id)
    choices = worklist.allocation_choices([episode]).get(episode.pk, [])
    form = AllocateForm(request.POST, choices=choices)
    if form.is_valid():
        practitioner = User.objects.get(pk=form.cleaned_data["practitioner"])
        try:
            actions.allocate_episode(episode=episode, to=practitioner, by=user)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, f"{episode.reference} allocated to {practitioner}")
    else:
        messages.error(request, str(form.errors["practitioner"][0]))
    return redirect(request.POST.get("next") or "cases:caseload")


@require_GET
@require_permission(Permission.VIEW_RECORDS)
def episode_detail(request: HttpRequest, episode_id: int) -> HttpResponse:
    episode = get_visible_or_404(
        request,
        Episode.objects.visible_to(request.user)
        .with_stage()
        .select_related("person", "site__force_area", "team", "allocated_to", "created_by"),
        pk=episode_id,
    )
    auditor.record(
        event="episode.viewed",
        action=AuditEvent.Action.VIEW,
        by=request.user,
        target=episode,
        person_id=episode.person_id,
        request=request,
    )
    return render(
        request,
        "cases/episode_detail.jinja",
        {
            "page_title": f"Episode {episode.reference}",
            "episode": episode,
            "view": presenters.EpisodePresenter.load(episode),
            "can_record": has_permission(request.user, Permission.RECORD_CLINICAL),
            "back_href": None,
        },
    )


# Intake: find or add the person, then the referral details (issue #5).

INTAKE_PEOPLE = "intake_person_ids"


def _remember_for_intake(request: HttpRequest, person_ids: list[int]) -> None:
    """Step 2 accepts only people this user's own search found or just added (or their
    caseload), so a person id typed into the address bar opens nothing."""
    known = [pk for pk in request.session.get(INTAKE_PEOPLE, []) if pk not in person_ids]
    request.session[INTAKE_PEOPLE] = (person_ids + known)[:100]


@require_http_methods(["GET", "POST"])
@require_permission(Permission.RECORD_CLINICAL)
def intake_search(request: HttpRequest) -> HttpResponse:
    """Step 1: search the whole service for the person (POST, so nothing identifying is in
    the address). Each search writes one audit event with field names and result ids."""
    user = current_user(request)
    form = IntakeSearchForm(request.POST if request.method == "POST" else None)
    matches = None
    if form.is_bound and form.is_valid():
        query = form.query()
        matches = intake.search(user, query)
        _remember_for_intake(request, [match.person.pk for match in matches])
        auditor.record(
            event="person.searched",
            action=AuditEvent.Action.SEARCH,
            by=user,
            request=request,
            changes=intake.audit_changes(query, matches),
        )
    return render(
        request,
        "cases/intake_search.jinja",
        {
            "page_title": ("Error: " if form.errors else "") + "New referral: find the person",
            "form": form,
            "matches": matches,
            "back_link": reverse("cases:caseload"),
        },
    )


@require_http_methods(["GET", "POST"])
@require_permission(Permission.RECORD_CLINICAL)
def intake_person(request: HttpRequest) -> HttpResponse:
    """Add a new person when the search found nobody. The search's answers arrive by POST
    (``prefill``) so they never appear in the address."""
    user = current_user(request)
    if request.method == "POST" and "prefill" in request.POST:
        form = PersonForm(initial=_prefill(request.POST))
    else:
        form = PersonForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            person = people_actions.create_person(by=user, **form.values())
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            _remember_for_intake(request, [person.pk])
            messages.success(request, f"{person.full_name} added ({person.local_id})")
            return redirect(f"{reverse('cases:intake_referral')}?person={person.pk}")
    return render(
        request,
        "cases/intake_person.jinja",
        {
            "page_title": ("Error: " if form.errors else "") + "New referral: add a new person",
            "title": "Add a new person",
            "caption": "New referral",
            "submit": "Add the person and continue",
            "form": form,
            "back_link": reverse("cases:intake_search"),
        },
    )


def _prefill(data: Any) -> dict[str, Any]:
    return {
        "given_name": data.get("given_name", ""),
        "family_name": data.get("family_name", ""),
        "nhs_number": data.get("nhs_number", ""),
        "pnc_id": data.get("pnc_id", ""),
        "date_of_birth": {
            part: data.get(f"date_of_birth_{part}", "") for part in ("day", "month", "year")
        },
    }


@require_http_methods(["GET", "POST"])
@require_permission(Permission.RECORD_CLINICAL)
def intake_referral(request: HttpRequest) -> HttpResponse:
    """Step 2: the referral details, for the person chosen or added at step 1."""
    user = current_user(request)
    person_id = (request.POST if request.method == "POST" else request.GET).get("person", "")
    if not person_id.isdigit():
        messages.info(request, "Find the person first, or add them")
        return redirect("cases:intake_search")
    person = get_visible_or_404(
        request,
        intake.service_people(user).filter(
            Q(pk__in=request.session.get(INTAKE_PEOPLE, []))
            | Q(pk__in=Person.objects.visible_to(user).values("pk"))
        ),
        pk=int(person_id),
    )
    sites = intake.team_sites(user)
    form = ReferralForm(
        request.POST if request.method == "POST" else None,
        initial={"person": person.pk},
        sites=[(site.pk, site.name) for site in sites],
    )
    if form.is_bound and form.is_valid():
        site = next(site for site in sites if site.pk == form.cleaned_data["site"])
        try:
            episode = actions.open_episode(
                by=user,
                person=person,
                site=site,
                team=intake.team_for(user, site),
                **form.values(),
            )
        except ValidationError as error:
            apply_validation_error(form, error, team="site")
        else:
            request.session.pop(INTAKE_PEOPLE, None)
            messages.success(request, f"Episode {episode.reference} opened")
            return redirect("cases:episode_detail", episode_id=episode.pk)
    auditor.record(
        event="person.viewed",
        action=AuditEvent.Action.VIEW,
        by=user,
        target=person,
        person_id=person.pk,
        request=request,
    )
    return render(
        request,
        "cases/intake_referral.jinja",
        {
            "page_title": ("Error: " if form.errors else "") + "New referral: referral details",
            "title": "Referral details",
            "caption": "New referral",
            "submit": "Open the episode",
            "form": form,
            "person": person,
            "has_sites": bool(sites),
            "back_link": reverse("cases:intake_search"),
        },
    )


# Recording under an episode. Each view: permission, scoped fetch, form, one action, redirect.


def _episode(request: HttpRequest, episode_id: int) -> Episode:
    return get_visible_or_404(  # type: ignore[no-any-return]
        request,
        Episode.objects.visible_to(current_user(request)).select_related("person", "site", "team"),
        pk=episode_id,
    )


def _form_page(
    request: HttpRequest,
    episode: Episode,
    form: Any,
    *,
    title: str,
    submit: str,
    template: str = "cases/record_form.jinja",
    **context: Any,
) -> HttpResponse:
    """Render a recording form under the person banner; the page shows the person, so it
    writes one access event."""
    auditor.record(
        event="episode.viewed",
        action=AuditEvent.Action.VIEW,
        by=request.user,
        target=episode,
        person_id=episode.person_id,
        request=request,
    )
    return render(
        request,
        template,
        {
            "page_title": ("Error: " if form.errors else "") + title,
            "title": title,
            "caption": f"Episode {episode.reference}",
            "episode": episode,
            "person_view": PersonPresenter.load(episode.person),
            "form": form,
            "submit": submit,
            "back_link": reverse("cases:episode_detail", args=[episode.pk]),
            **context,
        },
    )


def _saved(request: HttpRequest, episode: Episode, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("cases:episode_detail", episode_id=episode.pk)


def _data(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


@require_http_methods(["GET", "POST"])
@require_permission(Permission.RECORD_CLINICAL)
def record_offer(request: HttpRequest, episode_id: int) -> HttpResponse:
    user = current_user(request)
    episode = _episode(request, episode_id)
    form = OfferForm(_data(request), episode=episode)
    if form.is_bound and form.is_valid():
        try:
            actions.record_offer(episode=episode, by=user, **form.values())
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            return _saved(request, episode, "Offer recorded")
    return _form_page(
        request, episode, form, title="Record the offer of support", submit="Save the offer"
    )


@require_http_methods(["GET", "POST"])
@require_permission(Permission.RECORD_CLINICAL)
def correct_offer(request: HttpRequest, episode_id: int, offer_id: int) -> HttpResponse:
    user = current_user(request)
    episode = _episode(request, episode_id)
    offer = get_visible_or_404(request, episode.offers.all(), pk=offer_id)
    form = OfferCorrectionForm(
        _data(request),
        episode=episode,
        initial={name: getattr(offer, name) for name in OfferForm.base_fields},
    )
    if form.is_bound and form.is_valid():
        changes = amendments.changed_fields(offer, form.values())
        if not changes:
            form.add_error(None, "You have not changed anything. Change an answer, or go back")
        else:
            try:
                actions.correct_offer(
                    offer=offer, by=user, changes=changes, reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                return _saved(request, episode, "Offer corrected")
    return _form_page(
        request,
        episode,
        form,
        title="Correct the offer of support",
        submit="Save the correction",
        template="cases/correct_offer.jinja",
        history=amendments.history(Offer, [offer.pk]).get(offer.pk, []),
    )


@require_http_methods(["GET", "POST"])
@require_permission(Permission.RECORD_CLINICAL)
def record_needs(request: HttpRequest, episode_id: int) -> HttpResponse:
    user = current_user(request)
    episode = _episode(request, episode_id)
    recorded = {need.category for need in episode.needs.all()}
    form = NeedsForm(_data(request), already_recorded=recorded)
    if form.is_bound and form.is_valid():
        try:
            needs = actions.record_needs(episode=episode, by=user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            count = len(needs)
            return _saved(request, episode, f"{count} need{'s' if count != 1 else ''} recorded")
    return _form_page(
        request,
        episode,
        form,
        title="Record vulnerabilities and needs",
        submit="Save needs",
        template="cases/record_needs.jinja",
        already_recorded=[codelists.display("vulnerability", code) for code in sorted(recorded)],
    )


@require_http_methods(["GET", "POST"])
@require_permission(Permission.RECORD_CLINICAL)
def record_assessment(request: HttpRequest, episode_id: int) -> HttpResponse:
    user = current_user(request)
    episode = _episode(request, episode_id)
    form = AssessmentForm(_data(request))
    if form.is_bound and form.is_valid():
        try:
            actions.record_assessment(episode=episode, by=user, **form.values())
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            return _saved(request, episode, "Assessment saved")
    return _form_page(
        request, episode, form, title="Record the assessment", submit="Save the assessment"
    )


@require_http_methods(["GET", "POST"])
@require_permission(Permission.RECORD_CLINICAL)
def edit_assessment(request: HttpRequest, episode_id: int, assessment_id: int) -> HttpResponse:
    """Complete or correct an assessment with a reason. If someone else saved it after this
    form was loaded, nothing is saved: their changes are shown and this editor's changes are
    kept in the form on top of theirs, to check and save again."""
    user = current_user(request)
    episode = _episode(request, episode_id)
    assessment = get_visible_or_404(request, episode.assessments.all(), pk=assessment_id)
    saved = {name: getattr(assessment, name) for name in ASSESSMENT_FIELDS}
    form = AssessmentEditForm(
        _data(request),
        initial={**AssessmentForm.initial_for(saved), "version": assessment.version},
    )
    conflict = None
    if form.is_bound and form.is_valid():
        changes = amendments.changed_fields(assessment, form.values())
        try:
            if not changes:
                raise ValidationError("You have not changed anything. Change an answer, or go back")
            actions.correct_assessment(
                assessment=assessment,
                by=user,
                changes=changes,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except actions.EditConflictError as clash:
            conflict = amendments.conflict(
                clash.current, form.cleaned_data["version"], form.values(), ASSESSMENT_FIELDS
            )
            form = AssessmentEditForm(
                initial={
                    **AssessmentForm.initial_for(conflict.rebased),
                    "version": conflict.version,
                    "reason": form.cleaned_data["reason"],
                }
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            return _saved(request, episode, "Assessment updated")
    return _form_page(
        request,
        episode,
        form,
        title="Complete or correct the assessment",
        submit="Save the changes",
        template="cases/assessment_edit.jinja",
        conflict=conflict,
        history=amendments.history(Assessment, [assessment.pk]).get(assessment.pk, []),
    )


@require_http_methods(["GET", "POST"])
@require_permission(Permission.RECORD_CLINICAL)
def record_contact(request: HttpRequest, episode_id: int) -> HttpResponse:
    user = current_user(request)
    episode = _episode(request, episode_id)
    form = ContactForm(_data(request))
    if form.is_bound and form.is_valid():
        try:
            actions.record_contact(episode=episode, by=user, **form.values())
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            return _saved(request, episode, "Contact recorded")
    return _form_page(request, episode, form, title="Record a contact", submit="Save the contact")


@require_http_methods(["GET", "POST"])
@require_permission(Permission.RECORD_CLINICAL)
def add_task(request: HttpRequest, episode_id: int) -> HttpResponse:
    user = current_user(request)
    episode = _episode(request, episode_id)
    assignees = worklist.allocation_choices([episode])[episode.pk]
    form = TaskForm(_data(request), assignees=assignees)
    if form.is_bound and form.is_valid():
        assignee_id = form.cleaned_data["assigned_to"]
        try:
            actions.add_task(
                episode=episode,
                by=user,
                title=form.cleaned_data["title"],
                due_on=form.cleaned_data["due_on"],
                assigned_to=User.objects.get(pk=assignee_id) if assignee_id else None,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            return _saved(request, episode, "Task added")
    return _form_page(request, episode, form, title="Add a task", submit="Add the task")


@require_POST
@require_permission(Permission.RECORD_CLINICAL)
def complete_task(request: HttpRequest, episode_id: int, task_id: int) -> HttpResponse:
    user = current_user(request)
    episode = _episode(request, episode_id)
    task = get_visible_or_404(request, episode.tasks.all(), pk=task_id)
    try:
        actions.complete_task(task=task, by=user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("cases:episode_detail", episode_id=episode.pk)
    return _saved(request, episode, f"Task done: {task.title}")


@require_http_methods(["GET", "POST"])
@require_permission(Permission.RECORD_CLINICAL)
def record_police_outcome(request: HttpRequest, episode_id: int) -> HttpResponse:
    user = current_user(request)
    episode = _episode(request, episode_id)
    form = PoliceOutcomeForm(_data(request), episode=episode)
    if form.is_bound and form.is_valid():
        try:
            actions.record_police_outcome(episode=episode, by=user, **form.values())
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            return _saved(request, episode, "Police outcome recorded")
    return _form_page(
        request, episode, form, title="Record the police outcome", submit="Save the outcome"
    )


@require_http_methods(["GET", "POST"])
@require_permission(Permission.RECORD_CLINICAL)
def record_court_hearing(request: HttpRequest, episode_id: int) -> HttpResponse:
    user = current_user(request)
    episode = _episode(request, episode_id)
    courts = list(
        Site.objects.filter(
            service_id=episode.site.service_id, site_type__in=COURT_TYPES, is_active=True
        ).order_by("name")
    )
    form = CourtHearingForm(
        _data(request), episode=episode, courts=[(court.pk, court.name) for court in courts]
    )
    if form.is_bound and form.is_valid():
        court = next(court for court in courts if court.pk == form.cleaned_data["court"])
        try:
            actions.record_court_hearing(episode=episode, by=user, court=court, **form.values())
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            return _saved(request, episode, "Court hearing recorded")
    return _form_page(
        request, episode, form, title="Record a court hearing", submit="Save the hearing"
    )


@require_http_methods(["GET", "POST"])
@require_permission(Permission.RECORD_CLINICAL)
def close_episode(request: HttpRequest, episode_id: int) -> HttpResponse:
    user = current_user(request)
    episode = _episode(request, episode_id)
    form = CloseEpisodeForm(_data(request))
    if form.is_bound and form.is_valid():
        try:
            actions.close_episode(episode=episode, by=user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error, closure_reason="reason", closure_note="note")
        else:
            return _saved(request, episode, f"Episode {episode.reference} closed")
    return _form_page(request, episode, form, title="Close the episode", submit="Close the episode")


@require_http_methods(["GET", "POST"])
@require_permission(Permission.RECORD_CLINICAL)
def reopen_episode(request: HttpRequest, episode_id: int) -> HttpResponse:
    user = current_user(request)
    episode = _episode(request, episode_id)
    form = ReopenEpisodeForm(_data(request))
    if form.is_bound and form.is_valid():
        try:
            actions.reopen_episode(episode=episode, by=user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            return _saved(request, episode, f"Episode {episode.reference} reopened")
    return _form_page(
        request, episode, form, title="Reopen the episode", submit="Reopen the episode"
    )
