"""A real Varnish (deploy/varnish/default.vcl) in front of a real gunicorn with the production settings: pages are
cached, purged the moment an approval or unpublish commits, never cached for a logged-in editor, and served stale
while the app is down."""

import http.client
import re
import socket
import time

import pytest
import redis
from django.db import connection

from oncosite.models import FrontCachePurge
from tests.servers import Browser, Gunicorn, free_port, manage, redis_url_for_tests
from tests.test_multiserver import PASSWORD, code_of, server_env, site, wait_for_other_sessions_to_end
from tests.varnish import Varnish, varnishd_missing
from tumours import services
from tumours.models import Tumour

# Sequences reset: the content types made again after each test's flush get the ids the app servers have cached.
pytestmark = [
    pytest.mark.multiserver,
    pytest.mark.varnish,
    pytest.mark.django_db(transaction=True, reset_sequences=True),
]

REDIS_URL = redis_url_for_tests(2)
__all__ = ["site"]  # the fixture, from the multiserver tests


def _skip_unless_possible():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL): gunicorn serves the test's PostgreSQL database")
    if reason := varnishd_missing():
        pytest.skip(reason)


def _edge(**env_overrides):
    """A gunicorn and a Varnish in front of it, the app purging that Varnish. Varnish listens on 127.0.0.1 (allowed
    to purge) and 127.0.0.2 (not allowed)."""
    varnish_port = free_port()
    with socket.create_server(("127.0.0.1", varnish_port)):  # held, so that gunicorn gets another port
        app_port = free_port()
    env = server_env(
        REDIS_URL=REDIS_URL,
        FRONT_CACHE_PURGE_URLS=f"http://127.0.0.1:{varnish_port}/",
        CLIENT_IP_HEADER="HTTP_X_FORWARDED_FOR",  # behind Varnish, as in production
        **env_overrides,
    )
    server = Gunicorn(env, port=app_port, workers=2).start()
    varnish = Varnish(server.port, addresses=("127.0.0.1", "127.0.0.2"), port=varnish_port).start()
    return server, varnish


@pytest.fixture(scope="module")
def edge(django_db_setup, django_db_blocker):
    _skip_unless_possible()
    redis.Redis.from_url(REDIS_URL).flushdb()
    manage("collectstatic", "--noinput", env=server_env())
    server, varnish = _edge()
    yield varnish
    varnish.stop()
    server.stop()
    with django_db_blocker.unblock():
        wait_for_other_sessions_to_end()


@pytest.fixture(autouse=True)
def fresh_caches(request):
    # Each test starts with empty caches: its rows have the previous test's primary keys.
    if "edge" in request.fixturenames:
        redis.Redis.from_url(REDIS_URL).flushdb()
        edge = request.getfixturevalue("edge")
        _purge(edge.url, "all")


def _purge(url: str, keys: str, source: str = "127.0.0.1") -> int:
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10, source_address=(source, 0))
    try:
        conn.request("PURGE", "/", headers={"Surrogate-Key": keys})
        return conn.getresponse().status
    finally:
        conn.close()


def cached(visitor: Browser, path: str):
    """Fetch the page until Varnish answers it from its cache."""
    for _ in range(3):
        response = visitor.get(path)
        if response.headers["X-Cache"] == "hit":
            return response
    raise AssertionError(f"{path} is not cached: {response.status} {response.headers}")


def log_in(base_url: str, username: str) -> Browser:
    browser = Browser(base_url)
    response = browser.log_in(username, PASSWORD, code=lambda: code_of(username))
    assert response.status == 302, re.findall(r"errornote.*?</p>", response.text, re.S)
    return browser


def test_a_public_page_is_cached_public_with_no_cookie_and_no_internal_header(edge, site):
    visitor = Browser(edge.url)
    page = cached(visitor, site.get_absolute_url())
    assert page.status == 200 and "The first summary." in page.text
    assert page.headers["Cache-Control"].startswith("public, max-age=60, s-maxage=86400")
    assert page.headers.get("Set-Cookie") is None and not visitor.cookies
    assert page.headers.get("Surrogate-Key") is None and page.headers.get("xkey") is None

    # The request form sets its CSRF cookie: passed to the app every time, the cookie reaches the visitor.
    for _ in range(2):
        form = visitor.get(f"{site.get_absolute_url()}request-test/")
        assert form.status == 200 and form.headers["X-Cache"] == "miss"
        assert "csrftoken" in (form.headers.get("Set-Cookie") or "")
    # With that cookie (not a session), the public page still comes from the cache, still without a cookie.
    assert "csrftoken" in visitor.cookies
    again = visitor.get(site.get_absolute_url())
    assert again.headers["X-Cache"] == "hit" and again.headers.get("Set-Cookie") is None


