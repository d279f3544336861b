"""A warning when the site runs behind a proxy that nobody told it about.

Without CLIENT_IP_HEADER every request seems to come from the proxy's address: five posts of the request form
block it for every visitor for an hour, and anyone can lock a staff account. A request carrying X-Forwarded-For
while CLIENT_IP_HEADER is empty means exactly that: logged once per process, and shown to superusers in the
admin (through the cache, so that every server's admin shows what one server saw).
"""

import logging

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

SEEN_KEY = "oncosite:forwarded-for-without-client-ip-header"
SEEN_SECONDS = 24 * 60 * 60
MESSAGE = (
    "Requests arrive with an X-Forwarded-For header but CLIENT_IP_HEADER is not set, so every visitor seems to "
    "come from the proxy's address: the request form's rate limit and the admin login lockout then count all "
    "visitors as one. Set CLIENT_IP_HEADER=HTTP_X_FORWARDED_FOR and TRUSTED_PROXY_COUNT to the number of your "
    "proxies."
)
_seen_here = False


def misconfigured_proxy_seen() -> bool:
    return _seen_here or bool(caches["default"].get(SEEN_KEY))


def _seen() -> None:
    global _seen_here
    if not _seen_here:
        _seen_here = True
        logger.warning(MESSAGE)
        caches["default"].set(SEEN_KEY, True, SEEN_SECONDS)


class ForwardedForWarningMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not settings.CLIENT_IP_HEADER and "HTTP_X_FORWARDED_FOR" in request.META:
            _seen()
        return self.get_response(request)


def admin_warning(request: HttpRequest) -> dict:
    """Context processor: the warning, for superusers, evaluated only where a template asks for it."""

    def warning() -> str:
        user = getattr(request, "user", None)
        return MESSAGE if user is not None and user.is_superuser and misconfigured_proxy_seen() else ""

    return {"proxy_header_warning": warning}
