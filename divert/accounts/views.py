"""Sign in (password, then a second factor), sign out, and the lockout page."""

from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from divert.accounts import actions, two_factor
from divert.accounts.forms import ChangePasswordForm, SignInForm, TokenForm
from divert.audit import auditor
from divert.audit.models import AuditEvent
from divert.cases.fields import apply_validation_error


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
        {
            "form": form,
            "next": next_url,
            "page_title": "Sign in",
            "demo_users": demo_users,
            "expired": request.GET.get("expired") == "1",
        },
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


def locked_out(
    request: HttpRequest, credentials: object = None, *args: object, **kwargs: object
) -> HttpResponse:
    """Shown by django-axes after too many failures; the same for every username (no hints)."""
    auditor.record(
        event="account.locked_out", action=AuditEvent.Action.LOGIN_FAILED, by=None, request=request
    )
    return render(
        request, "accounts/locked_out.jinja", {"page_title": "Try again later"}, status=429
    )


@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """Second step of sign-in: a code from the authenticator app or a backup code."""
    user = request.user
    if not user.is_authenticated:
        raise PermissionDenied
    if not two_factor.has_confirmed_device(user):
        return redirect("accounts:two_factor_setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if two_factor.verify(request, form.cleaned_data["token"]):
            auditor.record(
                event="account.second_factor_verified",
                action=AuditEvent.Action.LOGIN,
                by=user,
                request=request,
            )
            return redirect(settings.LOGIN_REDIRECT_URL)
        auditor.record(
            event="account.second_factor_failed",
            action=AuditEvent.Action.LOGIN_FAILED,
            by=user,
            request=request,
        )
        form.add_error("token", "That code did not work. Check the code and try again")
    return render(
        request,
        "accounts/two_factor_verify.jinja",
        {"form": form, "page_title": "Enter your security code"},
    )


@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app; shows the backup codes once, after confirmation."""
    user = request.user
    if not user.is_authenticated:
        raise PermissionDenied
    if two_factor.has_confirmed_device(user) and not user.is_verified():  # type: ignore[attr-defined]
        return redirect("accounts:two_factor_verify")
    device = two_factor.pending_device(user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.confirm_device(
            user=user, device=device, token=form.cleaned_data["token"]
        )
        if codes is not None:
            two_factor.verify_confirmed(request, device)
            auditor.record(
                event="account.second_factor_enrolled",
                action=AuditEvent.Action.UPDATE,
                by=user,
                target=user,
                request=request,
            )
            return render(
                request,
                "accounts/backup_codes.jinja",
                {"codes": codes, "page_title": "Your backup codes"},
            )
        form.add_error(
            "token",
            "That code did not work. Check the time on your phone is "
            "correct and enter the newest code",
        )
    return render(
        request,
        "accounts/two_factor_setup.jinja",
        {
            "form": form,
            "page_title": "Set up two-factor sign-in",
            "qr_svg": two_factor.qr_code_svg(device),
            "manual_key": two_factor.manual_key(device),
        },
    )


PASSWORD_FIELDS = ("current_password", "new_password", "new_password_again")


@sensitive_post_parameters(*PASSWORD_FIELDS)
@require_http_methods(["GET", "POST"])
def change_password(request: HttpRequest) -> HttpResponse:
    """Any signed-in user changes their own password; their other sessions end."""
    user = request.user
    if not user.is_authenticated:
        raise PermissionDenied
    form = ChangePasswordForm(request.POST or None)
    if form.is_bound and form.is_valid():
        try:
            actions.change_password(
                user=user,  # type: ignore[arg-type]
                current_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            auth.update_session_auth_hash(request, user)
            messages.success(request, "Password changed. You are still signed in here")
            return redirect(settings.LOGIN_REDIRECT_URL)
    return render(
        request,
        "accounts/change_password.jinja",
        {
            "form": form,
            "fields": PASSWORD_FIELDS,
            "page_title": ("Error: " if form.errors else "") + "Change your password",
        },
    )
