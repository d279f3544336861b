from django.conf import settings
from django.http import HttpRequest

from oncosite.client_ip import client_ip


def rate_limit_key(group: str, request: HttpRequest) -> str:
    # Requests without a readable address share one bucket rather than escaping the limit.
    return client_ip(request) or "unknown"


def order_rate(group: str, request: HttpRequest) -> str:
    # Read at request time, so the rate can change without a code change (and tests can override it).
    return settings.ORDER_RATE_LIMIT
