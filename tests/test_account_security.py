"""Account security: two-factor enforcement, TOTP replay, backup codes, lockout, session expiry,
disabling ends sessions, and the security headers on every page (security.md B1-B6, C2)."""

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken

from conftest import PASSWORD, sign_in_with_second_factor, totp_code, totp_device
from divert.accounts import two_factor

pytestmark = pytest.mark.django_db


def sign_in_with_password(client, username, password=PASSWORD, address="10.0.0.1"):
    return client.post(
        "/accounts/sign-in/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def without_per_response_values(response, name=""):
    """The page with the username, CSRF token and CSP nonce taken out, for comparing pages."""
    html = response.content.decode().replace(name, "") if name else response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    return re.sub(r'nonce="[^"]*"', "", html)


def test_password_alone_opens_no_personal_data(users):
    """After the password step, every page except the two-factor ones sends the user to them."""
    client = Client()
    totp_device(users["practitioner"])

    response = sign_in_with_password(client, "practitioner")
    caseload = client.get("/episodes/")

    assert response.status_code == 302
    assert caseload.status_code == 302
    assert caseload["Location"] == "/accounts/two-factor/"


def test_user_without_authenticator_is_sent_to_set_one_up(users):
    """A user with no confirmed authenticator must enrol before anything else."""
    client = Client()

    sign_in_with_password(client, "commissioner")
    response = client.get("/")

    assert response["Location"] == "/accounts/two-factor/set-up/"


def test_totp_code_completes_sign_in(users):
    """A current code from the authenticator completes sign-in."""
    client = Client()
    device = totp_device(users["practitioner"])
    sign_in_with_password(client, "practitioner")

    response = client.post("/accounts/two-factor/", {"token": totp_code(device)})

    assert response["Location"] == "/"
    assert client.get("/episodes/").status_code == 200


def test_totp_code_cannot_be_replayed(users):
    """A code already used is refused the second time (security.md B3)."""
    device = totp_device(users["practitioner"])
    code = totp_code(device)
    first, second = Client(), Client()
    sign_in_with_password(first, "practitioner")
    first.post("/accounts/two-factor/", {"token": code})

    sign_in_with_password(second, "practitioner", address="10.0.0.2")
    response = second.post("/accounts/two-factor/", {"token": code})

    assert response.status_code == 200
    assert "That code did not work" in response.content.decode()


def test_totp_guessing_is_throttled(users):
    """After a wrong code, even the right code is refused until the throttle delay passes."""
    device = totp_device(users["practitioner"])
    client = Client()
    sign_in_with_password(client, "practitioner")

    client.post("/accounts/two-factor/", {"token": "000000"})
    client.post("/accounts/two-factor/", {"token": "111111"})
    response = client.post("/accounts/two-factor/", {"token": totp_code(device)})

    assert "That code did not work" in response.content.decode()


def test_backup_code_works_once(users):
    """Each backup code completes sign-in once and is then used up."""
    user = users["practitioner"]
    totp_device(user)
    codes = two_factor.replace_backup_codes(user=user)
    client, again = Client(), Client()
    sign_in_with_password(client, "practitioner")

    response = client.post("/accounts/two-factor/", {"token": codes[0]})
    sign_in_with_password(again, "practitioner", address="10.0.0.3")
    reused = again.post("/accounts/two-factor/", {"token": codes[0]})

    assert response["Location"] == "/"
    assert "That code did not work" in reused.content.decode()
    assert StaticToken.objects.filter(device__user=user).count() == len(codes) - 1


def test_enrolment_confirms_device_and_shows_backup_codes_once(users):
    """Setting up an authenticator needs a valid code from it, then shows ten backup codes."""
    client = Client()
    sign_in_with_password(client, "commissioner")
    client.get("/accounts/two-factor/set-up/")
    device = two_factor.pending_device(users["commissioner"])

    wrong = client.post("/accounts/two-factor/set-up/", {"token": "123456"})
    with time_machine.travel(dt.timedelta(seconds=5)):
        right = client.post("/accounts/two-factor/set-up/", {"token": totp_code(device)})

    assert "That code did not work" in wrong.content.decode()
    assert right.status_code == 200
    assert right.content.decode().count("<code>") == two_factor.BACKUP_CODE_COUNT
    assert client.get("/").status_code == 200


def test_lockout_after_five_failures_for_existing_and_unknown_accounts(users):
    """Five wrong passwords lock the account, with the same page whether or not it exists."""
    client = Client()

    for attempt in range(5):
        sign_in_with_password(client, "practitioner", "wrong", address=f"10.1.0.{attempt}")
        sign_in_with_password(client, "nobody-here", "wrong", address=f"10.2.0.{attempt}")
    locked_real = sign_in_with_password(client, "practitioner", address="10.1.1.1")
    locked_unknown = sign_in_with_password(client, "nobody-here", address="10.2.1.1")

    assert locked_real.status_code == locked_unknown.status_code == 429
    assert without_per_response_values(locked_real) == without_per_response_values(locked_unknown)


def test_lockout_per_address_across_accounts(users):
    """A password spray from one address is locked after five failures, whatever the usernames."""
    client = Client()

    for name in ["a", "b", "c", "d", "e"]:
        sign_in_with_password(client, f"spray-{name}", "wrong", address="10.9.9.9")
    response = sign_in_with_password(client, "practitioner", address="10.9.9.9")

    assert response.status_code == 429


def test_wrong_password_and_unknown_user_look_the_same(users):
    """The sign-in error does not reveal whether an account exists (security.md B5)."""
    wrong = sign_in_with_password(Client(), "practitioner", "wrong", address="10.3.0.1")
    unknown = sign_in_with_password(Client(), "no-such-user", "wrong", address="10.3.0.2")

    assert wrong.status_code == unknown.status_code == 200
    assert without_per_response_values(wrong, "practitioner") == without_per_response_values(
        unknown, "no-such-user"
    )


def test_idle_session_expires(users, settings):
    """A session unused for longer than the idle timeout is signed out."""
    client = sign_in_with_second_factor(Client(), users["practitioner"])

    with time_machine.travel(dt.timedelta(seconds=settings.SESSION_COOKIE_AGE + 60)):
        response = client.get("/episodes/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/sign-in/")


def test_absolute_session_lifetime(users, settings):
    """An active session still ends at the absolute limit after sign-in."""
    client = sign_in_with_second_factor(Client(), users["practitioner"])
    client.get("/")
    step = dt.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)
    hops = settings.SESSION_ABSOLUTE_SECONDS // step.seconds + 1

    with time_machine.travel(dt.datetime.now(tz=dt.UTC), tick=False) as traveller:
        for _ in range(hops):
            traveller.shift(step)
            response = client.get("/")

    assert response.status_code == 302
    assert "expired=1" in response["Location"]


