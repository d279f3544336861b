"""Each process's own copies of cached pages (tumours/cache.py LocalPages), with a real Redis of the test's own that
the tests stop, start and cut off: a copy is served without asking Redis only while the subscription announcing
every drop is current, and never after an edit, a lost connection or the next scheduled change."""

import datetime
import pickle
import time

import pytest
import redis
from django.core.cache import caches
from django.test import Client, override_settings
from django.utils import timezone

from tests.servers import REDIS_RETRY_SECONDS as RETRY_SECONDS
from tests.servers import TcpProxy
from tests.servers import redis_cache_settings as cache_settings
from tumours import cache as page_cache
from tumours import services
from tumours.models import Tumour

PAGE = "/tumours/leiomyosarcoma/"


def subscribed(timeout: float = 10) -> str:
    """Wait until this process's subscription vouches for the generation token, and return it."""
    watch = caches["default"].watch(page_cache.GENERATION_KEY)
    deadline = time.monotonic() + timeout
    while (token := watch.current()) is None:
        assert time.monotonic() < deadline, "the subscription did not come up"
        time.sleep(0.02)
    return token


def served_from_this_process(visitor, **extra) -> str:
    """The page, once it is answered from this process's copy: Redis holds no page any more (only the token) and
    the row changed quietly, so only the copy can show the old text."""
    subscribed()
    response = visitor.get(PAGE, **extra)  # copied here now that the subscription vouches for the token
    assert response.status_code == 200 and len(page_cache.local_pages.pages) >= 1
    html = response.content.decode()
    client = redis.Redis.from_url(caches["default"]._servers[0])
    pages = [key for key in client.keys(":1:pages:2:*")]
    assert pages
    client.delete(*pages)
    return html


def quietly_rename(tumour, name: str) -> None:
    Tumour.objects.filter(pk=tumour.pk).update(name=name)  # no signal, no drop: only a copy can hide it


@pytest.mark.django_db
def test_a_hit_is_answered_from_the_process_copy_while_the_subscription_holds(redis_cache, demo_tumour):
    visitor = Client()
    visitor.get(PAGE)  # rendered, stored in Redis and copied here
    html = served_from_this_process(visitor)
    quietly_rename(demo_tumour, "Renamed quietly")
    again = visitor.get(PAGE)
    assert again.content.decode() == html
    assert "Renamed quietly" not in again.content.decode()


@pytest.mark.django_db
def test_a_drop_from_another_server_is_seen_by_the_next_request(redis_cache, demo_tumour):
    visitor = Client()
    visitor.get(PAGE)
    served_from_this_process(visitor)
    quietly_rename(demo_tumour, "Renamed elsewhere")
    # Another server's drop: the token set and announced in Redis, not through this process's cache object.
    other_server = caches.create_connection("default")
    other_server.set_and_announce(page_cache.GENERATION_KEY, "from-the-other-server")
    assert "Renamed elsewhere" in visitor.get(PAGE).content.decode()  # no wait: the very next request


@pytest.mark.django_db
def test_an_edit_while_redis_is_stopped_is_never_hidden_by_a_copy(redis_cache, demo_tumour,
                                                                  django_capture_on_commit_callbacks):  # fmt: skip
    visitor = Client()
    visitor.get(PAGE)
    served_from_this_process(visitor)
    redis_cache.stop()
    with django_capture_on_commit_callbacks(execute=True):
        Tumour.objects.filter(pk=demo_tumour.pk).update(summary="Corrected while Redis was stopped.")
        demo_tumour.refresh_from_db()
        demo_tumour.save()  # its drop cannot reach Redis, and no message can reach the subscription
    assert "Corrected while Redis was stopped." in visitor.get(PAGE).content.decode()
    redis_cache.start()  # empty, as a restarted cache is
    time.sleep(RETRY_SECONDS * 1.5)
    assert "Corrected while Redis was stopped." in visitor.get(PAGE).content.decode()  # sets a token again
    subscribed()
    assert "Corrected while Redis was stopped." in visitor.get(PAGE).content.decode()


@pytest.mark.django_db
def test_copies_made_before_a_lost_subscription_are_not_served_after_it_returns(redis_server, demo_tumour):
    # This process reaches Redis through a proxy the test cuts; meanwhile another server drops the pages directly,
    # and the message announcing it never reaches this process.
    if redis_server.process.poll() is not None:
        redis_server.start()
    proxy = TcpProxy("127.0.0.1", redis_server.port).start()
    try:
        with override_settings(CACHES=cache_settings(f"redis://127.0.0.1:{proxy.port}/0")):
            visitor = Client()
            visitor.get(PAGE)
            served_from_this_process(visitor)
            proxy.stop()
            quietly_rename(demo_tumour, "Renamed while cut off")
            direct = redis.Redis.from_url(redis_server.url)
            token = pickle.dumps("not-announced")  # as the cache stores it
            direct.set(caches["default"].make_key(page_cache.GENERATION_KEY), token)  # and its message is lost
            assert "Renamed while cut off" in visitor.get(PAGE).content.decode()  # Redis unreachable: rendered
            proxy.start()
            subscribed()
            assert "Renamed while cut off" in visitor.get(PAGE).content.decode()
            caches["default"].clear()
    finally:
        proxy.stop()


