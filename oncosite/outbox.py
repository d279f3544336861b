"""What every message the site stores before sending shares (request notifications, editorial e-mails, CRM
webhooks): when to try again after a failed attempt, and how a backlog is worked through."""

import logging
from collections.abc import Callable
from datetime import timedelta

from django.db.models import QuerySet

logger = logging.getLogger(__name__)

# Minutes before attempt n+1 (the last repeats): about a day of retries, then every 6 hours for good.
BACKOFF_MINUTES = [1, 5, 15, 60, 180, 360]


def backoff(attempts: int) -> timedelta:
    return timedelta(minutes=BACKOFF_MINUTES[min(attempts, len(BACKOFF_MINUTES)) - 1])


def drain(pending: QuerySet, attempt: Callable[[int], object | None]) -> tuple[int, int]:
    """Attempt each pending row, oldest first: (done, still pending). `attempt(pk)` returns the row while it is
    still pending. A row that cannot even be attempted (say the database refused to record its failure) is
    logged and counted as pending, and the others go on: one message must never block the rest."""
    done = still = 0
    for pk in list(pending.order_by("pk").values_list("pk", flat=True)):
        try:
            pending_after = attempt(pk) is not None
        except Exception:
            logger.exception("%s %s could not be attempted", pending.model.__name__, pk)
            pending_after = True
        done, still = (done, still + 1) if pending_after else (done + 1, still)
    return done, still
