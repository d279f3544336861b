"""E-mails to staff about drafts of any page: to reviewers when one is submitted, to its editors when it is approved
or sent back.

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
from .models import TestKit
from .page_kinds import kind_of
from .reminders import reviewer_addresses

logger = logging.getLogger(__name__)


def submitted(*, page, draft: Draft) -> None:
    to = [address for address in reviewer_addresses() if address != _address(draft.submitted_by)]
    _queue(to, f"Oncosite: {_title(page)} is awaiting your review", "submitted", page=page, draft=draft)


def approved(*, page, draft: Draft) -> None:
    to = _editors(draft, excluding=draft.approved_by)
    _queue(to, f"Oncosite: your changes to {_title(page)} were approved", "approved", page=page, draft=draft)


def changes_requested(*, page, draft: Draft, by) -> None:
    to = _editors(draft, excluding=by)
    _queue(to, f"Oncosite: changes requested on {_title(page)}", "changes_requested", page=page, draft=draft)


def _title(page) -> str:
    # Tumour pages are named by the tumour; a kit's page says so, as the kit's name alone reads like a product.
    return f"the test kit page “{page.name}”" if isinstance(page, TestKit) else f"“{page.name}”"


def _editors(draft: Draft, *, excluding) -> list[str]:
    people = {draft.updated_by, draft.submitted_by} - {None, excluding}
    return sorted({_address(person) for person in people} - {""})


def _address(user) -> str:
    return user.email if user is not None and user.is_active else ""


def _queue(to: list[str], subject: str, template: str, *, page, draft: Draft) -> None:
    if not to:
        return
    site = settings.SITE_URL.rstrip("/")
    kind = kind_of(page)
    context = {
        "title": _title(page),
        "draft": draft,
        "edit_url": site + reverse(kind.admin_url_name("change"), args=[page.pk]),
        "review_url": site + reverse(kind.admin_url_name("review"), args=[page.pk]),
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
