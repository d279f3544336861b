"""Two app servers (gunicorn, production settings) sharing one PostgreSQL database and one Redis."""

import datetime
import re
import secrets
import tempfile
import time

import pytest
import redis
from django.apps import apps
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django_otp.plugins.otp_totp.models import TOTPDevice

from oncosite.roles import CLINICAL_EDITORS, CLINICAL_REVIEWERS, SALES_TEAM, apply_roles
from orders.models import TestRequest
from tests.factories import SectionFactory, SourceFactory, TestKitFactory, TumourFactory, UserFactory
from tests.servers import Browser, Gunicorn, TcpProxy, manage, production_env, redis_url_for_tests
from tests.two_factor import app_device, next_code
from tumours.editorial import ReviewerProfile
from tumours.models import Tumour

pytestmark = [pytest.mark.multiserver, pytest.mark.django_db(transaction=True)]

RATE_LIMIT = 3
PASSWORD = "correct horse battery"
REDIS_URL = redis_url_for_tests(0)
STATIC_ROOT = tempfile.mkdtemp(prefix="oncosite-static-")
SECRET_KEY = secrets.token_urlsafe(64)  # one key for every server, as in a real deployment


def database_url(port: int | None = None) -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{port or s['PORT'] or 5432}/{s['NAME']}"


def server_env(**overrides: str) -> dict[str, str]:
    settings = {
        "DATABASE_URL": database_url(),
        "REDIS_URL": REDIS_URL,
        "DJANGO_STATIC_ROOT": STATIC_ROOT,
        "DJANGO_SECRET_KEY": SECRET_KEY,
        "ORDER_RATE_LIMIT": f"{RATE_LIMIT}/h",
        "ORDER_FORM_MIN_SECONDS": "0",
    }
    return production_env(**{**settings, **overrides})


@pytest.fixture(scope="module")
def servers(django_db_setup, django_db_blocker):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL): the app servers share the test's PostgreSQL database")
    redis.Redis.from_url(REDIS_URL).flushdb()  # this module's own Redis database
    env = server_env()
    manage("collectstatic", "--noinput", env=env)
    # One worker each: the page copy a test warms in "a server" is then the one its every request meets.
    pair = [Gunicorn(env, workers=1).start(), Gunicorn(env, workers=1).start()]
    yield pair
    for server in pair:
        server.stop()
    with django_db_blocker.unblock():
        wait_for_other_sessions_to_end()


def wait_for_other_sessions_to_end(timeout: float = 10) -> None:
    # The servers' connections close as their processes exit; PostgreSQL may take a moment to notice, and
    # dropping the test database fails while any remain.
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.1)


@pytest.fixture
def site():
    kit = TestKitFactory()
    tumour = TumourFactory(
        name="Leiomyosarcoma",
        slug="leiomyosarcoma",
        summary="The first summary.",
        test_kits=[kit],
        last_reviewed_on=datetime.date.today(),
        reviewed_by="Dr Helen Marsh, Consultant Medical Oncologist",
    )
    # With the review, what a live page must have to be approved: a section citing a source.
    SectionFactory(tumour=tumour, heading="Treatment", body="Surgery first. [@wikipedia-lms]")
    SourceFactory(tumour=tumour, key="wikipedia-lms")
    # Hashed with production's hasher: the test settings' fast one is not enabled on the app servers.
    apply_roles(apps)  # the tables were emptied after the previous test, role groups included
    hasher = PBKDF2PasswordHasher()
    for username, group in (("sales", SALES_TEAM), ("editor", CLINICAL_EDITORS), ("reviewer", CLINICAL_REVIEWERS)):
        user = UserFactory(username=username, groups=[group])
        user.password = hasher.encode(PASSWORD, hasher.salt())
        user.save(update_fields=["password"])
        app_device(user)  # production settings ask staff for a second factor
    ReviewerProfile.objects.create(user=user, display_name="Dr Amir Patel", role="Consultant Pathologist")
    return tumour


def code_of(username: str) -> str:
    return next_code(TOTPDevice.objects.get(user__username=username))


def send_request(server, tumour, name="Ada Lovelace"):
    browser = Browser(server.url)
    form_page = browser.get(f"{tumour.get_absolute_url()}request-test/")
    assert form_page.status == 200
    response = browser.submit(
        form_page, requester_type="patient", full_name=name, email="ada@example.com", country="GB", consent="on"
    )
    return browser, response


def test_a_request_sent_through_one_server_is_seen_by_sales_through_the_other(servers, site):
    one, other = servers
    visitor, response = send_request(one, site)
    assert response.status == 302, response.text[:2000]
    reference = TestRequest.objects.get().reference
    # The visitor's session (in the database) works on either server.
    visitor.base_url = other.url
    assert reference in visitor.get("/orders/request-sent/").text

    sales = Browser(other.url)
    response = sales.log_in("sales", PASSWORD, code=lambda: code_of("sales"))
    assert response.status == 302, re.findall(r"errornote.*?</p>", response.text, re.S)
    # The unassigned new request is in the "Unassigned" view (the bare list opens on the user's own).
    changelist = sales.get("/admin/orders/testrequest/?view=unassigned")
    assert changelist.status == 200
    assert reference in changelist.text
    # Logged in through one server, still logged in through the other.
    sales.base_url = one.url
    assert reference in sales.get("/admin/orders/testrequest/?view=unassigned").text


