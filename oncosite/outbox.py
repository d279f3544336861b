"""What every e-mail the site stores before sending shares: when to try again after a failed attempt."""

from datetime import timedelta

# Minutes before attempt n+1 (the last repeats): about a day of retries, then every 6 hours for good.
BACKOFF_MINUTES = [1, 5, 15, 60, 180, 360]


def backoff(attempts: int) -> timedelta:
    return timedelta(minutes=BACKOFF_MINUTES[min(attempts, len(BACKOFF_MINUTES)) - 1])
