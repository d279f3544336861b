"""Real threads posting at once against a committed database: what a busy morning or a double click does."""

import socket
import threading

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from orders.models import Notification, TestRequest
from tests.orders.helpers import VALID, fetched_form


@pytest.fixture
def form_url(transactional_db, demo_tumour, settings):
    # Overrides conftest.py's: these threads need committed data and room for many posts from one address.
    settings.ORDER_RATE_LIMIT = "1000/h"  # every thread posts from 127.0.0.1
    return reverse("orders:request_test", args=[demo_tumour.slug])


# SQLite lets one connection write at a time: concurrent posts queue on its lock (or time out on it) in the
# session store before reaching our code. Production runs PostgreSQL, where these must pass.
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs DATABASE_URL=postgres://...")


def run_at_once(posts) -> list[int]:
    """posts: (client, data) pairs, each posted from its own thread, all released together."""
    barrier = threading.Barrier(len(posts))
    statuses = [0] * len(posts)
    errors = []

    def post(index, client, url, data):
        try:
            barrier.wait(timeout=30)
            statuses[index] = client.post(url, data).status_code
        except Exception as exc:  # collected, so that a failure in a thread fails the test
            errors.append((index, repr(exc)))
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(i, *args)) for i, args in enumerate(posts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    return statuses


def fresh_visitors(form_url, count):
    posts = []
    for i in range(count):
        client = Client()
        data = fetched_form(client, form_url, {**VALID, "email": f"person{i}@example.com"})
        posts.append((client, form_url, data))
    return posts


@postgres_only
def test_50_visitors_posting_at_once_store_exactly_50_with_distinct_references(form_url):
    statuses = run_at_once(fresh_visitors(form_url, 50))
    assert statuses == [302] * 50
    references = list(TestRequest.objects.values_list("reference", flat=True))
    assert len(references) == 50
    assert len(set(references)) == 50
    assert Notification.objects.filter(state="sent").count() == 100


@postgres_only
def test_the_same_form_posted_ten_times_at_once_stores_one(form_url):
    client = Client()
    data = fetched_form(client, form_url)
    posts = [(Client(), form_url, data) for _ in range(10)]
    assert run_at_once(posts) == [302] * 10
    assert TestRequest.objects.count() == 1


@postgres_only
def test_mail_server_unreachable_every_request_stored_and_sent_later(form_url, settings):
    with socket.socket() as sock:  # a port where nothing listens
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    posts = fresh_visitors(form_url, 20)
    assert run_at_once(posts) == [302] * 20
    for client, _, _ in posts:  # each visitor sees their confirmation
        assert "Request sent" in client.get(reverse("orders:request_sent")).content.decode()
    assert TestRequest.objects.count() == 20
    assert Notification.objects.filter(state="queued", attempts=1).count() == 40
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("send_pending_notifications")
    assert Notification.objects.filter(state="sent").count() == 40
    requesters = {message.to[0] for message in mail.outbox if message.to[0].startswith("person")}
    assert requesters == {f"person{i}@example.com" for i in range(20)}
