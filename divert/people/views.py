"""The person page: identity, alerts and every episode the viewer may see."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from divert.accounts.access import require_permission
from divert.accounts.permissions import Permission
from divert.audit import auditor
from divert.audit.models import AuditEvent
from divert.cases.models import Episode
from divert.people import presenters
from divert.people.models import Person


@require_GET
@require_permission(Permission.VIEW_CASELOAD)
def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    person = get_object_or_404(Person.objects.visible_to(request.user), pk=person_id)
    episodes = (
        Episode.objects.visible_to(request.user)
        .filter(person=person)
        .with_stage()
        .select_related("site")
        .order_by("-referral_received_at")
    )
    auditor.record(
        event="person.viewed",
        action=AuditEvent.Action.VIEW,
        by=request.user,
        target=person,
        person_id=person.pk,
        request=request,
    )
    return render(
        request,
        "people/person_detail.jinja",
        {
            "page_title": person.full_name,
            "person": person,
            "view": presenters.PersonPresenter.load(person),
            "episodes": list(episodes),
        },
    )
