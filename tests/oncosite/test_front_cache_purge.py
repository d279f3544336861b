"""Purging the front caches after each commit: exactly the keys a change affects, once per commit, at every
configured cache, retried when one was down. The caches here are real HTTP servers on 127.0.0.1 that record the
purges they receive."""

import datetime
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from oncosite import front_cache
from oncosite.models import FrontCachePurge
from tests.factories import SectionFactory, SourceFactory, TestKitFactory, TumourFactory
from tests.servers import free_port
from tumours import services
from tumours.models import Source, TestKit


class PurgeReceiver:
    """A front cache's purge endpoint: records each PURGE's keys; `down` answers 503 to everything."""

    def __init__(self):
        self.purges: list[set[str]] = []
        self.down = False
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_PURGE(self):  # noqa: N802 - the method's name
                if receiver.down:
                    self.send_response(503)
                else:
                    receiver.purges.append(set(self.headers.get("Surrogate-Key", "").split()))
                    self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def caches(settings):
    pair = [PurgeReceiver(), PurgeReceiver()]
    settings.FRONT_CACHE_PURGE_URLS = [cache.url for cache in pair]
    yield pair
    for cache in pair:
        cache.stop()


@pytest.fixture
def page(db):
    kit = TestKitFactory()
    tumour = TumourFactory(test_kits=[kit])
    SectionFactory(tumour=tumour, body="Surgery first. [@lms]")
    SourceFactory(tumour=tumour, key="lms")
    return tumour