def test_disabling_an_account_ends_its_sessions(users):
    """A disabled user's existing session stops working at the next request."""
    user = users["practitioner"]
    client = sign_in_with_second_factor(Client(), user)

    user.is_active = False
    user.save()
    response = client.get("/episodes/")

    assert response.status_code == 302


def test_raising_session_epoch_ends_sessions(users):
    """Raising the user's session epoch (done when a role is removed) ends every session."""
    user = users["practitioner"]
    client = sign_in_with_second_factor(Client(), user)

    user.session_epoch += 1
    user.save()
    response = client.get("/episodes/")

    assert response.status_code == 302


@pytest.mark.parametrize("path", ["/", "/episodes/", "/accounts/sign-in/", "/about/"])
def test_security_headers_on_pages(path, client_for):
    """Pages carry CSP with a nonce and no unsafe-inline, frame-ancestors none, nosniff,
    a referrer policy and no-store caching."""
    response = client_for("practitioner").get(path)

    csp = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cache-Control"] == "no-store"


def test_inline_script_carries_the_request_nonce(client_for):
    """The one inline script in the layout is allowed only by this response's nonce."""
    response = client_for("practitioner").get("/")

    nonce = response["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert f'<script nonce="{nonce}">' in response.content.decode()


def test_revoking_a_role_ends_sessions_at_once(users):
    """A removed role stops working on the very next request (security.md A7)."""
    from divert.accounts import actions

    user = users["practitioner"]
    client = sign_in_with_second_factor(Client(), user)

    actions.revoke_role(user=user, role="practitioner", by=users["admin"])
    response = client.get("/episodes/")

    assert response.status_code == 302


def test_removing_from_team_takes_the_caseload_away(users, service):
    """A practitioner moved off a team can no longer open that team's episodes."""
    from divert.accounts import actions
    from divert.cases.tests import factories

    user = users["practitioner"]
    episode = factories.episode(
        user, site=service["sites"]["north-custody"], team=service["teams"]["north"]
    )

    actions.remove_from_team(user=user, team=service["teams"]["north"], by=users["admin"])
    client = sign_in_with_second_factor(Client(), user)
    response = client.get(f"/episodes/{episode.pk}/")

    assert response.status_code == 404


def test_production_cookies_are_secure_host_only(settings, users):
    """With secure cookies on, session and CSRF cookies are Secure, HttpOnly (session),
    SameSite and __Host- prefixed (security.md B7)."""
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    settings.SESSION_COOKIE_NAME = "__Host-divert-session"
    settings.CSRF_COOKIE_NAME = "__Host-divert-csrf"
    client = Client()

    page = client.get("/accounts/sign-in/")
    signed_in = client.post(
        "/accounts/sign-in/",
        {"username": "practitioner", "password": PASSWORD},
        REMOTE_ADDR="10.5.0.1",
    )

    csrf = page.cookies["__Host-divert-csrf"]
    session = signed_in.cookies["__Host-divert-session"]
    assert csrf["secure"]
    assert csrf["samesite"] == "Lax"
    assert session["secure"]
    assert session["httponly"]
    assert session["samesite"] == "Lax"
    assert session["path"] == "/"
