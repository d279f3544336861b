from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import get_usage

from oncosite.client_ip import client_ip

RATE_LIMIT_GROUP = "orders.request_test"


def rate_limit_key(group: str, request: HttpRequest) -> str:
    # Requests without a readable address share one bucket rather than escaping the limit.
    return client_ip(request) or "unknown"


def order_rate(group: str, request: HttpRequest | None) -> str:
    # Read at request time, so the rate can change without a code change (and tests can override it).
    return settings.ORDER_RATE_LIMIT


def count_and_check(address: str | None) -> bool:
    """Count one stored request for this client address; True when it is past ORDER_RATE_LIMIT."""
    # django-ratelimit's counter keyed on the address itself, so the service needs no HTTP request.
    usage = get_usage(
        None, group=RATE_LIMIT_GROUP, key=lambda group, request: address or "unknown", rate=order_rate, increment=True
    )
    return bool(usage and usage["should_limit"])
