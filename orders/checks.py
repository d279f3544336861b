import re

from django.conf import settings
from django.core import checks

RATE = re.compile(r"^\d+/\d*[smhd]$")


@checks.register()
def check_order_settings(app_configs, **kwargs):
    # A malformed rate would only show up as an error on the first visitor's post.
    errors = []
    if not RATE.match(str(settings.ORDER_RATE_LIMIT)):
        errors.append(
            checks.Error(
                f"ORDER_RATE_LIMIT {settings.ORDER_RATE_LIMIT!r} is not a rate such as 5/h, 20/d or 100/15m.",
                id="orders.E001",
            )
        )
    if settings.CLIENT_IP_HEADER and not settings.CLIENT_IP_HEADER.startswith("HTTP_"):
        errors.append(
            checks.Error(
                "CLIENT_IP_HEADER names a request header as Django sees it, e.g. HTTP_X_FORWARDED_FOR.",
                id="orders.E002",
            )
        )
    return errors
