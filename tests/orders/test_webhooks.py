"""The CRM hand-off against a real HTTP receiver on 127.0.0.1: it refuses twice, then accepts; it checks each
signature; every attempt of one event carries the same event id; nothing blocks or loses the request."""

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from orders import webhooks
from orders.models import TestRequest, WebhookDelivery
from orders.services import anonymise, change_status
from tests.orders.helpers import change_url, fetched_form

SECRET = "whsec-test-only-0123456789"


class Receiver:
    """A CRM endpoint: answers `failures` requests with 500, then 200; records what it got and whether the
    signature verified."""

    def __init__(self, failures: int = 0):
        self.failures = failures
        self.received: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
                verified = hmac.compare_digest(expected, self.headers.get("X-Oncosite-Signature", ""))
                receiver.received.append(
                    {"body": json.loads(body), "verified": verified, "headers": dict(self.headers)}
                )
                failing = len(receiver.received) <= receiver.failures
                self.send_response(500 if failing or not verified else 200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/oncosite"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def crm(settings):
    receiver = Receiver(failures=2)
    settings.SALES_WEBHOOK_URL = [receiver.url]
    settings.SALES_WEBHOOK_SECRET = SECRET
    yield receiver
    receiver.stop()


def make_due():
    WebhookDelivery.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def send(client, form_url, capture):
    with capture(execute=True):
        response = client.post(form_url, fetched_form(client, form_url))
    assert response.status_code == 302
    return TestRequest.objects.get()


def test_a_new_request_reaches_the_crm_after_two_refusals_signed_and_with_one_event_id(
    client, form_url, crm, django_capture_on_commit_callbacks
):
    stored = send(client, form_url, django_capture_on_commit_callbacks)  # first attempt: refused
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)
    assert delivery.next_attempt_at > timezone.now()
    call_command("send_pending_webhooks")  # not due yet: nothing is sent
    assert len(crm.received) == 1
    make_due()
    call_command("send_pending_webhooks")  # refused again
    make_due()
    call_command("send_pending_webhooks")  # accepted
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == ("delivered", 3, 200)
    assert [record.status_code for record in delivery.attempt_records.all()] == [500, 500, 200]
    assert len(crm.received) == 3 and all(hit["verified"] for hit in crm.received)
    assert len({hit["body"]["id"] for hit in crm.received}) == 1  # the same event id every time
    event = crm.received[-1]["body"]
    assert event["event"] == "request.created" and event["occurred_at"]
    assert event["request"]["reference"] == stored.reference
    assert (event["request"]["tumour"], event["request"]["kit"], event["request"]["status"]) == (
        "Leiomyosarcoma",
        "Oncofocus",
        "new",
    )
    assert event["request"]["requester"]["email"] == "ada@example.com"
    assert event["request"]["requester"]["phone_e164"] == "+442079460000"
    assert crm.received[-1]["headers"]["X-Oncosite-Delivery"] == event["id"]


def test_a_status_change_is_an_event_without_the_requesters_details(
    client, form_url, crm, sales, django_capture_on_commit_callbacks
):
    crm.failures = 0
    stored = send(client, form_url, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        change_status(test_request=stored, to_status="contacted", by=sales)
    created, changed = (hit["body"] for hit in crm.received)
    assert changed["event"] == "request.status_changed" and changed["request"]["status"] == "contacted"
    assert "requester" not in changed["request"] and changed["id"] != created["id"]


def test_a_crm_that_never_accepts_is_marked_failed_listed_for_superusers_and_never_blocks_intake(
    client, form_url, crm, superuser, sales_client, django_capture_on_commit_callbacks
):
    crm.failures = 1000
    stored = send(client, form_url, django_capture_on_commit_callbacks)
    for _ in range(webhooks.MAX_ATTEMPTS):
        make_due()
        call_command("send_pending_webhooks")
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts) == ("failed", webhooks.MAX_ATTEMPTS)
    assert len(crm.received) == webhooks.MAX_ATTEMPTS
    assert (
        "request.created: <strong>Failed: retries stopped</strong>"
        in sales_client.get(change_url(stored)).content.decode()
    )
    assert sales_client.get(reverse("admin:orders_webhookdelivery_changelist")).status_code == 403
    client.force_login(superuser)  # the same client: now a superuser
    listing = client.get(reverse("admin:orders_webhookdelivery_changelist"), {"state__exact": "failed"})
    assert stored.reference in listing.content.decode()
    crm.failures = 0
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:orders_webhookdelivery_changelist"),
            {"action": "retry_now", "_selected_action": [delivery.pk], "index": 0},
        )
    delivery.refresh_from_db()
    assert delivery.state == "delivered"


def test_the_crm_being_down_loses_nothing(client, form_url, settings, django_capture_on_commit_callbacks):
    settings.SALES_WEBHOOK_URL = ["http://127.0.0.1:9/nothing-listens-here"]
    settings.SALES_WEBHOOK_SECRET = SECRET
    stored = send(client, form_url, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    assert stored.reference and delivery.state == "pending"
    assert delivery.last_error == "ConnectionRefusedError" and delivery.last_status_code is None


def test_nothing_is_sent_unsigned(client, form_url, crm, settings, django_capture_on_commit_callbacks):
    settings.SALES_WEBHOOK_SECRET = ""
    send(client, form_url, django_capture_on_commit_callbacks)
    assert crm.received == []
    assert "SALES_WEBHOOK_SECRET is empty" in WebhookDelivery.objects.get().last_error


def test_several_addresses_get_the_same_event(client, form_url, crm, settings, django_capture_on_commit_callbacks):
    crm.failures = 0
    other = Receiver()
    settings.SALES_WEBHOOK_URL = [crm.url, other.url]
    try:
        send(client, form_url, django_capture_on_commit_callbacks)
    finally:
        other.stop()
    assert crm.received[0]["body"]["id"] == other.received[0]["body"]["id"]


def test_erasure_cancels_pending_deliveries_blanks_what_was_sent_and_tells_the_crm(
    client, form_url, crm, django_capture_on_commit_callbacks
):
    stored = send(client, form_url, django_capture_on_commit_callbacks)
    crm.failures = 0
    with django_capture_on_commit_callbacks(execute=True):
        anonymise(TestRequest.objects.filter(pk=stored.pk))
    created = WebhookDelivery.objects.get(event="request.created")
    assert created.state == "cancelled" and "ada@example.com" not in created.payload
    erased = crm.received[-1]["body"]
    assert erased["event"] == "request.erased" and erased["request"]["reference"] == stored.reference
    assert "requester" not in erased["request"]


def test_the_settings_are_checked(settings):
    settings.SALES_WEBHOOK_URL = ["ftp://crm.example/x"]
    settings.SALES_WEBHOOK_SECRET = ""
    ids = {error.id for error in webhooks.check_webhook_settings(None)}
    assert ids == {"orders.E010", "orders.E011"}
    settings.SALES_WEBHOOK_URL = ["http://crm.example/x"]
    assert [w.id for w in webhooks.check_webhook_https(None)] == ["orders.W010"]


def test_the_database_queue_retries_through_the_worker(
    transactional_db, client, form_url, crm, settings, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    crm.failures = 1
    send(client, form_url, django_capture_on_commit_callbacks)
    assert crm.received == []  # queued, waiting for the worker
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert len(crm.received) == 1  # refused; the worker queued a retry for after the back-off
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.run_after > timezone.now()
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert WebhookDelivery.objects.get().state == "delivered" and len(crm.received) == 2
