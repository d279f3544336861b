"""Writing test requests: the one place a request is created, and every later change to one."""

import logging
import re
import secrets
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tumours.models import TestKit, Tumour

from . import webhooks
from .client_ip import count_and_check
from .consent import CONSENT_VERSION
from .form_tokens import read_form_token
from .messages import STATUS_UPDATES, status_update
from .models import (
    NEXT_ACTION_NOTE_LENGTH,
    AccessLog,
    ContactAttempt,
    EmailTemplate,
    FieldChange,
    InternalNote,
    Notification,
    RequestStatusChange,
    TestRequest,
    WebhookDelivery,
    sha256_hex,
)
from .personal_data import REQUEST_ERASURE
from .personal_data import erase as erase_attached
from .phones import to_e164
from .references import new_reference
from .team import display_name, sales_team
from .working_hours import first_contact_due

logger = logging.getLogger(__name__)

REFERENCE_ATTEMPTS = 5
CLOSED_ELSEWHERE = (TestRequest.Status.LOST, TestRequest.Status.SPAM)


class Outcome(StrEnum):
    STORED = "stored"
    DUPLICATE_SUBMISSION = "duplicate submission"  # the same form posted again: the first post's request
    DECOY = "decoy"  # the honeypot was filled: a bot, shown a confirmation, nothing stored
    RATE_LIMITED = "rate-limited"
    RETRY = "retry"  # the form's token was too fresh, too old or forged: nothing stored, try again


@dataclass(frozen=True)
class Submission:
    outcome: Outcome
    test_request: TestRequest | None = None
    decoy_reference: str = ""


