"""Sending the e-mails recorded as Notification rows, with retries and back-off. Nothing here is lost: a row
stays queued until an attempt succeeds."""

import logging
import re

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from oncosite.outbox import backoff, drain
from oncosite.pages import contact_details

from .messages import reply_to_for
from .models import Notification

logger = logging.getLogger(__name__)

CONTROL_OR_SPACE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class NotConfigured(Exception):
    pass


def build_message(notification: Notification) -> EmailMessage | None:
    test_request = notification.test_request
    context = {"test_request": test_request, "site_url": settings.SITE_URL.rstrip("/"), "contact": contact_details()}
    if notification.kind == Notification.Kind.SALES:
        if not settings.SALES_NOTIFICATION_EMAILS:
            raise NotConfigured("SALES_NOTIFICATION_EMAILS is empty")
        context["admin_url"] = context["site_url"] + reverse("admin:orders_testrequest_change", args=[test_request.pk])
        # Reference, tumour, requester type, country and the link: never the name, e-mail, phone or message.
        # A line break in a header is refused by Django (BadHeaderError): names saved before the rule against
        # control characters still go out, on one line.
        subject = f"New test request {test_request.reference} – {one_line(test_request.tumour.name)}"
        body = render_to_string("orders/email/sales_new_request.txt", context)
        return EmailMessage(subject, body, to=settings.SALES_NOTIFICATION_EMAILS)
    if test_request.erased_at or not test_request.email:
        return None
    reply_to = reply_to_for(test_request)
    if notification.kind in (Notification.Kind.STATUS, Notification.Kind.MESSAGE):
        # Written when queued: what the salesperson previewed is what goes out.
        return EmailMessage(notification.subject, notification.body, to=[test_request.email], reply_to=reply_to)
    context["status_url"] = test_request.status_url()
    subject = f"Your Oncofocus test request {test_request.reference}"
    body = render_to_string("orders/email/requester_confirmation.txt", context)
    return EmailMessage(subject, body, to=[test_request.email], reply_to=reply_to)


def one_line(text: str) -> str:
    return " ".join(CONTROL_OR_SPACE.sub(" ", text).split())


def error_summary(exc: Exception) -> str:
    if isinstance(exc, NotConfigured):
        return f"{type(exc).__name__}: {exc}"  # our own wording, no personal data
    # Class and SMTP code only: the exception's text can name the recipient.
    code = getattr(exc, "smtp_code", None)
    return type(exc).__name__ + (f" (SMTP {code})" if code else "")


def attempt(notification_id: int) -> Notification | None:
    """One delivery attempt. Returns the notification if it is still queued afterwards."""
    with transaction.atomic():
        # Lock this notification only (of="self"): locking the joined tumour row too would make every request
        # for that tumour wait on, and deadlock with, each other's foreign-key checks.
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("test_request__tumour", "test_request__owner")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None or notification.state in (Notification.State.SENT, Notification.State.CANCELLED):
            return None
        notification.attempts += 1
        try:
            message = build_message(notification)
            if message is None:
                notification.state = Notification.State.CANCELLED
            else:
                message.send()
                notification.state = Notification.State.SENT
                notification.sent_at = timezone.now()
            notification.last_error = ""
        except Exception as exc:  # whatever the failure, it is this notification's: recorded, retried, never raised
            notification.state = Notification.State.QUEUED
            notification.last_error = error_summary(exc)
            notification.next_attempt_at = timezone.now() + backoff(notification.attempts)
            logger.warning(
                "Notification %s for %s not sent (attempt %s): %s",
                notification.pk,
                notification.test_request.reference,
                notification.attempts,
                notification.last_error,
            )
        notification.save()
    return notification if notification.state == Notification.State.QUEUED else None


def send_pending(*, due_only: bool = False) -> tuple[int, int]:
    """Try every queued notification now (or only those whose back-off has passed): (sent, still queued)."""
    pending = Notification.objects.filter(state=Notification.State.QUEUED)
    if due_only:
        pending = pending.filter(next_attempt_at__lte=timezone.now())
    return drain(pending, attempt)
