"""The morning digest: each salesperson's overdue first contacts, the unassigned ones anybody may take, and their
follow-ups due today. Like the new-request alert it carries references and links, never a requester's details."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .models import TestRequest
from .team import sales_team
from .working_hours import humanise, waited, working_week


def _line(test_request: TestRequest, site_url: str, detail: str) -> str:
    link = site_url + reverse("admin:orders_testrequest_change", args=[test_request.pk])
    return f"{test_request.reference} – {test_request.tumour.name} – {detail}\n  {link}"


def digest_for(user, *, now=None) -> tuple[str, str] | None:
    """(subject, body) of this user's digest, or None when there is nothing to do."""
    now = now or timezone.now()
    today = timezone.localtime(now, working_week().zone).date()
    site_url = settings.SITE_URL.rstrip("/")
    overdue = TestRequest.objects.overdue(now).select_related("tumour").order_by("created_at")
    mine = [_line(r, site_url, f"waiting {humanise(waited(r.created_at, now))}") for r in overdue.filter(owner=user)]
    unassigned = [
        _line(r, site_url, f"waiting {humanise(waited(r.created_at, now))}") for r in overdue.filter(owner__isnull=True)
    ]
    follow_ups = [
        _line(r, site_url, f"due {r.next_action_on:%-d %b}")
        for r in TestRequest.objects.follow_up_due(today)
        .filter(owner=user)
        .select_related("tumour")
        .order_by("next_action_on", "created_at")
    ]
    if not (mine or unassigned or follow_ups):
        return None
    overdue_count = len(mine) + len(unassigned)
    subject = f"Sales digest {today:%-d %b}: {overdue_count} overdue, {len(follow_ups)} follow-up(s) due"
    context = {"user": user, "mine": mine, "unassigned": unassigned, "follow_ups": follow_ups}
    context["list_url"] = site_url + reverse("admin:orders_testrequest_changelist")
    return subject, render_to_string("orders/email/sales_digest.txt", context)


def send_digests(*, now=None) -> int:
    """E-mail every Sales team member with an address their digest; returns how many were sent."""
    sent = 0
    for user in sales_team().exclude(email=""):
        message = digest_for(user, now=now)
        if message:
            send_mail(*message, from_email=None, recipient_list=[user.email])
            sent += 1
    return sent
