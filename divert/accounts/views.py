"""Sign in and sign out. Two-factor sign-in and lockout arrive with the access-control issue."""

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from divert.accounts.forms import SignInForm
from divert.audit import auditor
from divert.audit.models import AuditEvent


@login_not_required
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    form = SignInForm(request, data=request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            user = form.get_user()
            auth.login(request, user)
            auditor.record(
                event="account.signed_in", action=AuditEvent.Action.LOGIN, by=user, request=request
            )
            return redirect(next_url or settings.LOGIN_REDIRECT_URL)
        auditor.record(
            event="account.sign_in_failed",
            action=AuditEvent.Action.LOGIN_FAILED,
            by=None,
            request=request,
        )
    demo_users = []
    if settings.DEMO_MODE:
        from divert.nonprod.personas import PERSONAS

        demo_users = PERSONAS
    return render(
        request,
        "accounts/login.jinja",
        {"form": form, "next": next_url, "page_title": "Sign in", "demo_users": demo_users},
    )


@require_http_methods(["GET", "POST"])
def logout(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        auditor.record(
            event="account.signed_out",
            action=AuditEvent.Action.LOGOUT,
            by=request.user,
            request=request,
        )
        auth.logout(request)
        return redirect(settings.LOGOUT_REDIRECT_URL)
    return render(request, "accounts/logout.jinja", {"page_title": "Sign out"})
