"""Who is asking: the client address used by the login lockout."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    value = request.META.get(settings.CLIENT_IP_HEADER) or request.META.get("REMOTE_ADDR")
    # X-Forwarded-For style headers list the client first.
    return value.split(",")[0].strip() if value else None
