"""Who is asking: the client address used by the admin login lockout."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, unless settings name the header our own proxy sets (CLIENT_IP_HEADER).

    A client can send any header it likes, so a header counts only when configured, and of an
    X-Forwarded-For list only the entry our TRUSTED_PROXY_COUNT proxies appended (from the right).
    """
    remote = request.META.get("REMOTE_ADDR")
    header = getattr(settings, "CLIENT_IP_HEADER", "")
    if header:
        entries = [entry.strip() for entry in request.META.get(header, "").split(",") if entry.strip()]
        count = max(getattr(settings, "TRUSTED_PROXY_COUNT", 1), 1)
        if len(entries) >= count:
            remote = entries[-count]
    return remote
