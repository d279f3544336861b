"""Error pages that must render without the database."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.views import defaults

try:  # Raised directly only by code that talks to psycopg2 without Django's wrapper.
    from psycopg2 import InterfaceError as PgInterfaceError
    from psycopg2 import OperationalError as PgOperationalError
except ImportError:  # pragma: no cover - SQLite-only installs
    PgInterfaceError = PgOperationalError = OperationalError

DATABASE_ERRORS = (OperationalError, InterfaceError, PgOperationalError, PgInterfaceError)
RETRY_AFTER_SECONDS = 30


def is_database_unavailable(exception: BaseException | None) -> bool:
    return isinstance(exception, DATABASE_ERRORS)


def database_unavailable_response() -> HttpResponse:
    # Rendered without the request: context processors could touch the session or the user, i.e. the database.
    response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    """handler500: a database outage anywhere (middleware included) is a 503, anything else the 500 page."""
    if is_database_unavailable(sys.exc_info()[1]):
        return database_unavailable_response()
    return defaults.server_error(request, template_name=template_name)
