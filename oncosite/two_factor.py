"""Two-factor authentication for staff (django-otp): a code from an authenticator app (TOTP), or a single-use
recovery code, after the password.

With STAFF_TWO_FACTOR_REQUIRED (on everywhere but the dev settings), a staff session that has not passed the
second factor reaches nothing under /admin/ but the login, the logout and these pages: a GET (any admin page,
the CSV export) is sent to verify, or the first time to enrol with a QR code drawn here as SVG; any other
method (the editor's preview and upload, admin actions) is refused with 403. On the public site such a
session is treated as a visitor's. The password step, and django-axes' lockout on it,
are Django's admin login, unchanged; django-otp slows down repeated wrong codes on each device.
"""

from base64 import b32encode
from functools import wraps
from urllib.parse import urlencode

import django_otp
import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODE_COUNT = 10
NEW_CODES_SESSION_KEY = "two_factor:new_recovery_codes"
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"


def needs_second_factor(user) -> bool:
    return settings.STAFF_TWO_FACTOR_REQUIRED and user.is_authenticated and user.is_staff and not user.is_verified()


def has_app_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def _open_paths() -> tuple[str, ...]:
    # What a password-only staff session may still open under /admin/: logging in and out, and this flow.
    names = ("admin:login", "admin:logout", "two_factor_verify", "two_factor_setup", "two_factor_recovery_codes")
    return tuple(reverse(name) for name in names)


class StaffTwoFactorMiddleware:
    """After django_otp.middleware.OTPMiddleware, which tells whether this session passed the second factor."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if needs_second_factor(request.user):
            if request.path.startswith(reverse("admin:index")):
                if request.path not in _open_paths():
                    return self._refuse(request)
            else:
                request.user = AnonymousUser()
        return self.get_response(request)

    def _refuse(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return HttpResponseForbidden("Two-factor verification is required.", content_type="text/plain")
        target = "two_factor_verify" if has_app_device(request.user) else "two_factor_setup"
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}),
    )

    def clean_code(self):
        return "".join(self.cleaned_data["code"].split()).replace("-", "").lower()


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure())
    return target if allowed and target.startswith("/") else reverse("admin:index")


def _staff_session(view):
    """For a staff member past the password step; anyone else goes to the login page."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not (request.user.is_authenticated and request.user.is_staff):
            return redirect(f"{reverse('admin:login')}?{urlencode({'next': request.get_full_path()})}")
        return view(request, *args, **kwargs)

    return never_cache(wrapped)


def _context(request: HttpRequest, **extra) -> dict:
    return {**admin.site.each_context(request), "next": _next_url(request), **extra}


def _throttled(devices) -> bool:
    # django-otp locks a device for 1, 2, 4, 8 ... seconds after each wrong code.
    return any(not device.verify_is_allowed()[0] for device in devices)


def _devices_for_code(user, code: str) -> list:
    # Six digits come from the app, anything else is a recovery code (eight letters and digits): a code tried on
    # the wrong kind of device would count as a wrong code there and slow down the next login.
    kind = TOTPDevice if len(code) == 6 and code.isdigit() else StaticDevice
    return list(kind.objects.filter(user=user, confirmed=True))


TRY_AGAIN_LATER = "Too many wrong codes. Wait a minute, then try again with a new code."


@sensitive_post_parameters("code")
@_staff_session
def verify(request: HttpRequest) -> HttpResponse:
    if request.user.is_verified():
        return redirect(_next_url(request))
    if not has_app_device(request.user):
        return redirect(f"{reverse('two_factor_setup')}?{urlencode({'next': _next_url(request)})}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        devices = _devices_for_code(request.user, form.cleaned_data["code"])
        if _throttled(devices):
            form.add_error("code", TRY_AGAIN_LATER)
        else:
            for device in devices:
                if device.verify_token(form.cleaned_data["code"]):
                    django_otp.login(request, device)
                    return redirect(_next_url(request))
            form.add_error(
                "code",
                "That code did not work. Enter the 6-digit code your authenticator app shows now, "
                "or one of your recovery codes.",
            )
    return render(request, "admin/two_factor/verify.html", _context(request, form=form, title="Two-factor check"))


def qr_code_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=4)
    return image.to_string(encoding="unicode")


def _grouped(key_base32: str) -> str:
    return " ".join(key_base32[i : i + 4] for i in range(0, len(key_base32), 4))


@sensitive_post_parameters("code")
@_staff_session
def setup(request: HttpRequest) -> HttpResponse:
    if request.user.is_verified():
        return redirect(_next_url(request))
    if has_app_device(request.user):
        return redirect(f"{reverse('two_factor_verify')}?{urlencode({'next': _next_url(request)})}")
    device, _ = TOTPDevice.objects.get_or_create(user=request.user, confirmed=False, defaults={"name": APP_DEVICE_NAME})
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _throttled([device]):
        form.add_error("code", TRY_AGAIN_LATER)
    elif request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            request.session[NEW_CODES_SESSION_KEY] = new_recovery_codes(request.user)
            django_otp.login(request, device)
            return redirect(f"{reverse('two_factor_recovery_codes')}?{urlencode({'next': _next_url(request)})}")
        form.add_error("code", "That code did not work. Enter the 6-digit code your app shows now.")
    context = _context(
        request,
        form=form,
        title="Set up two-factor authentication",
        # Drawn here as inline SVG paths: no script, no style attribute, no image from anywhere else.
        qr_svg=mark_safe(qr_code_svg(device.config_url)),  # noqa: S308 - markup generated by qrcode from our URL
        key=_grouped(b32encode(device.bin_key).decode()),
    )
    return render(request, "admin/two_factor/setup.html", context)


def new_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes with fresh ones; each works once."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@_staff_session
def recovery_codes(request: HttpRequest) -> HttpResponse:
    codes = request.session.pop(NEW_CODES_SESSION_KEY, None)
    if not codes or not request.user.is_verified():
        return redirect(_next_url(request))
    context = _context(request, codes=codes, title="Your recovery codes")
    return render(request, "admin/two_factor/recovery_codes.html", context)
