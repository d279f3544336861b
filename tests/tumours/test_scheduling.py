"""An approved change scheduled for a time: the live page serves until then, then the new one, with no human,
on every server, and no cached copy of the old page outlives the moment."""

import datetime
import threading
import time

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone
from django_tasks import default_task_backend

from tumours import services
from tumours.editorial import Draft
from tumours.models import Tumour

LIVE_TEXT = "A rare tumour of connective tissue."


def schedule(tumour, editor, reviewer, *, summary: str, at: datetime.datetime):
    services.save_draft(tumour=tumour, by=editor, fields={"summary": summary})
    services.submit_for_review(tumour=tumour, by=editor)
    return services.approve(tumour=tumour, by=reviewer, go_live_at=at)


@pytest.mark.django_db(transaction=True)
def test_the_page_changes_at_its_time_and_not_before_with_the_page_cache_on(live, editor, reviewer):
    visitor = Client()
    visitor.get("/tumours/angiosarcoma/")  # a cached copy exists before the approval
    at = timezone.now() + datetime.timedelta(seconds=2)
    schedule(live, editor, reviewer, summary="The text from the scheduled time.", at=at)
    while timezone.now() < at - datetime.timedelta(seconds=0.3):
        html = visitor.get("/tumours/angiosarcoma/").content.decode()
        assert LIVE_TEXT in html and "scheduled time" not in html
        time.sleep(0.2)
    time.sleep(max(0.0, (at - timezone.now()).total_seconds()) + 0.05)
    html = visitor.get("/tumours/angiosarcoma/").content.decode()
    assert "The text from the scheduled time." in html  # served by no worker and no cron: the request applied it
    live.refresh_from_db()
    assert live.published_at == at and services.draft_of(live) is None


def test_the_worker_is_given_a_job_for_the_scheduled_time(live, editor, reviewer, settings,
                                                        django_capture_on_commit_callbacks):  # fmt: skip
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    default_task_backend.clear()
    at = timezone.now() + datetime.timedelta(hours=3)
    with django_capture_on_commit_callbacks(execute=True):
        schedule(live, editor, reviewer, summary="Later.", at=at)
    jobs = [r for r in default_task_backend.results if r.task.name == "publish_scheduled_changes"]
    assert [job.task.run_after for job in jobs] == [at]


def test_the_command_puts_live_what_is_due_as_a_cron_safety_net(live, editor, reviewer, capsys):
    schedule(live, editor, reviewer, summary="Due already.", at=timezone.now() + datetime.timedelta(hours=1))
    Draft.objects.update(go_live_at=timezone.now() - datetime.timedelta(minutes=1))
    call_command("publish_scheduled_changes")
    assert "1 scheduled change(s) put live." in capsys.readouterr().out
    live.refresh_from_db()
    assert live.summary == "Due already."


def test_a_first_publication_can_be_scheduled(draft, editor, reviewer, client):
    services.submit_for_review(tumour=draft, by=editor)
    at = timezone.now() + datetime.timedelta(days=1)
    services.approve(tumour=draft, by=reviewer, go_live_at=at)
    assert client.get("/tumours/angiosarcoma/").status_code == 404
    services.publish_due_changes(now=at)
    assert client.get("/tumours/angiosarcoma/").status_code == 200
    assert Tumour.objects.get(pk=draft.pk).first_published_at == at


@pytest.mark.django_db(transaction=True)
def test_no_stale_copy_survives_the_commit(live, editor, reviewer):
    """A visitor served between the write and its commit (from another connection) must not leave the old page
    in the cache once the new one is committed."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: one connection writes while another reads, as in production")
    url = "/tumours/angiosarcoma/"
    Client().get(url)
    services.save_draft(tumour=live, by=editor, fields={"summary": "The corrected text."})
    services.submit_for_review(tumour=live, by=editor)
    seen_in_between = []

    def visitor():
        try:
            seen_in_between.append(Client().get(url).content.decode())
        finally:
            connection.close()

    with transaction.atomic():
        services.approve(tumour=live, by=reviewer)
        thread = threading.Thread(target=visitor)
        thread.start()
        thread.join()
    assert LIVE_TEXT in seen_in_between[0]  # not committed yet: the old page, perhaps cached again
    html = Client().get(url).content.decode()
    assert "The corrected text." in html and LIVE_TEXT not in html
