"""Writing test requests: the one place a request is created, and every later change to one."""

import logging
import re
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from tumours.models import TestKit, Tumour

from .consent import CONSENT_VERSION
from .models import InternalNote, Notification, StatusChange, TestRequest, sha256_hex
from .references import new_reference

logger = logging.getLogger(__name__)

REFERENCE_ATTEMPTS = 5
ERASED_TEXT = "[erased]"


def create_test_request(*, tumour: Tumour, test_kit: TestKit, data: dict, submission_token: str = "") -> TestRequest:
    """Store a validated request (data: the form's cleaned_data) under a fresh unique reference, with its
    notifications, and send them once committed. A second post of the same one-time submission_token returns
    the request the first one stored, with .just_created False."""
    token_hash = sha256_hex(submission_token) if submission_token else None
    if token_hash:
        existing = TestRequest.objects.filter(submission_token_hash=token_hash).first()
        if existing:
            return _found(existing)
    fields = {name: data[name] for name in ("requester_type", "full_name", "email", "country")}
    fields.update(phone=data.get("phone", ""), message=data.get("message", ""))
    fields.update(tumour=tumour, test_kit=test_kit, consent_version=CONSENT_VERSION, consented_at=timezone.now())
    fields.update(
        phone_digits=re.sub(r"\D", "", fields["phone"]),
        submission_token_hash=token_hash,
        status_seed=secrets.token_hex(16),
    )
    with transaction.atomic():
        for attempt in range(REFERENCE_ATTEMPTS):
            try:
                test_request = _insert(fields)
                break
            except IntegrityError:
                # The same form posted twice at once: the other post stored it (its transaction has committed,
                # since the unique index made this one wait for it).
                if token_hash and (existing := TestRequest.objects.filter(submission_token_hash=token_hash).first()):
                    return _found(existing)
                if attempt == REFERENCE_ATTEMPTS - 1:
                    raise
                # Otherwise a reference collision (1 in 10^12): draw another.
        test_request.status_token_hash = sha256_hex(test_request.status_token())
        earlier = TestRequest.objects.possible_duplicates_of(test_request)
        earlier = earlier.filter(created_at__lte=test_request.created_at)
        test_request.duplicate_of = earlier.order_by("created_at").first()
        test_request.save(update_fields=["status_token_hash", "duplicate_of"])
        notifications = [Notification(test_request=test_request, kind=Notification.Kind.REQUESTER)]
        notifications.append(Notification(test_request=test_request, kind=Notification.Kind.SALES))
        Notification.objects.bulk_create(notifications)
        ids = list(test_request.notifications.values_list("pk", flat=True))
        transaction.on_commit(lambda: _enqueue(ids), robust=True)
    logger.info("Test request %s stored", test_request.reference)
    test_request.just_created = True
    return test_request


def _found(test_request: TestRequest) -> TestRequest:
    test_request.just_created = False
    return test_request


def _insert(fields: dict) -> TestRequest:
    # A savepoint, so that a collision can be retried inside an outer transaction.
    with transaction.atomic():
        return TestRequest.objects.create(reference=new_reference(), **fields)


def _enqueue(notification_ids: list[int]) -> None:
    from .tasks import deliver_notification

    for pk in notification_ids:
        # If the queue is down the row stays queued; send_pending_notifications picks it up.
        deliver_notification.enqueue(pk)


def change_status(*, test_request: TestRequest, to_status: str, by, note: str = "") -> StatusChange | None:
    from_status = TestRequest.objects.filter(pk=test_request.pk).values_list("status", flat=True).get()
    if from_status == to_status:
        return None
    test_request.status = to_status
    test_request.closed_at = timezone.now() if to_status in TestRequest.CLOSED_STATUSES else None
    with transaction.atomic():
        test_request.save(update_fields=["status", "closed_at", "updated_at"])
        return StatusChange.objects.create(
            test_request=test_request, changed_by=by, from_status=from_status, to_status=to_status, note=note
        )


def add_note(*, test_request: TestRequest, author, text: str) -> InternalNote:
    return InternalNote.objects.create(test_request=test_request, author=author, text=text)


def anonymise(test_requests) -> int:
    """Erase the personal data of these requests, keeping the anonymous rows (tumour, status, dates, country)
    for statistics. Notes and status-change notes go too: staff write about the person there."""
    ids = list(test_requests.filter(erased_at__isnull=True).values_list("pk", flat=True))
    with transaction.atomic():
        erased = TestRequest.objects.filter(pk__in=ids).update(
            full_name=ERASED_TEXT,
            email="",
            phone="",
            phone_digits="",
            message="",
            status_seed="",
            status_token_hash="",
            submission_token_hash=None,
            erased_at=timezone.now(),
        )
        InternalNote.objects.filter(test_request_id__in=ids).update(text=ERASED_TEXT)
        StatusChange.objects.filter(test_request_id__in=ids).exclude(note="").update(note=ERASED_TEXT)
        Notification.objects.filter(test_request_id__in=ids, state=Notification.State.QUEUED).update(
            state=Notification.State.CANCELLED
        )
    return erased
