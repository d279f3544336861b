from contextlib import contextmanager

import pytest
from django.db import OperationalError, connection
from django.test import Client

from oncosite.errors import server_error

pytestmark = pytest.mark.django_db


@contextmanager
def database_down():
    # Every query fails the way a lost PostgreSQL connection does.
    def refuse(execute, sql, params, many, context):
        raise OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")

    with connection.execute_wrapper(refuse):
        yield


@pytest.fixture
def visitor():
    # A real browser never sees Python exceptions; the test client would re-raise them instead of responding.
    return Client(raise_request_exception=False)


def test_healthz_answers_ok_while_the_database_answers(visitor):
    response = visitor.get("/healthz")
    assert response.status_code == 200
    assert response.content.decode().splitlines() == [
        "ok",
        "database: ok",
        "cache: ok (this process's memory)",
        "mail: ok",
    ]
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


def test_healthz_answers_503_with_a_short_body_when_the_database_does_not(visitor):
    with database_down():
        response = visitor.get("/healthz")
    assert response.status_code == 503
    assert response.content.decode().splitlines()[:2] == ["database unavailable", "database: down"]


def test_public_pages_show_the_branded_503_page_and_recover_by_themselves(visitor, demo_tumour):
    url = demo_tumour.get_absolute_url()
    for page in ("/", "/tumours/", url, f"{url}request-test/"):
        with database_down():
            response = visitor.get(page)
        assert response.status_code == 503, page
        html = response.content.decode()
        assert "Oncosite is briefly unavailable" in html
        assert "site.css" in html
        assert "Traceback" not in html and "OperationalError" not in html
        assert response["Retry-After"] == "30"
    response = visitor.get(url)
    assert response.status_code == 200
    assert "Leiomyosarcoma" in response.content.decode()


def test_a_posted_request_during_an_outage_is_told_to_retry(visitor, tumour_with_kit):
    with database_down():
        response = visitor.post(f"{tumour_with_kit.get_absolute_url()}request-test/", {"full_name": "Ada"})
    assert response.status_code == 503
    assert "has not been sent yet" in response.content.decode()


def test_an_outage_outside_a_view_is_a_503_too(visitor, editor):
    # Logged-in staff: the session and the user are read by middleware and context processors, not the view.
    visitor.force_login(editor)
    with database_down():
        response = visitor.get("/admin/")
    assert response.status_code == 503
    assert "Oncosite is briefly unavailable" in response.content.decode()
    assert visitor.get("/admin/").status_code == 200


def test_other_errors_still_get_the_500_page(visitor, monkeypatch, demo_tumour):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("tumours.views.render", broken)
    response = visitor.get(demo_tumour.get_absolute_url())
    assert response.status_code == 500
    assert "briefly unavailable" not in response.content.decode()


def test_the_500_handler_turns_a_database_outage_into_the_503_page(rf):
    # Django calls handler500 for exceptions raised outside views too (e.g. a session saved by middleware).
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        response = server_error(rf.get("/"))
    assert response.status_code == 503
    assert "Oncosite is briefly unavailable" in response.content.decode()
    try:
        raise ValueError("a bug")
    except ValueError:
        assert server_error(rf.get("/")).status_code == 500
