import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, unless the site runs behind a proxy named in CLIENT_IP_HEADER. A client can send any header
    it likes, so a header is believed only when configured, and in X-Forwarded-For only the entry our own
    TRUSTED_PROXY_COUNT proxies appended (counting from the right) is used."""
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
        return "unknown"
    if address.version == 6:
        # One subscriber usually holds a whole /64.
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return str(address)


def rate_limit_key(group: str, request: HttpRequest) -> str:
    return client_ip(request)


def order_rate(group: str, request: HttpRequest) -> str:
    # Read at request time, so the rate can change without a code change (and tests can override it).
    return settings.ORDER_RATE_LIMIT
