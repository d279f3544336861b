import importlib
import sys

import pytest
from django.test import override_settings

# The settings that decide what a production response looks like; the rest (database, storage) stay as in tests.
PRODUCTION_NAMES = [
    "MIDDLEWARE", "AUTHENTICATION_BACKENDS", "CONTENT_SECURITY_POLICY", "PERMISSIONS_POLICY", "X_FRAME_OPTIONS",
    "SECURE_PROXY_SSL_HEADER", "SECURE_SSL_REDIRECT", "SECURE_REDIRECT_EXEMPT", "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY", "SECURE_CROSS_ORIGIN_OPENER_POLICY", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE", "SESSION_COOKIE_AGE", "CSRF_COOKIE_SECURE", "DEBUG",
    "AXES_FAILURE_LIMIT", "AXES_LOCKOUT_PARAMETERS", "AXES_COOLOFF_TIME", "AXES_LOCKOUT_TEMPLATE",
]  # fmt: skip


def load_production_settings(monkeypatch) -> dict:
    monkeypatch.setenv("DJANGO_SECRET_KEY", "x" * 64)
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "testserver")
    for name in ("DJANGO_DEBUG", "DJANGO_SECURE_SSL_REDIRECT", "DJANGO_SECURE_HSTS_SECONDS"):
        monkeypatch.delenv(name, raising=False)
    sys.modules.pop("oncosite.settings.production", None)
    module = importlib.import_module("oncosite.settings.production")
    sys.modules.pop("oncosite.settings.production", None)
    return {name: getattr(module, name) for name in PRODUCTION_NAMES}


@pytest.fixture
def production_settings(monkeypatch):
    """The production module's security settings, applied to the test run (requests must be secure=True)."""
    with override_settings(**load_production_settings(monkeypatch)):
        yield
