"""One notification that cannot be sent never stops the others: its error is recorded on it and the loop goes on."""

import pytest
from django.core import mail
from django.core.management import call_command

from orders.models import Notification, TestRequest
from tests.orders.helpers import fetched_form
from tumours.models import Tumour

pytestmark = pytest.mark.django_db


def send_requests(client, tumour, count: int, capture) -> list[TestRequest]:
    url = f"{tumour.get_absolute_url()}request-test/"
    for _ in range(count):
        with capture(execute=False):  # stored and queued; sent below, by the command
            assert client.post(url, fetched_form(client, url)).status_code == 302
    return list(TestRequest.objects.order_by("pk"))


def test_a_notification_that_raises_is_recorded_and_the_others_are_sent(
    client, demo_tumour, django_capture_on_commit_callbacks
):
    first, broken, last = send_requests(client, demo_tumour, 3, django_capture_on_commit_callbacks)
    # An address that could only be stored before validation existed: no e-mail header may hold a line break.
    TestRequest.objects.filter(pk=broken.pk).update(email="ada@example.com\nBcc: everyone@example.com")
    call_command("send_pending_notifications")
    sent_to = sorted(message.to[0] for message in mail.outbox)
    assert sent_to == ["ada@example.com"] * 2 + ["sales@oncosite.invalid"] * 3
    failed = Notification.objects.get(test_request=broken, kind="requester")
    assert failed.state == "queued" and failed.attempts == 1
    assert failed.last_error == "BadHeaderError"
    assert "ada@example.com" not in failed.last_error
    assert Notification.objects.filter(state="sent").count() == 5


def test_a_tumour_name_with_a_line_break_still_reaches_sales_on_one_line(
    client, demo_tumour, django_capture_on_commit_callbacks
):
    # Stored before the rule against control characters (an update walks past validation, as old rows did).
    Tumour.objects.filter(pk=demo_tumour.pk).update(name="Leiomyo\r\nsarcoma\tuterine")
    send_requests(client, demo_tumour, 1, django_capture_on_commit_callbacks)
    call_command("send_pending_notifications")
    sales = next(message for message in mail.outbox if message.to == ["sales@oncosite.invalid"])
    assert sales.subject.endswith("– Leiomyo sarcoma uterine")
    assert set(Notification.objects.values_list("state", flat=True)) == {"sent"}
