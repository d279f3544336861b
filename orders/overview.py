"""Figures for the sales overview page: counts by status, tumour and week, and the median wait for a first
contact."""

import statistics
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Min, OuterRef, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone

from .models import StatusChange, TestRequest

WEEKS = 12


CHART_HEIGHT = 160
BAR_WIDTH = 44
BAR_STEP = 60


@dataclass
class Bar:
    label: str
    count: int
    share: float  # of the largest bar, 0..1, for drawing

    @property
    def percent(self) -> int:
        return round(self.share * 100)


@dataclass
class Column:
    """A bar of the weekly SVG chart, with its geometry worked out here rather than in the template."""

    bar: Bar
    x: int
    y: int
    height: int


def columns(bar_list: list[Bar]) -> list[Column]:
    result = []
    for i, bar in enumerate(bar_list):
        height = round(bar.share * CHART_HEIGHT)
        result.append(Column(bar, x=i * BAR_STEP + 10, y=20 + CHART_HEIGHT - height, height=height))
    return result


def bars(pairs: list[tuple[str, int]]) -> list[Bar]:
    largest = max((count for _, count in pairs), default=0) or 1
    return [Bar(label, count, count / largest) for label, count in pairs]


def by_status() -> list[Bar]:
    counts = dict(TestRequest.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    return bars([(label, counts.get(value, 0)) for value, label in TestRequest.Status.choices])


def by_tumour() -> list[Bar]:
    rows = TestRequest.objects.values("tumour__name").annotate(n=Count("pk")).order_by("-n", "tumour__name")
    return bars([(row["tumour__name"], row["n"]) for row in rows])


def by_week(today=None) -> list[Bar]:
    today = today or timezone.localdate()
    first_monday = today - timedelta(days=today.weekday(), weeks=WEEKS - 1)
    days = (
        TestRequest.objects.filter(created_at__date__gte=first_monday)
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    weeks = {first_monday + timedelta(weeks=i): 0 for i in range(WEEKS)}
    for day, n in days:
        weeks[day - timedelta(days=day.weekday())] += n
    return bars([(f"w/c {monday:%d %b}", n) for monday, n in weeks.items()])


def median_new_to_contacted() -> timedelta | None:
    first_contact = (
        StatusChange.objects.filter(test_request=OuterRef("pk"), to_status=TestRequest.Status.CONTACTED)
        .values("test_request")
        .annotate(first=Min("changed_at"))
        .values("first")
    )
    pairs = (
        TestRequest.objects.annotate(contacted_at=Subquery(first_contact))
        .filter(contacted_at__isnull=False)
        .values_list("created_at", "contacted_at")
    )
    waits = [(contacted - created).total_seconds() for created, contacted in pairs]
    return timedelta(seconds=statistics.median(waits)) if waits else None


def humanise(duration: timedelta | None) -> str:
    if duration is None:
        return "no request has been contacted yet"
    hours = duration.total_seconds() / 3600
    if hours < 1:
        return f"{round(duration.total_seconds() / 60)} minutes"
    if hours < 48:
        return f"{hours:.1f} hours"
    return f"{hours / 24:.1f} days"
