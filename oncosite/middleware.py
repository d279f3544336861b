"""Site-wide response handling: security headers and the 'database unavailable' page."""

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from .errors import database_unavailable_response, is_database_unavailable

logger = logging.getLogger(__name__)


class SecurityHeadersMiddleware:
    """Permissions-Policy (Django has no setting for it), and X-Frame-Options on static files too.

    It sits before whitenoise, which answers static files before XFrameOptionsMiddleware runs.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        if not getattr(response, "xframe_options_exempt", False):
            response.headers.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
        return response


class DatabaseUnavailableMiddleware:
    """A view that cannot reach the database answers 503 with the branded page, and the next request retries.

    Django drops a broken connection at the end of the request, so the site recovers by itself when the
    database returns. Errors raised outside views (e.g. saving a session) reach oncosite.errors.server_error.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_unavailable(exception):
            return None
        logger.error("Database unavailable while serving %s: %s", request.path, exception.__class__.__name__)
        return database_unavailable_response()