@pytest.mark.django_db(transaction=True)
def test_a_copy_does_not_outlive_the_next_scheduled_change(redis_cache, live, editor, reviewer):
    visitor = Client()
    at = timezone.now() + datetime.timedelta(seconds=2)
    services.save_draft(tumour=live, by=editor, fields={"summary": "The text from the scheduled time."})
    services.submit_for_review(tumour=live, by=editor)
    services.approve(tumour=live, by=reviewer, go_live_at=at)
    subscribed()
    url = live.get_absolute_url()
    visitor.get(url)
    assert "scheduled time" not in visitor.get(url).content.decode()  # a copy, kept until the change is due
    assert len(page_cache.local_pages.pages) >= 1
    time.sleep(max(0.0, (at - timezone.now()).total_seconds()) + 0.05)
    assert "The text from the scheduled time." in visitor.get(url).content.decode()


def test_copies_are_bounded_in_count_and_bytes():
    copies = page_cache.LocalPages(max_pages=3, max_bytes=10_000)

    def page(size: int):
        return page_cache.Page("g", 1, time.time() + 60, 200, {"Content-Type": "text/html"}, b"x" * size)

    for n in range(5):
        copies.put(("host", f"/{n}/", ""), page(1000))
    assert [key[1] for key in copies.pages] == ["/2/", "/3/", "/4/"]  # the least recently used went first
    assert copies.get(("host", "/2/", ""), "g", 1) is not None  # now the most recently used
    copies.put(("host", "/big/", ""), page(7000))
    assert copies.bytes <= 10_000 and len(copies.pages) <= 3
    assert ("host", "/2/", "") in copies.pages and ("host", "/3/", "") not in copies.pages
    copies.put(("host", "/huge/", ""), page(20_000))  # larger than the whole budget: never kept
    assert ("host", "/huge/", "") not in copies.pages
    assert copies.bytes == sum(p.size for p in copies.pages.values())
    # A copy from another generation, another subscription, or past its expiry is not served.
    assert copies.get(("host", "/2/", ""), "other", 1) is None
    copies.put(("host", "/2/", ""), page(10))
    assert copies.get(("host", "/2/", ""), "g", 2) is None
    expired = page_cache.Page("g", 1, time.time() - 1, 200, {}, b"old")
    copies.put(("host", "/old/", ""), expired)
    assert copies.get(("host", "/old/", ""), "g", 1) is None


@pytest.mark.django_db
def test_the_memory_bound_is_the_setting(redis_cache, demo_tumour, settings):
    settings.PAGE_CACHE_LOCAL_BYTES = 1000  # smaller than the tumour page: no copy is kept
    visitor = Client()
    visitor.get(PAGE)  # sets the token
    subscribed()
    visitor.get(PAGE)
    visitor.get(PAGE)
    assert page_cache.local_pages.max_bytes == 1000 and not page_cache.local_pages.pages


@pytest.mark.django_db
def test_a_copy_carries_every_header_of_the_full_path_byte_for_byte(redis_cache, demo_tumour, monkeypatch):
    from django.contrib.sessions.middleware import SessionMiddleware

    from tests.oncosite.conftest import load_production_settings

    with override_settings(**load_production_settings(monkeypatch)):
        visitor = Client()
        full = visitor.get(PAGE, secure=True)  # rendered: every middleware and the view ran
        assert full.status_code == 200 and full.has_header("Strict-Transport-Security")
        subscribed()
        served_from_this_process(visitor, secure=True)
        monkeypatch.setattr(SessionMiddleware, "process_request", lambda *a: pytest.fail("the session was loaded"))
        monkeypatch.setattr("tumours.views.render", lambda *a, **k: pytest.fail("the view rendered a cached page"))
        copy = visitor.get(PAGE, secure=True)
        assert copy.content == full.content
        assert dict(copy.headers.items()) == dict(full.headers.items())  # every header, every byte (order aside)
        head = visitor.head(PAGE, secure=True)
        assert head.content == b""
        # The length a GET would have, no body, and no ETag: ETags are for GET only, as on the full path.
        assert dict(head.headers.items()) == {k: v for k, v in full.headers.items() if k != "ETag"}
        not_modified = visitor.get(PAGE, secure=True, HTTP_IF_NONE_MATCH=full["ETag"])
        assert not_modified.status_code == 304
