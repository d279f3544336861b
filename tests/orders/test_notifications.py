import logging
from datetime import timedelta

from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from orders.models import Notification, TestRequest
from tests.orders.helpers import fetched_form

PERSONAL = ("Ada", "Lovelace", "ada@example.com", "7946", "Mornings")


def submit(client, form_url, capture):
    with capture(execute=True):
        response = client.post(form_url, fetched_form(client, form_url))
    assert response.status_code == 302
    return response


def test_new_request_emails_sales_without_personal_data(client, form_url, django_capture_on_commit_callbacks):
    submit(client, form_url, django_capture_on_commit_callbacks)
    stored = TestRequest.objects.get()
    sales = next(m for m in mail.outbox if m.to == ["sales@oncosite.invalid"])
    assert stored.reference in sales.subject and "Leiomyosarcoma" in sales.subject
    for expected in (stored.reference, "Leiomyosarcoma", "Patient", "United Kingdom"):
        assert expected in sales.body
    assert f"/admin/orders/testrequest/{stored.pk}/change/" in sales.body
    for personal in PERSONAL:
        assert personal not in sales.subject and personal not in sales.body


def test_requester_gets_reference_next_steps_and_a_working_status_link(
    client, form_url, django_capture_on_commit_callbacks
):
    submit(client, form_url, django_capture_on_commit_callbacks)
    stored = TestRequest.objects.get()
    confirmation = next(m for m in mail.outbox if m.to == ["ada@example.com"])
    assert stored.reference in confirmation.subject
    for personal in PERSONAL:
        assert personal not in confirmation.subject
    assert "What happens next" in confirmation.body
    link = next(word for word in confirmation.body.split() if "/orders/status/" in word)
    page = client.get(link.split("testserver")[-1].replace("http://127.0.0.1:8000", ""))
    assert page.status_code == 200
    assert stored.reference in page.content.decode()
    assert Notification.objects.filter(state="sent").count() == 2


def test_emails_wait_for_the_commit(client, form_url, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(form_url, fetched_form(client, form_url))
    assert mail.outbox == []
    assert len(callbacks) == 1
    assert Notification.objects.filter(state="queued").count() == 2


def test_mail_server_down_request_is_stored_confirmed_and_sent_later(
    client, form_url, dead_mail_server, django_capture_on_commit_callbacks
):
    response = submit(client, form_url, django_capture_on_commit_callbacks)
    stored = TestRequest.objects.get()
    assert stored.reference in client.get(response["Location"]).content.decode()
    notifications = list(Notification.objects.all())
    assert len(notifications) == 2
    for notification in notifications:
        assert notification.state == "queued"
        assert notification.attempts == 1
        assert notification.last_error == "ConnectionRefusedError"
        assert notification.next_attempt_at > timezone.now()
    dead_mail_server.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("send_pending_notifications")
    assert sorted(m.to[0] for m in mail.outbox) == ["ada@example.com", "sales@oncosite.invalid"]
    assert set(Notification.objects.values_list("state", flat=True)) == {"sent"}
    call_command("send_pending_notifications")
    assert len(mail.outbox) == 2  # never sent twice


def test_retries_back_off(client, form_url, dead_mail_server, django_capture_on_commit_callbacks):
    submit(client, form_url, django_capture_on_commit_callbacks)
    waits = []
    for _ in range(7):
        call_command("send_pending_notifications")
        notification = Notification.objects.get(kind="sales")
        waits.append(notification.next_attempt_at - timezone.now())
    assert notification.attempts == 8 and notification.state == "queued"
    assert waits[0] < waits[2] < waits[4]
    assert waits[-1] < timedelta(hours=6, minutes=1)


def test_due_only_skips_those_still_backing_off(client, form_url, dead_mail_server, django_capture_on_commit_callbacks):
    submit(client, form_url, django_capture_on_commit_callbacks)
    dead_mail_server.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("send_pending_notifications", "--due")
    assert mail.outbox == []
    Notification.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    call_command("send_pending_notifications", "--due")
    assert len(mail.outbox) == 2


def test_sales_notification_waits_while_no_address_is_configured(
    client, form_url, settings, django_capture_on_commit_callbacks
):
    settings.SALES_NOTIFICATION_EMAILS = []
    submit(client, form_url, django_capture_on_commit_callbacks)
    sales = Notification.objects.get(kind="sales")
    assert sales.state == "queued" and "SALES_NOTIFICATION_EMAILS" in sales.last_error
    settings.SALES_NOTIFICATION_EMAILS = ["lead@oncosite.invalid"]
    call_command("send_pending_notifications")
    assert any(m.to == ["lead@oncosite.invalid"] for m in mail.outbox)


def test_database_queue_sends_through_the_worker(
    transactional_db, client, form_url, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    submit(client, form_url, django_capture_on_commit_callbacks)
    assert mail.outbox == []  # queued, waiting for the worker
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert len(mail.outbox) == 2
    assert set(Notification.objects.values_list("state", flat=True)) == {"sent"}


def test_database_queue_requeues_a_failed_send_for_later(
    transactional_db, client, form_url, dead_mail_server, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    dead_mail_server.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    submit(client, form_url, django_capture_on_commit_callbacks)
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    later = DBTaskResult.objects.filter(status="READY")
    assert later.count() == 2
    assert all(result.run_after > timezone.now() for result in later)


def test_no_personal_data_in_logs(client, form_url, caplog, dead_mail_server, django_capture_on_commit_callbacks):
    caplog.set_level(logging.DEBUG)
    submit(client, form_url, django_capture_on_commit_callbacks)  # stored, then the mail server refuses
    client.post(form_url, fetched_form(client, form_url, {"full_name": "Ada Lovelace", "email": "ada@"}))
    client.post(form_url, {"full_name": "Ada Lovelace", "email": "ada@example.com"}, REQUEST_METHOD="PUT")
    assert "not sent" in caplog.text  # the failure is logged...
    for personal in PERSONAL:
        assert personal not in caplog.text  # ...without saying whose request it was


def test_the_request_page_shows_what_happened_to_its_emails(
    client, form_url, dead_mail_server, django_capture_on_commit_callbacks, sales
):
    submit(client, form_url, django_capture_on_commit_callbacks)
    stored = TestRequest.objects.get()
    client.force_login(sales)
    html = client.get(reverse("admin:orders_testrequest_change", args=[stored.pk])).content.decode()
    assert "Confirmation, to the requester: <strong>Queued</strong>" in html
    assert "1 failed attempt (ConnectionRefusedError)" in html
