"""CRM hand-off: every new request, status change and erasure is posted as JSON to each SALES_WEBHOOK_URL,
signed with HMAC-SHA256 over the raw body, through the task queue, retried with exponential back-off. Every
attempt is recorded; a delivery that keeps failing is marked failed and listed for superusers. The request
itself never waits for, or depends on, a delivery."""

import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks
from django.db import transaction
from django.utils import timezone

from oncosite.outbox import drain

from .models import TestRequest, WebhookAttempt, WebhookDelivery

logger = logging.getLogger(__name__)

CREATED = "request.created"
STATUS_CHANGED = "request.status_changed"
ERASED = "request.erased"
SIGNATURE_HEADER = "X-Oncosite-Signature"
TIMEOUT_SECONDS = 10
# Minutes before the next attempt double from 1 up to 6 hours; after MAX_ATTEMPTS (about a day) it is failed.
MAX_BACKOFF_MINUTES = 360
MAX_ATTEMPTS = 12


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2 ** (attempts - 1), MAX_BACKOFF_MINUTES))


def payload_for(test_request: TestRequest, *, event: str, event_id: uuid.UUID, occurred_at) -> str:
    request = {
        "reference": test_request.reference,
        "tumour": test_request.tumour.name,
        "kit": test_request.test_kit.name,
        "status": test_request.status,
        "status_label": test_request.get_status_display(),
    }
    if event == CREATED:
        request["requester"] = {
            "type": test_request.requester_type,
            "full_name": test_request.full_name,
            "email": test_request.email,
            "phone": test_request.phone,
            "phone_e164": test_request.phone_e164,
            "country": str(test_request.country),
            "message": test_request.message,
            "consent_version": test_request.consent_version,
            "consented_at": test_request.consented_at.isoformat(),
        }
    body = {"event": event, "id": str(event_id), "occurred_at": occurred_at.isoformat(), "request": request}
    return json.dumps(body, separators=(",", ":"), sort_keys=True)


def queue_event(*, test_request: TestRequest, event: str) -> list[WebhookDelivery]:
    """Record the event for every configured address (inside the caller's transaction) and send it after the
    commit. One event id for all addresses and all attempts."""
    if not settings.SALES_WEBHOOK_URL:
        return []
    event_id, now = uuid.uuid4(), timezone.now()
    payload = payload_for(test_request, event=event, event_id=event_id, occurred_at=now)
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            test_request=test_request, event_id=event_id, event=event, url=url, payload=payload, created_at=now
        )
        for url in settings.SALES_WEBHOOK_URL
    )
    ids = [delivery.pk for delivery in deliveries]
    transaction.on_commit(lambda: _enqueue(ids), robust=True)
    return deliveries


def _enqueue(ids: list[int]) -> None:
    from .tasks import deliver_webhook

    for pk in ids:
        # If the queue is down the row stays pending; send_pending_webhooks picks it up.
        deliver_webhook.enqueue(pk)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect would turn the POST into a GET without the body: count it as a failure instead.
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def _post(delivery: WebhookDelivery) -> tuple[int | None, str]:
    """(HTTP status or None, error summary or "")."""
    if not settings.SALES_WEBHOOK_SECRET:
        return None, "SALES_WEBHOOK_SECRET is empty: nothing is sent unsigned"
    body = delivery.payload.encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Oncosite-Webhooks/1",
        SIGNATURE_HEADER: sign(body, settings.SALES_WEBHOOK_SECRET),
        "X-Oncosite-Event": delivery.event,
        "X-Oncosite-Delivery": str(delivery.event_id),
    }
    request = urllib.request.Request(delivery.url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        # The class only: the text can quote addresses.
        reason = getattr(exc, "reason", None)
        return None, type(reason if isinstance(reason, Exception) else exc).__name__


def attempt(delivery_id: int) -> WebhookDelivery | None:
    """One delivery attempt, recorded. Returns the delivery if it is still pending afterwards."""
    with transaction.atomic():
        # Locked so that the worker and the cron safety net never post the same delivery at once.
        delivery = WebhookDelivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None or delivery.state != WebhookDelivery.State.PENDING:
            return None
        started = time.monotonic()
        status, error = _post(delivery)
        elapsed = round((time.monotonic() - started) * 1000)
        delivery.attempts += 1
        delivery.last_status_code, delivery.last_error = status, error
        if status is not None and 200 <= status < 300:
            delivery.state, delivery.delivered_at = WebhookDelivery.State.DELIVERED, timezone.now()
        else:
            error = error or f"HTTP {status}"
            delivery.last_error = error
            if delivery.attempts >= MAX_ATTEMPTS:
                delivery.state = WebhookDelivery.State.FAILED
                logger.error("CRM delivery %s failed %s times; retries stopped", delivery.pk, delivery.attempts)
            else:
                delivery.next_attempt_at = timezone.now() + backoff(delivery.attempts)
                logger.warning("CRM delivery %s not accepted (attempt %s): %s", delivery.pk, delivery.attempts, error)
        delivery.save()
        WebhookAttempt.objects.create(delivery=delivery, status_code=status, error=error, duration_ms=elapsed)
    return delivery if delivery.state == WebhookDelivery.State.PENDING else None


def send_pending(*, due_only: bool = True) -> tuple[int, int]:
    """Try the pending deliveries whose back-off has passed (or all of them): (done, still pending)."""
    pending = WebhookDelivery.objects.filter(state=WebhookDelivery.State.PENDING)
    if due_only:
        pending = pending.filter(next_attempt_at__lte=timezone.now())
    return drain(pending, attempt)


def retry(deliveries) -> int:
    """Put failed deliveries back in the queue now (a superuser's "Retry now")."""
    ids = list(deliveries.filter(state=WebhookDelivery.State.FAILED).values_list("pk", flat=True))
    WebhookDelivery.objects.filter(pk__in=ids).update(
        state=WebhookDelivery.State.PENDING, next_attempt_at=timezone.now()
    )
    transaction.on_commit(lambda: _enqueue(ids), robust=True)
    return len(ids)


@checks.register()
def check_webhook_settings(app_configs, **kwargs):
    errors = []
    for url in settings.SALES_WEBHOOK_URL:
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
            errors.append(
                checks.Error(f"SALES_WEBHOOK_URL has {url!r}, which is not an http(s) address.", id="orders.E010")
            )
    if settings.SALES_WEBHOOK_URL and not settings.SALES_WEBHOOK_SECRET:
        errors.append(
            checks.Error(
                "SALES_WEBHOOK_URL is set but SALES_WEBHOOK_SECRET is empty: events cannot be signed.", id="orders.E011"
            )
        )
    return errors


@checks.register(checks.Tags.security, deploy=True)
def check_webhook_https(app_configs, **kwargs):
    return [
        checks.Warning(
            f"SALES_WEBHOOK_URL {url!r} is not https: requesters' details would cross the network in clear.",
            id="orders.W010",
        )
        for url in settings.SALES_WEBHOOK_URL
        if urlsplit(url).scheme == "http"
    ]
