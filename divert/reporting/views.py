"""Reporting pages: the dashboard, its KPI CSV and the commissioner's monthly return.

Numbers only, never a person: the engine returns aggregates, and for the commissioner audience
every number passes through ``suppression.for_audience`` before it is formatted. Team leaders
see their teams' sites (``scope.scope_for``). Each page and download writes one audit event
with counts and codes only.
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from divert.accounts.access import current_user, require_permission
from divert.accounts.permissions import Permission
from divert.audit import auditor
from divert.audit.models import AuditEvent
from divert.core.exports import csv_response
from divert.reporting import downloads, exports, kpis, presenters, suppression
from divert.reporting.forms import BREAKDOWNS, ReportFilterForm, ReturnForm, default_query
from divert.reporting.scope import ReportScope, scope_for


def _filter_form(request: HttpRequest, scope: ReportScope) -> ReportFilterForm:
    """Bound to the query, or to the default period when there is none (so the boxes show it)."""
    today = timezone.localdate()
    return ReportFilterForm(
        request.GET or default_query(today),
        sites=[(site.code, site.name) for site in scope.sites],
        force_areas=scope.force_areas(),
        today=today,
    )


def _filters(form: ReportFilterForm, scope: ReportScope) -> kpis.Filters:
    """The engine's filters from a valid form, never wider than the user's sites."""
    data = form.cleaned_data
    site = data.get("site") or ""
    site_codes = (site,) if site else (() if scope.is_whole_service else scope.site_codes)
    force_area = data.get("force_area") or ""
    return kpis.Filters(
        date_from=data["date_from"],
        date_to=data["date_to"],
        site_codes=site_codes,
        force_area_codes=(force_area,) if force_area else (),
        age_group=data.get("age_group") or None,
    )


def for_audience(result: Any, scope: ReportScope) -> Any:
    """compute_kpis() or compute_breakdown() output with the audience's suppression applied."""
    return suppression.for_audience(result, scope.audience)


def _caption(scope: ReportScope) -> str:
    if scope.is_suppressed:
        return "Commissioner view"
    return "Whole service" if scope.is_whole_service else "Your team's sites"


def _describe_filters(form: ReportFilterForm, filters: kpis.Filters) -> tuple[str, str]:
    period = f"{filters.date_from:%-d %B %Y} to {filters.date_to:%-d %B %Y}"
    labels = []
    for name in ("site", "force_area", "age_group"):
        value = form.cleaned_data.get(name)
        if value:
            labels.append(dict(form.fields[name].choices)[value])  # type: ignore[attr-defined]
    return (
        f"Referrals received {period}",
        "Showing " + (", ".join(labels) if labels else "all sites, force areas and ages") + ".",
    )


@require_GET
@require_permission(Permission.VIEW_REPORTS)
def dashboard(request: HttpRequest) -> HttpResponse:
    """The pathway funnel, every KPI beside its definition, and each KPI by the chosen group."""
    user = current_user(request)
    scope = scope_for(user)
    form = _filter_form(request, scope)
    today = timezone.localdate()
    context: dict[str, Any] = {
        "page_title": "Reports",
        "form": form,
        "scope": scope,
        "caption": _caption(scope),
        "threshold": settings.DIVERT_SUPPRESSION_THRESHOLD,
        "rounding": settings.DIVERT_ROUNDING_BASE,
        "return_form": ReturnForm(None, today=today),
        "no_sites": not scope.is_whole_service and not scope.sites,
    }
    if context["no_sites"] or not form.is_valid():
        if form.errors:
            context["page_title"] = "Error: Reports"
        return render(request, "reporting/dashboard.jinja", context)
    filters = _filters(form, scope)
    by = form.cleaned_data["by"]
    by_label = dict(BREAKDOWNS)[by]
    results = for_audience(kpis.compute_kpis(filters), scope)
    breakdown = for_audience(kpis.compute_breakdown(filters, by), scope)
    period_text, filter_text = _describe_filters(form, filters)
    context |= {
        "funnel": presenters.funnel(results),
        "sections": presenters.kpi_sections(
            kpis.definitions(),
            results,
            breakdown,
            by_label=by_label,
            by=by,
            # Suppression rounds a commissioner's rates to whole percentage points.
            decimals=0 if scope.is_suppressed else 1,
        ),
        "by_label": by_label,
        "period_text": period_text,
        "filter_text": filter_text,
        "query": form.data.urlencode() if hasattr(form.data, "urlencode") else "",
    }
    auditor.record(
        event="report.dashboard_viewed",
        action=AuditEvent.Action.VIEW,
        by=user,
        request=request,
        changes={
            "audience": scope.audience,
            "by": by,
            "sites": len(filters.site_codes),
            "groups": len(breakdown),
        },
    )
    return render(request, "reporting/dashboard.jinja", context)


