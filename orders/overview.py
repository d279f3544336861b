"""Figures for the sales overview: for requests received in a date range, the funnel, each owner's counts and
median time to first contact, why requests were lost or spam, counts by status, tumour and week. Every count
comes with the address of the sales list showing exactly those requests."""

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone

from .models import TestRequest
from .team import display_name
from .working_hours import humanise, waited, working_week

DEFAULT_DAYS = 30
CHART_HEIGHT = 160
BAR_STEP = 60
FUNNEL_WIDTH = 360
FUNNEL_ROW = 36


@dataclass
class Period:
    start: date
    end: date  # inclusive
    error: str = ""

    @classmethod
    def from_query(cls, params, today: date | None = None) -> "Period":
        today = today or timezone.localdate()
        default = cls(today - timedelta(days=DEFAULT_DAYS - 1), today)
        try:
            start = date.fromisoformat(params.get("from") or default.start.isoformat())
            end = date.fromisoformat(params.get("to") or default.end.isoformat())
        except ValueError:
            return cls(default.start, default.end, "Dates must look like 2026-11-30; showing the last 30 days.")
        if start > end:
            return cls(end, start, "The start came after the end, so the two were swapped.")
        return cls(start, end)

    @property
    def since(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def until(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))

    def list_url(self, **filters) -> str:
        # The parameters the sales list's "created at" filter reads, plus the view "All" and any filter given.
        params = {"view": "all", "created_at__gte": str(self.since), "created_at__lt": str(self.until), **filters}
        return reverse("admin:orders_testrequest_changelist") + "?" + urlencode(params)


def presets(today: date | None = None) -> list[tuple[str, str]]:
    today = today or timezone.localdate()
    month_start = today.replace(day=1)
    last_month_end = month_start - timedelta(days=1)
    ranges = [
        ("Last 30 days", today - timedelta(days=29), today),
        ("This month", month_start, today),
        ("Last month", last_month_end.replace(day=1), last_month_end),
        ("Last 12 weeks", today - timedelta(weeks=12) + timedelta(days=1), today),
    ]
    return [(label, "?" + urlencode({"from": start, "to": end})) for label, start, end in ranges]


@dataclass
class Row:
    label: str
    count: int
    url: str
    share: float = 0.0  # of the largest in its table, 0..1, for drawing
    extra: dict = field(default_factory=dict)

    @property
    def percent(self) -> int:
        return round(self.share * 100)


def _scaled(rows: list[Row]) -> list[Row]:
    largest = max((row.count for row in rows), default=0) or 1
    for row in rows:
        row.share = row.count / largest
    return rows


def funnel(requests, period: Period) -> list[Row]:
    labels = dict(TestRequest.Status.choices)
    rows, previous = [], None
    for stage in TestRequest.PIPELINE:
        if stage == TestRequest.Status.NEW:
            count, url = requests.count(), period.list_url()
        else:
            count, url = requests.reached(stage).count(), period.list_url(reached=stage)
        conversion = f"{round(100 * count / previous)}%" if previous else "—"
        rows.append(Row(str(labels[stage]), count, url, extra={"conversion": conversion}))
        previous = count
    for i, row in enumerate(_scaled(rows)):
        row.extra.update(y=i * FUNNEL_ROW, width=max(round(row.share * FUNNEL_WIDTH), 1))
    return rows


def median_first_contact(pairs) -> str:
    waits = [waited(created, contacted) for created, contacted in pairs]
    return humanise(statistics.median(waits)) if waits else "—"


