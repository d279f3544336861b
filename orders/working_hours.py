"""The sales team's working week: how long a request has waited in working hours, and when its first contact
is due. Configured by SALES_WORKING_DAYS, SALES_WORKING_HOURS, SALES_TIME_ZONE and SALES_FIRST_CONTACT_SLA."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings

DAY_NAMES = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
# A deadline further away than this many calendar days means the week has no working hours at all.
MAX_DAYS = 3700


@dataclass(frozen=True)
class WorkingWeek:
    days: frozenset[int]  # 0 is Monday
    start: time
    end: time
    zone: ZoneInfo

    @property
    def hours_per_day(self) -> float:
        return (datetime.combine(date.min, self.end) - datetime.combine(date.min, self.start)).seconds / 3600

    def window(self, day: date) -> tuple[datetime, datetime] | None:
        # Local wall-clock times: a clock change (at night) never shortens the working day.
        if day.weekday() not in self.days:
            return None
        return datetime.combine(day, self.start, self.zone), datetime.combine(day, self.end, self.zone)

    def add(self, moment: datetime, hours: float) -> datetime:
        """The moment `hours` working hours after `moment`."""
        remaining = timedelta(hours=hours)
        moment = moment.astimezone(self.zone)
        day = moment.date()
        for _ in range(MAX_DAYS):
            window = self.window(day)
            if window and (begin := max(window[0], moment)) < window[1]:
                if remaining <= window[1] - begin:
                    return begin + remaining
                remaining -= window[1] - begin
            day += timedelta(days=1)
        raise ValueError("SALES_WORKING_DAYS and SALES_WORKING_HOURS leave no working time.")

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Working time from start to end (zero if end is earlier)."""
        if end <= start:
            return timedelta()
        first, last = start.astimezone(self.zone).date(), end.astimezone(self.zone).date()
        total = self._overlap(first, start, end)
        # The days strictly between are whole working days; whole weeks of them count the same each, so a
        # two-year backlog is not 730 steps.
        weeks = max((last - first).days - 1, 0) // 7
        total += weeks * len(self.days) * timedelta(hours=self.hours_per_day)
        day = first + timedelta(days=1 + 7 * weeks)
        while day <= last:
            total += self._overlap(day, start, end)
            day += timedelta(days=1)
        return total

    def _overlap(self, day: date, start: datetime, end: datetime) -> timedelta:
        window = self.window(day)
        return max(min(window[1], end) - max(window[0], start), timedelta()) if window else timedelta()


@lru_cache(maxsize=8)
def _week(days: tuple[str, ...], hours: str, zone: str) -> WorkingWeek:
    start, end = (time.fromisoformat(part.strip()) for part in hours.split("-"))
    return WorkingWeek(frozenset(DAY_NAMES.index(d.strip().lower()[:3]) for d in days), start, end, ZoneInfo(zone))


def working_week() -> WorkingWeek:
    return _week(tuple(settings.SALES_WORKING_DAYS), settings.SALES_WORKING_HOURS, settings.SALES_TIME_ZONE)


def first_contact_due(received_at: datetime) -> datetime:
    return working_week().add(received_at, settings.SALES_FIRST_CONTACT_SLA)


def waited(since: datetime, until: datetime) -> timedelta:
    return working_week().between(since, until)


def humanise(duration: timedelta | None) -> str:
    """'45 min', '2 h', '1 working day', '3 working days': whole working days once a day has passed."""
    if duration is None:
        return ""
    hours = duration.total_seconds() / 3600
    per_day = working_week().hours_per_day
    if hours < 1:
        return f"{int(hours * 60)} min"
    if hours < per_day:
        return f"{int(hours)} h"
    days = int(hours // per_day)
    return f"{days} working day{'s' if days != 1 else ''}"
