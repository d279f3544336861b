"""Checks that stop a deployment that would run but quietly fail people (`manage.py check --deploy`)."""

import re

from django.conf import settings
from django.core import checks

RATE = re.compile(r"^\d+/\d*[smhd]$")


@checks.register(checks.Tags.security, deploy=True)
def check_production_dependencies(app_configs, **kwargs):
    errors = []
    if not settings.SALES_NOTIFICATION_EMAILS:
        errors.append(
            checks.Error(
                "SALES_NOTIFICATION_EMAILS is empty: nobody in sales would hear of a new test request.",
                hint="Set SALES_NOTIFICATION_EMAILS to the sales team's addresses, comma-separated.",
                id="oncosite.E001",
            )
        )
    if not settings.REDIS_URL:
        errors.append(
            checks.Error(
                "REDIS_URL is not set: each app process would keep its own cache, so rate limits would count per "
                "process and an edit would not clear the other servers' cached pages.",
                hint="Set REDIS_URL to the Redis every app server shares, e.g. redis://cache.internal:6379/0.",
                id="oncosite.E002",
            )
        )
    if not settings.STAFF_TWO_FACTOR_REQUIRED:
        errors.append(
            checks.Error(
                "STAFF_TWO_FACTOR_REQUIRED is off: staff who see patients' personal data would log in with a "
                "password alone.",
                hint="Remove STAFF_TWO_FACTOR_REQUIRED from the environment (it is on by default).",
                id="oncosite.E003",
            )
        )
    return errors


@checks.register()
def check_search_rate(app_configs, **kwargs):
    if RATE.match(str(settings.SEARCH_RATE_LIMIT)):
        return []
    message = f"SEARCH_RATE_LIMIT {settings.SEARCH_RATE_LIMIT!r} is not a rate such as 60/m, 1000/h or 20/10s."
    return [checks.Error(message, id="oncosite.E004")]
