"""Second-factor helpers for tests: real TOTP codes computed from a device's key, as an authenticator app does."""

import time
from base64 import b32decode

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def code_for_key(key: bytes, *, at: float | None = None) -> str:
    totp = TOTP(key)
    totp.time = time.time() if at is None else at
    return f"{totp.token():06d}"


def code_for_secret(base32_secret: str) -> str:
    """The code an app shows for the key typed from the enrolment page (groups of four, spaces between)."""
    return code_for_key(b32decode("".join(base32_secret.split()).upper()))


def next_code(device: TOTPDevice) -> str:
    """The code an app shows now; if this time step's code was already used, the next step's, which the device
    still accepts (one step of tolerance) and which is not a replay."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if totp.t() <= device.last_t:
        totp.time += device.step * (device.last_t + 1 - totp.t())
    return f"{totp.token():0{device.digits}d}"


def app_device(user, *, confirmed: bool = True) -> TOTPDevice:
    device, _ = TOTPDevice.objects.get_or_create(user=user, defaults={"name": "Test phone", "confirmed": confirmed})
    return device


def mark_verified(client, user) -> TOTPDevice:
    """Record in the client's session that this staff member passed the second factor with their app."""
    device = app_device(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device
