"""Who is asking: the client address for the request form's rate limit and the admin login lockout."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, unless the site runs behind a proxy named in CLIENT_IP_HEADER. A client can send any header
    it likes, so a header is believed only when configured, and in X-Forwarded-For only the entry our own
    TRUSTED_PROXY_COUNT proxies appended (counting from the right) is used. None when that is no address."""
    remote = request.META.get("REMOTE_ADDR", "")
    if settings.CLIENT_IP_HEADER:
        entries = [entry.strip() for entry in request.META.get(settings.CLIENT_IP_HEADER, "").split(",")]
        entries = [entry for entry in entries if entry]
        count = max(settings.TRUSTED_PROXY_COUNT, 1)
        if len(entries) >= count:
            remote = entries[-count]
    try:
        address = ipaddress.ip_address(remote)
    except ValueError:
        return None
    if address.version == 6:
        # One subscriber usually holds a whole /64.
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return str(address)
