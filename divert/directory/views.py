"""The directory of services: search and read (clinical staff and administrators), add, edit
and deactivate (administrators). No personal data, so reads are not audited; every change is,
by the directory actions."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from divert.accounts.access import current_user, require_permission
from divert.accounts.permissions import Permission
from divert.cases.fields import apply_validation_error
from divert.core.exports import csv_response
from divert.directory import actions, csvio, presenters
from divert.directory.access import can_maintain_directory, require_directory_reader
from divert.directory.forms import ImportForm, OrganisationForm, SearchForm, ServiceForm
from divert.directory.models import DirectoryOrganisation, DirectoryService
from divert.directory.search import find_services


def _form_page(request: HttpRequest, title: str, form: Any, **context: Any) -> HttpResponse:
    return render(
        request,
        "directory/form.jinja",
        {
            "page_title": ("Error: " if form.errors else "") + title,
            "title": title,
            "caption": "Directory of services",
            "form": form,
            **context,
        },
    )


@require_GET
@require_directory_reader
def service_list(request: HttpRequest) -> HttpResponse:
    """Search the directory by need, area, age and words; no filters lists every service."""
    form = SearchForm(request.GET or None)
    filters = form.filters() if form.is_bound else {}
    services = find_services(**filters)
    return render(
        request,
        "directory/service_list.jinja",
        {
            "page_title": ("Error: " if form.errors else "") + "Directory of services",
            "form": form,
            "services": [presenters.ServiceCard.of(service) for service in services],
            "can_maintain": can_maintain_directory(request.user),
            "inactive_count": DirectoryService.objects.filter(is_active=False).count(),
        },
    )


@require_GET
@require_directory_reader
def service_detail(request: HttpRequest, service_id: int) -> HttpResponse:
    service = get_object_or_404(
        DirectoryService.objects.select_related("organisation").prefetch_related("areas_served"),
        pk=service_id,
    )
    return render(
        request,
        "directory/service_detail.jinja",
        {
            "page_title": service.name,
            "service": service,
            "rows": presenters.service_rows(service),
            "can_maintain": can_maintain_directory(request.user),
            "back_link": reverse("directory:service_list"),
        },
    )


@require_http_methods(["GET", "POST"])
@require_permission(Permission.MANAGE_CONFIGURATION)
def add_service(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form = ServiceForm(request.POST or None)
    if form.is_bound and form.is_valid():
        organisation = DirectoryOrganisation.objects.get(pk=form.cleaned_data["organisation"])
        try:
            service = actions.create_service(by=user, organisation=organisation, **form.values())
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, f"{service.name} added to the directory")
            return redirect("directory:service_detail", service_id=service.pk)
    return _form_page(
        request,
        "Add a service",
        form,
        submit="Add the service",
        back_link=reverse("directory:service_list"),
        after_form_link=(
            "Add an organisation first if it is not in the list",
            reverse("directory:add_organisation"),
        ),
    )


@require_http_methods(["GET", "POST"])
@require_permission(Permission.MANAGE_CONFIGURATION)
def edit_service(request: HttpRequest, service_id: int) -> HttpResponse:
    user = current_user(request)
    service = get_object_or_404(
        DirectoryService.objects.select_related("organisation"), pk=service_id
    )
    form = ServiceForm(request.POST or None, initial=ServiceForm.initial_for(service), editing=True)
    if form.is_bound and form.is_valid():
        try:
            actions.update_service(service=service, by=user, **form.values())
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "Service updated")
            return redirect("directory:service_detail", service_id=service.pk)
    return _form_page(
        request,
        f"Edit {service.name}",
        form,
        submit="Save changes",
        back_link=reverse("directory:service_detail", args=[service.pk]),
    )


@require_POST
@require_permission(Permission.MANAGE_CONFIGURATION)
def deactivate_service(request: HttpRequest, service_id: int) -> HttpResponse:
    """Take the service out of search; referrals already made keep pointing at it."""
    service = get_object_or_404(DirectoryService, pk=service_id)
    try:
        actions.deactivate_service(service=service, by=current_user(request))
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"{service.name} is no longer offered in search")
    return redirect("directory:service_detail", service_id=service.pk)


@require_POST
@require_permission(Permission.MANAGE_CONFIGURATION)
def reactivate_service(request: HttpRequest, service_id: int) -> HttpResponse:
    service = get_object_or_404(DirectoryService, pk=service_id)
    try:
        actions.reactivate_service(service=service, by=current_user(request))
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"{service.name} is offered in search again")
    return redirect("directory:service_detail", service_id=service.pk)


@require_http_methods(["GET", "POST"])
@require_permission(Permission.MANAGE_CONFIGURATION)
def add_organisation(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form = OrganisationForm(request.POST or None)
    if form.is_bound and form.is_valid():
        try:
            organisation = actions.create_organisation(by=user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, f"{organisation.name} added; now add its services")
            return redirect("directory:add_service")
    return _form_page(
        request,
        "Add an organisation",
        form,
        submit="Add the organisation",
        back_link=reverse("directory:service_list"),
    )


@require_http_methods(["GET", "POST"])
@require_permission(Permission.MANAGE_CONFIGURATION)
def edit_organisation(request: HttpRequest, organisation_id: int) -> HttpResponse:
    user = current_user(request)
    organisation = get_object_or_404(DirectoryOrganisation, pk=organisation_id)
    form = OrganisationForm(
        request.POST or None,
        initial={name: getattr(organisation, name) for name in OrganisationForm.base_fields},
    )
    back = request.GET.get("service")
    back_link = (
        reverse("directory:service_detail", args=[back])
        if back and back.isdigit()
        else reverse("directory:service_list")
    )
    if form.is_bound and form.is_valid():
        try:
            actions.update_organisation(organisation=organisation, by=user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, f"{organisation.name} updated")
            return redirect(back_link)
    return _form_page(
        request, f"Edit {organisation.name}", form, submit="Save changes", back_link=back_link
    )


@require_http_methods(["GET", "POST"])
@require_permission(Permission.MANAGE_CONFIGURATION)
def import_csv(request: HttpRequest) -> HttpResponse:
    """Add and update services from a CSV in the export format: all or nothing, every problem
    named by line and column. "Check the file" reports what would change and writes nothing."""
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if form.is_bound and form.is_valid():
        dry_run = "check" in request.POST
        report = csvio.import_csv(
            form.cleaned_data["text"], by=current_user(request), dry_run=dry_run
        )
        if report.is_ok and not dry_run:
            messages.success(request, report.summary())
            return redirect("directory:service_list")
    title = "Import services from a CSV file"
    return render(
        request,
        "directory/import.jinja",
        {
            "page_title": ("Error: " if form.errors or (report and not report.is_ok) else "")
            + title,
            "title": title,
            "form": form,
            "report": report,
            "columns": csvio.COLUMNS,
            "back_link": reverse("directory:service_list"),
        },
    )


@require_GET
@require_permission(Permission.MANAGE_CONFIGURATION)
def export_csv(request: HttpRequest) -> HttpResponse:
    """The whole directory in the import format (``divert directory import``)."""
    services = (
        DirectoryService.objects.select_related("organisation")
        .prefetch_related("areas_served")
        .order_by("organisation__name", "name")
    )
    return csv_response("directory.csv", csvio.COLUMNS, (csvio._row(s) for s in services))