@require_GET
@require_permission(Permission.VIEW_REPORTS)
def kpis_csv(request: HttpRequest) -> HttpResponse:
    """The dashboard's numbers as CSV: overall, by age group and by the chosen breakdown."""
    user = current_user(request)
    scope = scope_for(user)
    form = _filter_form(request, scope)
    if (not scope.is_whole_service and not scope.sites) or not form.is_valid():
        query = request.GET.urlencode()
        return redirect(reverse("reporting:dashboard") + (f"?{query}" if query else ""))
    filters = _filters(form, scope)
    by = form.cleaned_data["by"]
    results = for_audience(kpis.compute_kpis(filters), scope)
    breakdown = for_audience(kpis.compute_breakdown(filters, by), scope)
    header, rows = downloads.kpi_rows(kpis.definitions(), filters, results, breakdown, by=by)
    auditor.record(
        event="report.kpis_downloaded",
        action=AuditEvent.Action.EXPORT,
        by=user,
        request=request,
        changes={"audience": scope.audience, "by": by, "rows": len(rows)},
    )
    return csv_response(
        f"divert-kpis-{filters.date_from:%Y-%m-%d}-to-{filters.date_to:%Y-%m-%d}.csv", header, rows
    )


@require_GET
@require_permission(Permission.VIEW_REPORTS)
def monthly_return(request: HttpRequest) -> HttpResponse:
    """Choose a month and a format; a valid choice goes to the file's own address."""
    user = current_user(request)
    scope = scope_for(user)
    if not scope.is_whole_service:
        raise PermissionDenied
    form = ReturnForm(request.GET or None, today=timezone.localdate())
    if form.is_bound and form.is_valid():
        name = f"reporting:monthly_return_{form.cleaned_data['file_format']}"
        return redirect(name, month=form.cleaned_data["month"])
    title = "Error: Monthly return" if form.errors else "Monthly return"
    return render(
        request,
        "reporting/monthly_return.jinja",
        {"page_title": title, "return_form": form, "scope": scope},
    )


def _return_file(request: HttpRequest, month: str, file_format: str) -> HttpResponse:
    """The return covers the whole service, so only whole-service users download it."""
    user = current_user(request)
    if not scope_for(user).is_whole_service:
        raise PermissionDenied
    try:
        first, _ = exports.month_bounds(month)
    except ValueError:
        raise Http404 from None
    if first > timezone.localdate():
        raise Http404
    content, rows = downloads.monthly_return(month, file_format=file_format)
    auditor.record(
        event="report.return_downloaded",
        action=AuditEvent.Action.EXPORT,
        by=user,
        request=request,
        changes={"audience": "commissioner", "month": month, "format": file_format, "rows": rows},
    )
    content_type = downloads.CONTENT_TYPES[file_format]
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="divert-return-{month}.{file_format}"'
    return response


@require_GET
@require_permission(Permission.VIEW_REPORTS)
def monthly_return_csv(request: HttpRequest, month: str) -> HttpResponse:
    return _return_file(request, month, "csv")


@require_GET
@require_permission(Permission.VIEW_REPORTS)
def monthly_return_xlsx(request: HttpRequest, month: str) -> HttpResponse:
    return _return_file(request, month, "xlsx")
