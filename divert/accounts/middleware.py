"""Session rules applied to every request: absolute lifetime and two-factor sign-in."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import auth
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

SIGNED_IN_AT = "divert_signed_in_at"


class SessionLifetimeMiddleware:
    """End a session a fixed time after sign-in, however active it has been (security.md B6)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            started = request.session.setdefault(SIGNED_IN_AT, int(time.time()))
            if time.time() - started > settings.SESSION_ABSOLUTE_SECONDS:
                auth.logout(request)
                return redirect(f"{reverse(settings.LOGIN_URL)}?expired=1")
        return self.get_response(request)


class TwoFactorRequiredMiddleware:
    """A password alone opens nothing: until a second factor is verified, only the two-factor
    pages, sign-out and public pages answer (security.md B2)."""

    OPEN_ROUTES = frozenset(
        {
            "accounts:two_factor_verify",
            "accounts:two_factor_setup",
            "accounts:logout",
            "accounts:login",
            "core:about",
            "core:healthz",
        }
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., HttpResponse], *args: object
    ) -> HttpResponse | None:
        user = request.user
        if not settings.REQUIRE_TWO_FACTOR or not user.is_authenticated:
            return None
        if user.is_verified():  # type: ignore[union-attr,attr-defined]
            return None
        match = request.resolver_match
        if match is not None and match.view_name in self.OPEN_ROUTES:
            return None
        if request.path.startswith(settings.STATIC_URL):
            return None
        from divert.accounts.two_factor import has_confirmed_device

        target = (
            "accounts:two_factor_verify"
            if has_confirmed_device(user)
            else ("accounts:two_factor_setup")
        )
        return redirect(reverse(target))