def wait_for_subscribers(count: int, timeout: float = 15) -> None:
    """Until `count` processes are subscribed to the page generation (each server's worker, from its first page)."""
    client = redis.Redis.from_url(REDIS_URL)
    channel = f"{client.connection_pool.connection_kwargs['db']}/:1:pages:generation"
    deadline = time.monotonic() + timeout
    while dict(client.pubsub_numsub(channel)).get(channel.encode(), 0) < count:
        assert time.monotonic() < deadline, "the app servers did not subscribe"
        time.sleep(0.1)


def test_a_page_approved_through_one_server_is_fresh_on_the_other_at_once(servers, site):
    one, other = servers
    url = site.get_absolute_url()
    visitor = Browser(other.url)
    assert "The first summary." in visitor.get(url).text  # rendered, cached in Redis
    assert "The first summary." in Browser(one.url).get(url).text
    wait_for_subscribers(2)
    for server in servers:
        Browser(server.url).get(url)  # each server's process keeps a copy of the page now
    # The copies answer on their own: Redis loses the page and the row changes quietly (no drop), yet both
    # servers still show the page as it was.
    cache = redis.Redis.from_url(REDIS_URL)
    cache.delete(*cache.keys(":1:pages:2:*"))
    Tumour.objects.filter(pk=site.pk).update(name="Leiomyosarcoma, quietly renamed")
    for server in servers:
        assert "quietly renamed" not in Browser(server.url).get(url).text

    editor = Browser(one.url)
    assert editor.log_in("editor", PASSWORD, code=lambda: code_of("editor")).status == 302
    change_page = editor.get(f"/admin/tumours/tumour/{site.pk}/change/")
    assert change_page.status == 200
    response = editor.submit(change_page, summary="A corrected summary.", _submit="Save and submit for review")
    assert response.status == 302, re.findall(r'class="errorlist[^>]*>.*?</ul>', response.text)
    assert "The first summary." in visitor.get(site.get_absolute_url()).text  # only a draft so far

    reviewer = Browser(one.url)
    assert reviewer.log_in("reviewer", PASSWORD, code=lambda: code_of("reviewer")).status == 302
    review = reviewer.get(f"/admin/tumours/tumour/{site.pk}/review/")
    response = reviewer.submit(review, index=-2, _approve="Approve")  # the approval form, "now"
    assert response.status == 302, re.findall(r'class="errorlist[^>]*>.*?</ul>', response.text)

    page = visitor.get(site.get_absolute_url()).text
    assert "A corrected summary." in page
    assert "The first summary." not in page


def test_the_rate_limit_counts_requests_through_both_servers(servers, site):
    redis.Redis.from_url(REDIS_URL).flushdb()  # earlier tests posted from this address too
    responses = []
    for attempt in range(2 * RATE_LIMIT):
        _, response = send_request(servers[attempt % 2], site, name=f"Visitor {attempt}")
        responses.append(response.status)
    assert all(status < 500 for status in responses), responses
    assert TestRequest.objects.count() == RATE_LIMIT, responses
    assert responses[:RATE_LIMIT] == [302] * RATE_LIMIT
    assert all(status != 302 for status in responses[RATE_LIMIT:]), responses


def test_a_server_whose_database_goes_away_answers_503_and_recovers_by_itself(servers, site):
    # This server reaches PostgreSQL through a proxy the test can switch off, like a database restart.
    proxy = TcpProxy(connection.settings_dict["HOST"] or "127.0.0.1", int(connection.settings_dict["PORT"] or 5432))
    proxy.start()
    server = Gunicorn(server_env(DATABASE_URL=database_url(proxy.port), DJANGO_CONN_MAX_AGE="60"), workers=1)
    server.start()
    try:
        visitor = Browser(server.url)
        assert visitor.get(site.get_absolute_url()).status == 200  # holds a persistent connection open

        proxy.stop()
        # Pages that must ask the database (a page cache may still serve the plain tumour page meanwhile).
        url = site.get_absolute_url()
        for path in ("/healthz", f"{url}request-test/", f"{url}?from=outage", "/tumours/?from=outage"):
            response = visitor.get(path)
            assert response.status == 503, path
            assert "Traceback" not in response.text
        assert visitor.get("/healthz").text.startswith("database unavailable\ndatabase: down\n")
        page = visitor.get(f"{url}request-test/").text
        assert "Oncosite is briefly unavailable" in page and "/static/css/site." in page

        proxy.start()
        assert visitor.get("/healthz").status == 200
        response = visitor.get(site.get_absolute_url())
        assert response.status == 200
        assert "Leiomyosarcoma" in response.text
    finally:
        server.stop()
        proxy.stop()
