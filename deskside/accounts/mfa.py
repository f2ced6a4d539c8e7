"""Two-factor sign-in for agents (django-otp): authenticator-app codes (TOTP) and recovery codes.

An agent enrols one authenticator app; confirming its first code creates ten single-use
recovery codes, shown once. Codes are checked with django-otp's own throttling (each failure
doubles the wait before that device accepts another try).
"""

import base64

import segno
from django.db import transaction
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from deskside.accounts.models import SecurityPolicy, User

APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
RECOVERY_CODES = 10


def has_device(user: User) -> bool:
    return any(True for _ in devices_for_user(user, confirmed=True))


def required_for(user: User) -> bool:
    return user.is_agent and SecurityPolicy.current().require_agent_mfa


def pending_app_device(user: User) -> TOTPDevice:
    """The unconfirmed authenticator device being set up (made on first call)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def manual_key(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it typed in: base32, in groups of four."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URI as an inline SVG QR code (segno; nothing leaves the server)."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=4, dark="#111", light="#fff", title="Scan with your authenticator app"
    )


@transaction.atomic
def confirm_app_device(device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the device when `code` is right: the agent's earlier devices are replaced and
    new recovery codes are made and returned (the only time they can be read). None when the
    code is wrong."""
    if not device.verify_token(code.replace(" ", "")):
        return None
    user = device.user
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return new_recovery_codes(user)


def new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=c) for c in codes)
    return codes


def reset_devices(user: User) -> int:
    """Remove every second-factor device of `user` (an admin's reset of a lost phone)."""
    deleted = TOTPDevice.objects.filter(user=user).delete()[0]
    return deleted + StaticDevice.objects.filter(user=user).delete()[0]
