"""The duplicate review queue: find likely duplicates, compare two records side by side,
decide, merge and unmerge. Team leaders and service managers (MERGE_PEOPLE), and only for
people they can see: a pair is listed and opened only when both records are in scope."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from divert.accounts.access import current_user, get_visible_or_404, require_permission
from divert.accounts.permissions import Permission
from divert.audit import auditor
from divert.audit.models import AuditEvent
from divert.cases.fields import apply_validation_error
from divert.linkage import actions, presenters
from divert.linkage.forms import DecisionForm, MergeForm, UnmergeForm
from divert.linkage.models import DuplicateCandidate, FindDuplicatesRun, PersonMerge
from divert.people.models import Person

WAITING = [DuplicateCandidate.Status.OPEN, DuplicateCandidate.Status.NOT_SURE]


def _audit_view(request: HttpRequest, person: Person, event: str = "person.viewed") -> None:
    auditor.record(
        event=event,
        action=AuditEvent.Action.VIEW,
        by=request.user,
        target=person,
        person_id=person.pk,
        request=request,
    )


@require_GET
@require_permission(Permission.MERGE_PEOPLE)
def queue(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    visible = Person.objects.visible_to(user).current().values("pk")
    candidates = list(
        DuplicateCandidate.objects.filter(
            status__in=WAITING, first__in=visible, second__in=visible
        ).select_related("first", "second")
    )
    auditor.record(
        event="duplicates.listed",
        action=AuditEvent.Action.VIEW,
        by=user,
        request=request,
        changes={"candidate_ids": [c.pk for c in candidates]},
    )
    return render(
        request,
        "linkage/queue.jinja",
        {
            "page_title": "Possible duplicate people",
            "open": [c for c in candidates if c.status == DuplicateCandidate.Status.OPEN],
            "not_sure": [c for c in candidates if c.status == DuplicateCandidate.Status.NOT_SURE],
            "last_run": FindDuplicatesRun.objects.filter(finished_at__isnull=False).first(),
        },
    )


@require_POST
@require_permission(Permission.MERGE_PEOPLE)
def run(request: HttpRequest) -> HttpResponse:
    found = actions.find_duplicates(by=current_user(request))
    messages.success(
        request,
        f"Compared {found.people_compared:,} people: {found.candidates_proposed:,} possible "
        f"duplicates to look at",
    )
    return redirect("duplicates:queue")


def _candidate_people(
    request: HttpRequest, candidate_id: int
) -> tuple[DuplicateCandidate, Person, Person]:
    """The waiting candidate and its two people, both in the user's scope (404 otherwise)."""
    candidate = DuplicateCandidate.objects.filter(status__in=WAITING, pk=candidate_id).first()
    if candidate is None:
        raise Http404
    scoped = Person.objects.visible_to(request.user).current()
    first = get_visible_or_404(request, scoped, pk=candidate.first_id)
    second = get_visible_or_404(request, scoped, pk=candidate.second_id)
    return candidate, first, second


@require_http_methods(["GET", "POST"])
@require_permission(Permission.MERGE_PEOPLE)
def compare(request: HttpRequest, candidate_id: int) -> HttpResponse:
    user = current_user(request)
    candidate, first, second = _candidate_people(request, candidate_id)
    form = DecisionForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        outcome = form.cleaned_data["outcome"]
        if outcome == "same":
            return redirect("duplicates:merge", candidate_id=candidate.pk)
        try:
            actions.decide_pair(
                candidate=candidate, outcome=outcome, by=user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, f"Decision recorded: {outcome.replace('_', ' ')}")
            return redirect("duplicates:queue")
    _audit_view(request, first, "person.compared")
    _audit_view(request, second, "person.compared")
    return render(
        request,
        "linkage/compare.jinja",
        {
            "page_title": ("Error: " if form.errors else "") + "Compare two records",
            "candidate": candidate,
            "comparison": presenters.Comparison.load(first, second),
            "form": form,
            "back_link": reverse("duplicates:queue"),
        },
    )


@require_http_methods(["GET", "POST"])
@require_permission(Permission.MERGE_PEOPLE)
def merge(request: HttpRequest, candidate_id: int) -> HttpResponse:
    user = current_user(request)
    candidate, first, second = _candidate_people(request, candidate_id)
    people = {str(p.pk): p for p in (first, second)}
    choices = [
        (key, f"Keep {p.local_id}: {p.full_name}, {p.episodes.count()} episodes")
        for key, p in people.items()
    ]
    form = MergeForm(request.POST if request.method == "POST" else None, choices=choices)
    if form.is_bound and form.is_valid():
        survivor = people[form.cleaned_data["survivor"]]
        merged = second if survivor == first else first
        try:
            actions.merge_people(
                survivor=survivor,
                merged=merged,
                by=user,
                reason=form.cleaned_data["reason"],
                candidate=candidate,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, f"{merged.local_id} merged into {survivor.local_id}")
            return redirect("people:person_detail", person_id=survivor.pk)
    _audit_view(request, first)
    _audit_view(request, second)
    return render(
        request,
        "linkage/merge.jinja",
        {
            "page_title": ("Error: " if form.errors else "") + "Merge two records",
            "title": "Merge two records",
            "caption": f"{first.local_id} and {second.local_id}",
            "comparison": presenters.Comparison.load(first, second),
            "form": form,
            "submit": "Merge the records",
            "back_link": reverse("duplicates:compare", args=[candidate.pk]),
        },
    )


@require_http_methods(["GET", "POST"])
@require_permission(Permission.MERGE_PEOPLE)
def unmerge(request: HttpRequest, merge_id: int) -> HttpResponse:
    user = current_user(request)
    standing = PersonMerge.objects.filter(Q(unmerged_at__isnull=True), pk=merge_id).first()
    if standing is None:
        raise Http404
    survivor = get_visible_or_404(
        request, Person.objects.visible_to(user).current(), pk=standing.survivor_id
    )
    form = UnmergeForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            actions.unmerge_people(merge=standing, by=user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request, f"Merge undone: {standing.merged.local_id} is a separate record again"
            )
            return redirect("people:person_detail", person_id=survivor.pk)
    _audit_view(request, survivor)
    return render(
        request,
        "linkage/unmerge.jinja",
        {
            "page_title": ("Error: " if form.errors else "") + "Undo a merge",
            "title": f"Undo the merge of {standing.merged.local_id}",
            "caption": survivor.full_name,
            "merge": standing,
            "form": form,
            "submit": "Undo the merge",
            "back_link": reverse("people:person_detail", args=[survivor.pk]),
        },
    )