def by_owner(requests, period: Period) -> list[Row]:
    counts = requests.values("owner").annotate(
        n=Count("pk"),
        contacted=Count("pk", filter=Q(first_contacted_at__isnull=False)),
        reports=Count("pk", filter=Q(status=TestRequest.Status.REPORT_ISSUED)),
        lost=Count("pk", filter=Q(status=TestRequest.Status.LOST)),
    )
    contacts: dict = {}
    for owner, created, contacted in requests.filter(first_contacted_at__isnull=False).values_list(
        "owner", "created_at", "first_contacted_at"
    ):
        contacts.setdefault(owner, []).append((created, contacted))
    users = {user.pk: user for user in _owners([row["owner"] for row in counts])}
    rows = []
    for row in counts:
        owner = row["owner"]
        label = display_name(users.get(owner)) if owner else "Unassigned"
        url = period.list_url(owner=owner or "none")
        extra = {key: row[key] for key in ("contacted", "reports", "lost")}
        extra["median"] = median_first_contact(contacts.get(owner, []))
        extra["urls"] = {
            "contacted": url + "&reached=contacted",
            "reports": url + "&status__exact=report_issued",
            "lost": url + "&status__exact=lost",
        }
        rows.append(Row(label, row["n"], url, extra=extra))
    return sorted(rows, key=lambda row: (row.label == "Unassigned", row.label))


def _owners(ids):
    return get_user_model().objects.filter(pk__in=[pk for pk in ids if pk])


def close_reasons(requests, period: Period) -> list[Row]:
    statuses, reasons = dict(TestRequest.Status.choices), dict(TestRequest.CloseReason.choices)
    counts = (
        requests.filter(status__in=[TestRequest.Status.LOST, TestRequest.Status.SPAM])
        .values_list("status", "close_reason")
        .annotate(n=Count("pk"))
        .order_by("status", "-n")
    )
    return _scaled(
        [
            Row(
                f"{statuses[status]}: {reasons.get(reason, 'no reason given')}",
                n,
                period.list_url(status__exact=status, close_reason__exact=reason),
            )
            for status, reason, n in counts
        ]
    )


def by_status(requests, period: Period) -> list[Row]:
    counts = dict(requests.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    return _scaled(
        [
            Row(str(label), counts.get(value, 0), period.list_url(status__exact=value))
            for value, label in TestRequest.Status.choices
        ]
    )


def by_tumour(requests, period: Period) -> list[Row]:
    rows = requests.values("tumour", "tumour__name").annotate(n=Count("pk")).order_by("-n", "tumour__name")
    return _scaled(
        [Row(row["tumour__name"], row["n"], period.list_url(tumour__id__exact=row["tumour"])) for row in rows]
    )


def by_week(requests, period: Period) -> list[Row]:
    first_monday = period.start - timedelta(days=period.start.weekday())
    days = requests.annotate(day=TruncDate("created_at")).values("day").annotate(n=Count("pk")).values_list("day", "n")
    weeks = {}
    monday = first_monday
    while monday <= period.end:
        weeks[monday] = 0
        monday += timedelta(weeks=1)
    for day, n in days:
        weeks[day - timedelta(days=day.weekday())] += n
    rows = []
    for i, (monday, n) in enumerate(weeks.items()):
        week = Period(max(monday, period.start), min(monday + timedelta(days=6), period.end))
        rows.append(Row(f"w/c {monday:%-d %b}", n, week.list_url(), extra={"x": i * BAR_STEP + 10}))
    for row in _scaled(rows):
        height = round(row.share * CHART_HEIGHT)
        row.extra.update(height=height, y=20 + CHART_HEIGHT - height)
    return rows


def figures(period: Period) -> dict:
    requests = TestRequest.objects.filter(created_at__gte=period.since, created_at__lt=period.until)
    contacted = requests.filter(first_contacted_at__isnull=False)
    weeks = by_week(requests, period)
    return {
        "period": period,
        "presets": presets(),
        "total": requests.count(),
        "all_url": period.list_url(),
        "median_first_contact": median_first_contact(contacted.values_list("created_at", "first_contacted_at")),
        "within_sla": contacted.filter(first_contacted_at__lte=F("first_contact_due_at")).count(),
        "contacted": contacted.count(),
        "overdue": requests.overdue().count(),
        "overdue_url": period.list_url(view="overdue"),
        "working_hours": working_week(),
        "funnel": funnel(requests, period),
        "funnel_height": FUNNEL_ROW * len(TestRequest.PIPELINE),
        "by_owner": by_owner(requests, period),
        "close_reasons": close_reasons(requests, period),
        "by_status": by_status(requests, period),
        "by_tumour": by_tumour(requests, period),
        "by_week": weeks,
        "week_chart_width": max(BAR_STEP * len(weeks) + 20, 200),
    }
