"""The daily e-mail that keeps pages from going out of review, or their links from dying, silently."""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone

from oncosite.roles import CLINICAL_REVIEWERS

from .link_health import LinkCheck
from .models import REVIEW_WARNING_DAYS, ReviewedPage, TestKit, Tumour
from .page_kinds import kind_of


def reviewer_addresses() -> list[str]:
    users = get_user_model().objects.filter(groups__name=CLINICAL_REVIEWERS, is_active=True).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


def _line(page: ReviewedPage, today: datetime.date) -> str:
    if page.next_review_due is None:
        when = "no review date set"
    elif page.next_review_due < today:
        when = f"overdue since {page.next_review_due:%d %B %Y}"
    else:
        when = f"due {page.next_review_due:%d %B %Y}"
    link = settings.SITE_URL.rstrip("/") + reverse(kind_of(page).admin_url_name("change"), args=[page.pk])
    what = "test kit page, " if isinstance(page, TestKit) else ""
    return f"- {page.name} ({what}{page.get_status_display()}): {when}\n  {link}"


def _problem_lines(links: list[LinkCheck]) -> list[str]:
    lines = []
    for link in links:
        since = timezone.localtime(link.problem_since).strftime("%d %B %Y")
        lines.append(f"- {link.get_state_display()} since {since}: {link.url} ({link.outcome})")
        for use in link.uses.all():
            lines.append(f"  on {use.tumour.name}, {use.place}")
    return lines


def send_review_reminders(*, today: datetime.date | None = None) -> tuple[int, int]:
    """E-mail the reviewers the pages overdue or due within REVIEW_WARNING_DAYS, and the link problems found since
    the last reminder (each is told once). Returns (pages, recipients)."""
    today = today or timezone.localdate()
    pages = [
        *Tumour.objects.review_needed(today).distinct().by_review_date(),
        *TestKit.objects.review_needed(today).distinct().by_review_date(),
    ]
    problems = list(LinkCheck.objects.not_yet_reported().prefetch_related("uses__tumour").order_by("problem_since"))
    recipients = reviewer_addresses()
    if not (pages or problems) or not recipients:
        return len(pages), 0
    site = settings.SITE_URL.rstrip("/")
    lines = []
    if pages:
        lines += [
            f"These pages are overdue for clinical review or due within {REVIEW_WARNING_DAYS} days:",
            "",
            *(_line(tumour, today) for tumour in pages),
            "",
            "Review each page: open it, save any change as a draft, and approve it as a clinical review "
            "(a colleague approves if you made the last change).",
            "Full list: " + site + reverse("admin:tumours_tumour_review_due"),
        ]
    if problems:
        lines += [
            *([""] if lines else []),
            f"New link problems ({len(problems)}): a source or link on a live page is broken or has moved.",
            "",
            *_problem_lines(problems),
            "",
            "Every link problem: " + site + reverse("admin:tumours_tumour_link_problems"),
        ]
    send_mail(_subject(len(pages), len(problems)), "\n".join(lines), settings.DEFAULT_FROM_EMAIL, recipients)
    LinkCheck.objects.filter(pk__in=[link.pk for link in problems]).update(reported_at=timezone.now())
    return len(pages), len(recipients)


def _subject(pages: int, problems: int) -> str:
    parts = []
    if pages:
        parts.append(f"{pages} page{'s' if pages != 1 else ''} due for clinical review")
    if problems:
        parts.append(f"{problems} new link problem{'s' if problems != 1 else ''}")
    return "Oncosite: " + ", ".join(parts)