def submit_request(*, tumour: Tumour, test_kit: TestKit, data: dict, client_ip: str | None) -> Submission:
    """What becomes of a valid request form (data: its cleaned_data, with the honeypot and the signed one-time
    token), checked in this order: honeypot, token, a second post of the same form, the rate limit per client
    address; then it is stored."""
    if data.get("website"):
        return Submission(Outcome.DECOY, decoy_reference=new_reference())
    token = read_form_token(data.get("form_token", ""))
    if token is None:
        return Submission(Outcome.RETRY)
    already = TestRequest.objects.filter(submission_token_hash=sha256_hex(token.nonce)).first()
    if already is not None:
        return Submission(Outcome.DUPLICATE_SUBMISSION, already)
    if count_and_check(client_ip):
        return Submission(Outcome.RATE_LIMITED)
    stored = create_test_request(tumour=tumour, test_kit=test_kit, data=data, submission_token=token.nonce)
    return Submission(Outcome.STORED if stored.just_created else Outcome.DUPLICATE_SUBMISSION, stored)


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
    now = timezone.now()
    fields.update(
        phone_digits=re.sub(r"\D", "", fields["phone"]),
        phone_e164=to_e164(fields["phone"], str(fields["country"])),
        submission_token_hash=token_hash,
        status_seed=secrets.token_hex(16),
        first_contact_due_at=first_contact_due(now),
        last_activity_at=now,
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
        webhooks.queue_event(test_request=test_request, event=webhooks.CREATED)
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


class StaleEdit(Exception):
    """Someone else changed a field this save would change, after the form was opened."""

    def __init__(self, conflicts: list[str]):
        self.conflicts = conflicts
        super().__init__(" ".join(conflicts))


def allowed_statuses(test_request: TestRequest) -> list[str]:
    """Where the request may go from its status: the next step, lost or spam; from lost or spam back to where it
    was; nowhere once the report is issued."""
    status = test_request.status
    if status in CLOSED_ELSEWHERE:
        return [reopen_target(test_request)]
    if status == TestRequest.Status.REPORT_ISSUED:
        return []
    following = TestRequest.PIPELINE[TestRequest.PIPELINE.index(status) + 1]
    return [following, TestRequest.Status.LOST, TestRequest.Status.SPAM]


def reopen_target(test_request: TestRequest) -> str:
    closing = test_request.status_changes.filter(to_status=test_request.status).order_by("-changed_at", "-pk").first()
    return closing.from_status if closing else TestRequest.Status.NEW


def _labels(statuses) -> str:
    labels = dict(TestRequest.Status.choices)
    return ", ".join(str(labels[status]) for status in statuses) or "none: the request is finished"


def check_status_change(*, current: TestRequest, to_status: str, note: str = "", reason: str = "") -> None:
    """Raise ValidationError unless current may move to to_status with this note and reason."""
    labels = dict(TestRequest.Status.choices)
    if to_status not in labels:
        raise ValidationError(f"“{to_status}” is not a status.", code="invalid_status")
    allowed = allowed_statuses(current)
    if to_status not in allowed:
        raise ValidationError(
            f"A request cannot go from {labels[current.status]} to {labels[to_status]}. "
            f"From {labels[current.status]} it may go to: {_labels(allowed)}.",
            code="invalid_transition",
        )
    if to_status in CLOSED_ELSEWHERE and reason not in TestRequest.CloseReason.values:
        raise ValidationError(f"Choose why the request is {labels[to_status].lower()}.", code="reason_required")
    if current.status in CLOSED_ELSEWHERE and not note.strip():
        raise ValidationError("Say in the note why the request is reopened.", code="reopen_note_required")


def change_status(
    *, test_request: TestRequest, to_status: str, by, note: str = "", reason: str = ""
) -> RequestStatusChange | None:
    """Move the request one allowed step (see allowed_statuses), recorded in the timeline. Lost and spam need a
    reason; reopening needs a note saying why. Raises ValidationError naming the allowed moves otherwise."""
    with transaction.atomic():
        current = _locked(test_request)
        if current.status == to_status:
            return None
        check_status_change(current=current, to_status=to_status, note=note, reason=reason)
        now = timezone.now()
        fields = {
            "status": to_status,
            "closed_at": now if to_status in TestRequest.CLOSED_STATUSES else None,
            "close_reason": reason if to_status in CLOSED_ELSEWHERE else "",
            "last_activity_at": now,
        }
        if current.first_contacted_at is None and to_status in TestRequest.PIPELINE[1:]:
            fields["first_contacted_at"] = now
        _save(test_request, **fields)
        change = RequestStatusChange.objects.create(
            test_request=test_request,
            changed_by=by,
            changed_at=now,
            from_status=current.status,
            to_status=to_status,
            note=note.strip(),
            reason=fields["close_reason"],
        )
        if to_status in STATUS_UPDATES and test_request.email and not test_request.erased_at:
            subject, body = status_update(test_request)
            _queue(test_request, kind=Notification.Kind.STATUS, subject=subject, body=body, sent_by=by)
        webhooks.queue_event(test_request=test_request, event=webhooks.STATUS_CHANGED)
    return change


def assign(*, test_request: TestRequest, owner, by) -> FieldChange | None:
    """Give the request to a Sales team member (or to nobody), recorded in the timeline."""
    if owner is not None and not sales_team().filter(pk=owner.pk).exists():
        raise ValidationError(f"{display_name(owner)} is not in the Sales team.", code="not_sales")
    with transaction.atomic():
        current = _locked(test_request)
        if current.owner_id == (owner.pk if owner else None):
            return None
        now = timezone.now()
        _save(test_request, owner=owner, last_activity_at=now)
        return FieldChange.objects.create(
            test_request=test_request,
            changed_by=by,
            changed_at=now,
            field=FieldChange.Field.OWNER,
            from_value=display_name(current.owner) if current.owner_id else "",
            to_value=display_name(owner) if owner else "",
        )


def set_next_action(*, test_request: TestRequest, on: date | None, note: str, by) -> FieldChange | None:
    note = " ".join(note.split())[:NEXT_ACTION_NOTE_LENGTH]
    with transaction.atomic():
        current = _locked(test_request)
        if (current.next_action_on, current.next_action_note) == (on, note):
            return None
        now = timezone.now()
        _save(test_request, next_action_on=on, next_action_note=note, last_activity_at=now)
        return FieldChange.objects.create(
            test_request=test_request,
            changed_by=by,
            changed_at=now,
            field=FieldChange.Field.NEXT_ACTION,
            from_value=_next_action_text(current.next_action_on, current.next_action_note),
            to_value=_next_action_text(on, note),
        )


def _next_action_text(on: date | None, note: str) -> str:
    when = on.strftime("%-d %b %Y") if on else "no date"
    return f"{when}: {note}" if note else when


def log_contact_attempt(*, test_request: TestRequest, by, channel: str, outcome: str, note: str = "") -> ContactAttempt:
    if channel not in ContactAttempt.Channel.values or outcome not in ContactAttempt.Outcome.values:
        raise ValidationError("Choose how you tried to reach the requester and what happened.", code="invalid")
    with transaction.atomic():
        current = _locked(test_request)
        now = timezone.now()
        _save(test_request, first_contacted_at=current.first_contacted_at or now, last_activity_at=now)
        return ContactAttempt.objects.create(
            test_request=test_request, made_by=by, made_at=now, channel=channel, outcome=outcome, note=note.strip()
        )


def send_message(*, test_request: TestRequest, template: EmailTemplate, subject: str, body: str, by) -> Notification:
    """Queue an e-mail to the requester (subject and body as previewed), sent and retried like every
    notification, recorded in the timeline. It counts as a first contact."""
    if test_request.erased_at or not test_request.email:
        raise ValidationError("This request has no e-mail address to write to.", code="no_email")
    subject = " ".join(subject.split())
    if not subject or not body.strip():
        raise ValidationError("The e-mail needs a subject and a text.", code="empty")
    with transaction.atomic():
        current = _locked(test_request)
        now = timezone.now()
        _save(test_request, first_contacted_at=current.first_contacted_at or now, last_activity_at=now)
        return _queue(
            test_request,
            kind=Notification.Kind.MESSAGE,
            subject=subject,
            body=body,
            sent_by=by,
            template_name=template.name,
        )


def add_note(*, test_request: TestRequest, author, text: str) -> InternalNote:
    with transaction.atomic():
        now = timezone.now()
        _save(test_request, last_activity_at=now)
        return InternalNote.objects.create(test_request=test_request, author=author, created_at=now, text=text)


# The fields of the admin form that two people may change at once; see apply_edit.
TRACKED_FIELDS = ("status", "owner", "next_action_on", "next_action_note")


def tracked_values(test_request: TestRequest) -> dict:
    """The tracked fields as plain values, as the form saw them (signed into the form) or as stored."""
    next_on = test_request.next_action_on
    return {
        "status": test_request.status,
        "owner": test_request.owner_id,
        "next_action_on": next_on.isoformat() if next_on else "",
        "next_action_note": test_request.next_action_note,
    }


def stale_conflicts(*, test_request: TestRequest, seen: dict, changing) -> list[str]:
    """For each field this save changes that someone else changed after `seen` was read: who, when, what."""
    stored = tracked_values(_locked(test_request))
    return [_who_changed(test_request, name) for name in changing if stored[name] != seen.get(name, stored[name])]


def _who_changed(test_request: TestRequest, name: str) -> str:
    if name == "status":
        entry = test_request.status_changes.order_by("-changed_at", "-pk").first()
        what = "the status"
        by, at = (entry.changed_by, entry.changed_at) if entry else (None, None)
    else:
        field = FieldChange.Field.OWNER if name == "owner" else FieldChange.Field.NEXT_ACTION
        entry = test_request.field_changes.filter(field=field).order_by("-changed_at", "-pk").first()
        what = "the owner" if name == "owner" else "the next action"
        by, at = (entry.changed_by, entry.changed_at) if entry else (None, None)
    when = timezone.localtime(at).strftime("%-d %b %Y at %H:%M") if at else "a moment ago"
    return f"{display_name(by) if entry else 'Someone'} changed {what} on {when}, after you opened this page."


def apply_edit(
    *, test_request: TestRequest, by, seen: dict, changes: dict, status_note: str = "", reason: str = ""
) -> None:
    """Save what one person changed on the request's form, and only that: a field someone else changed since
    `seen` was read is refused (StaleEdit) rather than overwritten; other fields they changed are kept."""
    with transaction.atomic():
        conflicts = stale_conflicts(test_request=test_request, seen=seen, changing=changes)
        if conflicts:
            raise StaleEdit(conflicts)
        if "status" in changes:
            change_status(
                test_request=test_request, to_status=changes["status"], by=by, note=status_note, reason=reason
            )
        if "owner" in changes:
            assign(test_request=test_request, owner=changes["owner"], by=by)
        if "next_action_on" in changes or "next_action_note" in changes:
            set_next_action(
                test_request=test_request,
                on=changes.get("next_action_on", test_request.next_action_on),
                note=changes.get("next_action_note", test_request.next_action_note),
                by=by,
            )


def _locked(test_request: TestRequest) -> TestRequest:
    # The stored row, locked until the transaction ends: two saves at once queue here (PostgreSQL).
    return TestRequest.objects.select_for_update(of=("self",)).select_related("owner").get(pk=test_request.pk)


def _save(test_request: TestRequest, **fields) -> None:
    for name, value in fields.items():
        setattr(test_request, name, value)
    test_request.save(update_fields=[*fields, "updated_at"])


def _queue(test_request: TestRequest, **fields) -> Notification:
    notification = Notification.objects.create(test_request=test_request, **fields)
    transaction.on_commit(lambda: _enqueue([notification.pk]), robust=True)
    return notification


def anonymise(test_requests) -> int:
    """Erase the personal data of these requests (everything personal_data defines), keeping the anonymous rows
    (tumour, status, dates, country) for statistics. Queued e-mails and CRM deliveries are cancelled, and each
    CRM is told the request was erased."""
    ids = list(test_requests.filter(erased_at__isnull=True).values_list("pk", flat=True))
    with transaction.atomic():
        erased = TestRequest.objects.filter(pk__in=ids).update(**REQUEST_ERASURE, erased_at=timezone.now())
        Notification.objects.filter(test_request_id__in=ids, state=Notification.State.QUEUED).update(
            state=Notification.State.CANCELLED
        )
        WebhookDelivery.objects.filter(test_request_id__in=ids, state=WebhookDelivery.State.PENDING).update(
            state=WebhookDelivery.State.CANCELLED
        )
        erase_attached(ids)
        for test_request in TestRequest.objects.filter(pk__in=ids).select_related("tumour", "test_kit"):
            webhooks.queue_event(test_request=test_request, event=webhooks.ERASED)
    return erased


def record_subject_access(*, data: dict, user, username: str) -> None:
    """Log a subject-access export against each request it covered (never the address asked for)."""
    references = [row["reference"] for row in data["requests"]]
    entries = [
        AccessLog(user=user, username=username, action=AccessLog.Action.SUBJECT_ACCESS, test_request=test_request)
        for test_request in TestRequest.objects.filter(reference__in=references)
    ]
    if not entries:
        entries = [AccessLog(user=user, username=username, action=AccessLog.Action.SUBJECT_ACCESS, detail="none found")]
    AccessLog.objects.bulk_create(entries)
