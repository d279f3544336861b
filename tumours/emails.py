"""E-mails to staff about drafts: to reviewers when one is submitted, to its editors when it is approved or sent back.

Each is stored as an EditorialEmail in the action's own transaction and sent by the task worker after the commit,
so a mail outage never blocks or undoes an approval; a failed send is retried with back-off, by the worker and by
`send_pending_notifications` (the same cron job as the request notifications).
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from oncosite.outbox import backoff, drain

from .editorial import Draft, EditorialEmail
from .reminders import reviewer_addresses

logger = logging.getLogger(__name__)


def submitted(*, tumour, draft: Draft) -> None:
    to = [address for address in reviewer_addresses() if address != _address(draft.submitted_by)]
    _queue(to, f"Oncosite: “{tumour.name}” is awaiting your review", "submitted", tumour=tumour, draft=draft)


def approved(*, tumour, draft: Draft) -> None:
    to = _editors(draft, excluding=draft.approved_by)
    _queue(to, f"Oncosite: your changes to “{tumour.name}” were approved", "approved", tumour=tumour, draft=draft)


def changes_requested(*, tumour, draft: Draft, by) -> None:
    to = _editors(draft, excluding=by)
    _queue(to, f"Oncosite: changes requested on “{tumour.name}”", "changes_requested", tumour=tumour, draft=draft)


def _editors(draft: Draft, *, excluding) -> list[str]:
    people = {draft.updated_by, draft.submitted_by} - {None, excluding}
    return sorted({_address(person) for person in people} - {""})


def _address(user) -> str:
    return user.email if user is not None and user.is_active else ""


def _queue(to: list[str], subject: str, template: str, *, tumour, draft: Draft) -> None:
    if not to:
        return
    site = settings.SITE_URL.rstrip("/")
    context = {
        "tumour": tumour,
        "draft": draft,
        "edit_url": site + reverse("admin:tumours_tumour_change", args=[tumour.pk]),
        "review_url": site + reverse("admin:tumours_tumour_review", args=[tumour.pk]),
    }
    body = render_to_string(f"tumours/email/{template}.txt", context)
    # One line, whatever a page name holds: a header with a line break would be refused at sending.
    email = EditorialEmail.objects.create(to=to, subject=" ".join(subject.split())[:200], body=body)
    transaction.on_commit(lambda: _enqueue(email.pk))


def _enqueue(email_id: int) -> None:
    from .tasks import deliver_editorial_email

    deliver_editorial_email.enqueue(email_id)


def attempt(email_id: int) -> EditorialEmail | None:
    """One delivery attempt. Returns the e-mail if it is still queued afterwards."""
    with transaction.atomic():
        email = EditorialEmail.objects.select_for_update().filter(pk=email_id, state=EditorialEmail.State.QUEUED)
        email = email.first()
        if email is None:
            return None
        email.attempts += 1
        try:
            EmailMessage(email.subject, email.body, to=email.to).send()
        except Exception as exc:  # noqa: BLE001 - whatever failed, the e-mail stays queued for the next attempt
            email.last_error = type(exc).__name__
            email.next_attempt_at = timezone.now() + backoff(email.attempts)
            logger.warning("Editorial e-mail %s not sent (attempt %s): %s", email.pk, email.attempts, email.last_error)
        else:
            email.state, email.sent_at, email.last_error = EditorialEmail.State.SENT, timezone.now(), ""
        email.save()
    return email if email.state == EditorialEmail.State.QUEUED else None


def send_pending(*, due_only: bool = False) -> tuple[int, int]:
    """Try every queued e-mail now (or only those whose back-off has passed): (sent, still queued)."""
    pending = EditorialEmail.objects.filter(state=EditorialEmail.State.QUEUED)
    if due_only:
        pending = pending.filter(next_attempt_at__lte=timezone.now())
    return drain(pending, attempt)