def test_an_approval_in_the_admin_is_visible_through_varnish_at_once(edge, site):
    visitor = Browser(edge.url)
    assert "The first summary." in cached(visitor, site.get_absolute_url()).text

    editor = log_in(edge.url, "editor")
    change_page = editor.get(f"/admin/tumours/tumour/{site.pk}/change/")
    assert change_page.headers["X-Cache"] == "miss" and "private" in change_page.headers["Cache-Control"]
    response = editor.submit(change_page, summary="A corrected summary.", _submit="Save and submit for review")
    assert response.status == 302, re.findall(r'class="errorlist[^>]*>.*?</ul>', response.text)
    assert "The first summary." in cached(visitor, site.get_absolute_url()).text  # a draft changes nothing

    reviewer = log_in(edge.url, "reviewer")
    response = reviewer.submit(reviewer.get(f"/admin/tumours/tumour/{site.pk}/review/"), index=-2, _approve="Approve")
    assert response.status == 302, re.findall(r'class="errorlist[^>]*>.*?</ul>', response.text)

    page = visitor.get(site.get_absolute_url())
    assert "A corrected summary." in page.text and "The first summary." not in page.text
    purge = FrontCachePurge.objects.get(keys__contains=[f"tumour-{site.pk}"])
    assert purge.state == FrontCachePurge.State.DONE and "tumour-list" in purge.keys
    # The A–Z index was purged with it, and is cached again afterwards.
    assert cached(visitor, "/tumours/").status == 200


def test_an_unpublished_page_is_404_through_varnish_at_once(edge, site):
    visitor = Browser(edge.url)
    cached(visitor, site.get_absolute_url())
    assert site.name in cached(visitor, "/tumours/").text

    reviewer = log_in(edge.url, "reviewer")
    form = reviewer.get(f"/admin/tumours/tumour/{site.pk}/unpublish/")
    assert reviewer.submit(form, reason="Under clinical review.").status == 302

    assert visitor.get(site.get_absolute_url()).status == 404
    assert f'href="{site.get_absolute_url()}"' not in visitor.get("/tumours/").text


def test_a_logged_in_editor_never_gets_a_cached_page_nor_leaves_one(edge, site):
    visitor = Browser(edge.url)
    cached(visitor, site.get_absolute_url())
    editor = log_in(edge.url, "editor")
    assert "sessionid" in editor.cookies

    page = editor.get(site.get_absolute_url())
    assert page.headers["X-Cache"] == "miss"  # passed to the app, every time
    assert page.headers["Cache-Control"] == "private, no-store"
    assert editor.get(site.get_absolute_url()).headers["X-Cache"] == "miss"
    # A page that is not live: the editor sees its draft through Varnish, the public a 404, before and after.
    hidden = Tumour()
    services.save_draft(tumour=hidden, by=_user("editor"), fields=_fields("Chordoma"))
    assert visitor.get("/tumours/chordoma/").status == 404
    draft = editor.get("/tumours/chordoma/")
    assert draft.status == 200 and "Draft — not visible to the public" in draft.text
    assert visitor.get("/tumours/chordoma/").status == 404

    # What visitors get from the cache never carries the editor's session, or any cookie.
    again = cached(Browser(edge.url), site.get_absolute_url())
    assert again.headers.get("Set-Cookie") is None and "Draft" not in again.text


def test_a_purge_from_an_address_outside_the_acl_is_refused(edge, site):
    visitor = Browser(edge.url)
    cached(visitor, site.get_absolute_url())
    assert _purge(edge.url.replace("127.0.0.1", "127.0.0.2"), "all", source="127.0.0.2") == 403
    assert visitor.get(site.get_absolute_url()).headers["X-Cache"] == "hit"
    assert _purge(edge.url, f"tumour-{site.pk}") == 200
    assert visitor.get(site.get_absolute_url()).headers["X-Cache"] == "miss"


def test_with_the_app_stopped_varnish_serves_the_last_good_page(django_db_setup, django_db_blocker, site):
    _skip_unless_possible()
    redis.Redis.from_url(REDIS_URL).flushdb()
    # Pages expire after a second and are not served stale while the app is up: only stale-if-error keeps them.
    server, varnish = _edge(FRONT_CACHE_S_MAXAGE="1", FRONT_CACHE_STALE_WHILE_REVALIDATE="0")
    try:
        visitor = Browser(varnish.url)
        assert "The first summary." in cached(visitor, site.get_absolute_url()).text
        server.stop()
        time.sleep(2.5)  # expired, and the probe has seen the app go
        page = visitor.get(site.get_absolute_url())
        assert page.status == 200 and "The first summary." in page.text
        assert visitor.get("/tumours/never-cached/").status == 503  # nothing to serve: the error, not a wrong page
    finally:
        varnish.stop()
        server.stop()
        with django_db_blocker.unblock():
            wait_for_other_sessions_to_end()


def _user(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


def _fields(name: str) -> dict:
    return {"name": name, "slug": name.lower(), "summary": f"{name} is a rare tumour."}
