"""The daily e-mail that keeps pages from going out of review silently."""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone

from oncosite.roles import CLINICAL_REVIEWERS

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


def send_review_reminders(*, today: datetime.date | None = None) -> tuple[int, int]:
    """E-mail the reviewers the pages overdue or due within REVIEW_WARNING_DAYS. Returns (pages, recipients)."""
    today = today or timezone.localdate()
    pages = [
        *Tumour.objects.review_needed(today).distinct().by_review_date(),
        *TestKit.objects.review_needed(today).distinct().by_review_date(),
    ]
    recipients = reviewer_addresses()
    if not pages or not recipients:
        return len(pages), 0
    body = "\n".join(
        [
            f"These pages are overdue for clinical review or due within {REVIEW_WARNING_DAYS} days:",
            "",
            *(_line(tumour, today) for tumour in pages),
            "",
            "Review each page: open it, save any change as a draft, and approve it as a clinical review "
            "(a colleague approves if you made the last change).",
            "Full list: " + settings.SITE_URL.rstrip("/") + reverse("admin:tumours_tumour_review_due"),
        ]
    )
    subject = f"Oncosite: {len(pages)} page{'s' if len(pages) != 1 else ''} due for clinical review"
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    return len(pages), len(recipients)