def test_an_approval_purges_the_page_and_the_lists_once_after_the_commit_at_every_cache(
    page, caches, editor, reviewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.save_draft(tumour=page, by=editor, fields={"summary": "A corrected summary."})
        services.submit_for_review(tumour=page, by=editor)
        services.approve(tumour=page, by=reviewer)
        assert caches[0].purges == []  # nothing before the commit
    for callback in callbacks:
        callback()
    # The kits offered did not change: their pages are left alone.
    expected = {f"tumour-{page.pk}", "tumour-list", "search"}
    for cache in caches:
        assert cache.purges == [expected]  # one purge: the union of every row the approval wrote
    assert FrontCachePurge.objects.filter(state=FrontCachePurge.State.DONE).count() == 2


def test_a_rolled_back_change_purges_nothing(page, caches, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        page.name = "Never saved"
        page.save()
        raise RuntimeError
    with django_capture_on_commit_callbacks(execute=True):
        Source.objects.filter(tumour=page).update(title="x")  # no signal: nothing to purge
        SourceFactory(tumour=page, key="another")
    assert caches[0].purges == [{f"tumour-{page.pk}"}]


@pytest.mark.parametrize(
    "change, keys",
    [
        (lambda page, **_: services.unpublish(tumour=page, by=_["reviewer"], reason="Wrong."), {"tumour-list"}),
        (lambda page, **_: setattr(page, "slug", "renamed") or page.save(), {"tumour-list"}),
        (lambda page, **_: page.sources.first().delete(), set()),
        (lambda page, **_: page.test_kits.clear(), {"tumour-list", "kit"}),
        (lambda page, **_: TestKit.objects.get().save(), {"kit", "kit-list"}),
    ],
    ids=["unpublish", "slug change", "source deleted", "kit taken off", "kit saved"],
)
def test_each_change_purges_what_it_affects(page, caches, reviewer, change, keys, django_capture_on_commit_callbacks):
    kit = page.test_kits.get()
    with django_capture_on_commit_callbacks(execute=True):
        change(page, reviewer=reviewer)
    expected = {key.replace("kit", f"kit-{kit.pk}") if key == "kit" else key for key in keys}
    purged = caches[0].purges[-1]
    assert expected <= purged
    if "kit-list" not in keys:
        assert f"tumour-{page.pk}" in purged


def test_a_scheduled_change_is_purged_when_approved_and_again_when_it_goes_live(
    page, caches, editor, reviewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.save_draft(tumour=page, by=editor, fields={"summary": "Later."})
        services.submit_for_review(tumour=page, by=editor)
        services.approve(tumour=page, by=reviewer, go_live_at=timezone.now() + datetime.timedelta(hours=1))
    # Purged now, so that the front cache fetches the page again with an s-maxage that ends at the go-live time.
    assert caches[0].purges == [{f"tumour-{page.pk}", "tumour-list"}]
    with django_capture_on_commit_callbacks(execute=True):
        assert services.publish_due_changes(now=timezone.now() + datetime.timedelta(hours=2)) == 1
    assert {f"tumour-{page.pk}", "tumour-list"} <= caches[0].purges[-1]


def test_a_cache_that_was_down_is_purged_when_it_returns(page, caches, caplog, django_capture_on_commit_callbacks):
    caches[1].down = True
    with caplog.at_level(logging.INFO, logger="oncosite.front_cache"), django_capture_on_commit_callbacks(execute=True):
        page.save()
    assert caches[0].purges and not caches[1].purges
    failed = FrontCachePurge.objects.get(state=FrontCachePurge.State.QUEUED)
    assert failed.target == caches[1].url and failed.last_error == "HTTP 503" and failed.attempts == 1
    assert failed.next_attempt_at > timezone.now()
    assert f"failed at {caches[1].url}" in caplog.text and f"tumour-{page.pk}" in caplog.text

    call_command("purge_front_cache", "--pending", "--due")  # the back-off has not passed
    assert not caches[1].purges
    caches[1].down = False
    call_command("purge_front_cache", "--pending")
    assert caches[1].purges == [{f"tumour-{page.pk}", "tumour-list"}]
    assert not FrontCachePurge.objects.filter(state=FrontCachePurge.State.QUEUED).exists()


def test_an_unreachable_cache_is_retried_and_the_commit_is_not_undone(page, settings, editor):
    settings.FRONT_CACHE_PURGE_URLS = [f"http://127.0.0.1:{free_port()}/"]  # nothing listens there
    settings.FRONT_CACHE_PURGE_TIMEOUT = 1
    front_cache.purge({"tumour-1"})
    row = FrontCachePurge.objects.get()
    assert row.state == FrontCachePurge.State.QUEUED and row.last_error == "URLError"


def test_without_a_front_cache_nothing_is_recorded_or_sent(page, settings, django_capture_on_commit_callbacks):
    settings.FRONT_CACHE_PURGE_URLS = []
    with django_capture_on_commit_callbacks(execute=True):
        page.save()
    assert not FrontCachePurge.objects.exists()


def test_a_bulk_change_purges_everything_in_one_short_request(db, caches, settings, django_capture_on_commit_callbacks):
    settings.FRONT_CACHE_PURGE_MAX_KEYS = 5
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        TumourFactory.create_batch(10)
    assert caches[0].purges == [{"all"}]


def test_the_command_purges_given_keys_or_everything(db, caches, capsys):
    call_command("purge_front_cache", "tumour-3", "index")
    call_command("purge_front_cache", "--all")
    assert caches[0].purges == [{"tumour-3", "index"}, {"all"}] == caches[1].purges
    assert f"{caches[0].url}: index tumour-3: done" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("purge_front_cache")


def test_a_purge_by_hand_drops_the_apps_cached_pages_first(db, caches):
    # After a release that changes templates, the front cache refetches at once: it must get pages built anew.
    from django.core.cache import cache

    from tumours.cache import GENERATION_KEY, drop_public_pages

    drop_public_pages()
    before = cache.get(GENERATION_KEY)
    call_command("purge_front_cache", "--all")
    assert cache.get(GENERATION_KEY) not in (None, before)


def test_superusers_see_the_purges_and_no_one_else(page, caches, client, editor, django_capture_on_commit_callbacks):
    from tests.factories import UserFactory

    caches[0].down = True
    with django_capture_on_commit_callbacks(execute=True):
        page.save()
    client.force_login(editor)
    assert client.get("/admin/oncosite/frontcachepurge/").status_code == 403
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    listing = client.get("/admin/oncosite/frontcachepurge/?state__exact=queued").content.decode()
    assert caches[0].url in listing and "HTTP 503" in listing and caches[1].url not in listing
