"""Two-factor sign-in with django-otp: TOTP authenticator apps and single-use backup codes."""

import secrets
from typing import Any

import segno
from django.db import transaction
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

BACKUP_CODE_COUNT = 10


def has_confirmed_device(user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_device(user: Any) -> TOTPDevice:
    """The unconfirmed authenticator the user is setting up (one at a time)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def qr_code_svg(device: TOTPDevice) -> str:
    """The provisioning URI as an inline SVG (no external image, allowed by the CSP)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#212b32")


def manual_key(device: TOTPDevice) -> str:
    import base64

    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@transaction.atomic
def confirm_device(*, user: Any, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm a new authenticator with a code from it; returns fresh backup codes, or None."""
    if not device.verify_token(token):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return replace_backup_codes(user=user)


@transaction.atomic
def replace_backup_codes(*, user: Any) -> list[str]:
    static, _ = StaticDevice.objects.get_or_create(user=user, name="Backup codes")
    static.token_set.all().delete()
    codes = [f"{secrets.randbelow(10**8):08d}" for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=code) for code in codes)
    return codes


def verify(request: Any, token: str) -> bool:
    """Check a TOTP or backup code; django-otp throttles repeated failures per device."""
    device = match_token(request.user, token.replace(" ", ""))
    if device is None:
        return False
    otp_login(request, device)
    return True


def verify_confirmed(request: Any, device: TOTPDevice) -> None:
    """Mark the session verified with the device just confirmed by a valid code."""
    otp_login(request, device)
