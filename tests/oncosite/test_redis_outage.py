"""Redis is a cache: with a real Redis that these tests stop and start again, the site keeps serving, storing and
saving, and recovers by itself. The Redis is the test's own (tests.servers.RedisServer), never the shared one."""

import pytest
import redis
from django.core.cache import caches
from django.test import Client, override_settings

from orders.models import TestRequest
from tests.admin_forms import change_form
from tests.orders.helpers import fetched_form
from tests.servers import REDIS_RETRY_SECONDS as RETRY_SECONDS
from tests.servers import TcpProxy
from tests.servers import redis_cache_settings as cache_settings
from tumours import services
from tumours.models import Tumour


def redis_keys(server) -> list[bytes]:
    return redis.Redis.from_url(server.url).keys("*")


def wait_past_retry_interval():
    import time

    time.sleep(RETRY_SECONDS * 1.5)


@pytest.fixture
def visitor():
    return Client(raise_request_exception=False)


PUBLIC_PAGES = ["/", "/tumours/", "/tumours/leiomyosarcoma/", "/robots.txt", "/sitemap.xml", "/search/?q=muscle"]


@pytest.mark.django_db
def test_pages_are_cached_in_redis_while_it_is_up(redis_cache, visitor, demo_tumour):
    assert visitor.get("/tumours/leiomyosarcoma/").status_code == 200
    assert any(key.startswith(b":1:pages:") for key in redis_keys(redis_cache))


@pytest.mark.django_db
def test_with_redis_stopped_pages_answer_requests_are_stored_and_edits_saved(
    redis_cache, visitor, demo_tumour, draft, editor_client, caplog
):
    redis_cache.stop()
    for path in PUBLIC_PAGES:
        response = visitor.get(path)
        assert response.status_code == 200, path
    assert "Leiomyosarcoma" in visitor.get("/tumours/leiomyosarcoma/").content.decode()
    head = visitor.head("/tumours/leiomyosarcoma/")
    assert head.status_code == 200 and head.content == b""

    form_url = "/tumours/leiomyosarcoma/request-test/"
    for _ in range(3):
        assert visitor.post(form_url, fetched_form(visitor, form_url)).status_code == 302
    assert TestRequest.objects.count() == 3

    data = change_form(editor_client, draft)
    data["summary"] = "Edited while the cache was down."
    response = editor_client.post(f"/admin/tumours/tumour/{draft.pk}/change/", data)
    assert response.status_code == 302
    assert services.draft_of(draft).revision.content["fields"]["summary"] == "Edited while the cache was down."
    # Logged when it went down, not once per request.
    outage_lines = [r for r in caplog.records if r.name == "oncosite.redis_cache" and "unreachable" in r.message]
    assert 1 <= len(outage_lines) <= 2  # one per cache alias


@pytest.mark.django_db
def test_the_request_form_rate_limit_counts_in_memory_while_redis_is_down(redis_cache, visitor, demo_tumour, settings):
    settings.ORDER_RATE_LIMIT = "2/h"
    redis_cache.stop()
    form_url = "/tumours/leiomyosarcoma/request-test/"
    statuses = [visitor.post(form_url, fetched_form(visitor, form_url)).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]
    assert TestRequest.objects.count() == 2


@pytest.mark.django_db
def test_health_names_the_cache_down_but_keeps_the_server_in_the_load_balancer(redis_cache, visitor):
    assert visitor.get("/healthz").content.decode().splitlines()[:3] == ["ok", "database: ok", "cache: ok"]
    assert visitor.get("/healthz/strict").status_code == 200
    redis_cache.stop()
    response = visitor.get("/healthz")
    assert response.status_code == 200
    lines = response.content.decode().splitlines()
    assert lines[0] == "degraded" and lines[2].startswith("cache: down")
    strict = visitor.get("/healthz/strict")
    assert strict.status_code == 503
    assert strict.content.decode().startswith("unavailable: cache\n")
    redis_cache.start()
    assert visitor.get("/healthz/strict").status_code == 200


@pytest.mark.django_db
def test_everything_recovers_by_itself_when_redis_returns(redis_cache, visitor, demo_tumour):
    redis_cache.stop()
    assert visitor.get("/tumours/leiomyosarcoma/").status_code == 200
    redis_cache.start()
    wait_past_retry_interval()
    assert visitor.get("/tumours/leiomyosarcoma/").status_code == 200
    assert any(key.startswith(b":1:pages:") for key in redis_keys(redis_cache))
    assert visitor.get("/healthz").content.decode().startswith("ok\n")


@pytest.mark.django_db
def test_an_edit_made_while_redis_was_unreachable_is_never_hidden_by_a_page_cached_before(
    redis_server, visitor, demo_tumour, django_capture_on_commit_callbacks
):
    # Unreachable, not restarted: Redis keeps the page cached before the outage, and the drop of that page
    # (sent while Redis could not be reached) was lost. The first contact after the outage drops every page.
    if redis_server.process.poll() is not None:
        redis_server.start()
    proxy = TcpProxy("127.0.0.1", redis_server.port).start()
    try:
        with override_settings(CACHES=cache_settings(f"redis://127.0.0.1:{proxy.port}/0")):
            assert "Leiomyosarcoma" in visitor.get("/tumours/leiomyosarcoma/").content.decode()
            proxy.stop()
            Tumour.objects.filter(pk=demo_tumour.pk).update(summary="Corrected during the outage.")
            demo_tumour.refresh_from_db()
            with django_capture_on_commit_callbacks(execute=True):
                demo_tumour.save()  # once committed, the save drops the cached pages: the drop cannot reach Redis
            proxy.start()
            wait_past_retry_interval()
            assert "Corrected during the outage." in visitor.get("/tumours/leiomyosarcoma/").content.decode()
            caches["default"].clear()
    finally:
        proxy.stop()
