"""HEAD gets a GET's headers and no body, whether the page comes from the cache or is built afresh.

Django's test client drops HEAD bodies itself, so these requests go through the WSGI application, as gunicorn's do.
"""

from wsgiref.util import setup_testing_defaults

import pytest
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections

pytestmark = pytest.mark.django_db


def wsgi(method: str, path: str) -> tuple[str, dict[str, str], bytes]:
    environ: dict = {}
    setup_testing_defaults(environ)
    path, _, query = path.partition("?")
    environ.update(REQUEST_METHOD=method, PATH_INFO=path, QUERY_STRING=query, HTTP_HOST="testserver")
    answer: dict = {}

    def start_response(status, headers, exc_info=None):
        answer.update(status=status, headers=dict(headers))

    # As Django's test client does: the test's transaction must outlive the request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        body = b"".join(get_wsgi_application()(environ, start_response))
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return answer["status"], answer["headers"], body


@pytest.mark.parametrize("path", ["/", "/tumours/", "/tumours/leiomyosarcoma/", "/robots.txt", "/search/?q=muscle"])
def test_head_has_the_headers_of_get_and_no_body_fresh_or_cached(demo_tumour, path):
    status, fresh, body = wsgi("HEAD", path)
    assert status == "200 OK" and body == b""
    get_status, get_headers, page = wsgi("GET", path)
    assert get_status == "200 OK", page[:3000]
    assert len(page) > 0
    status, cached, body = wsgi("HEAD", path)
    assert status == "200 OK" and body == b""
    for headers in (fresh, cached):
        assert headers["Content-Type"] == get_headers["Content-Type"]
        assert headers["Content-Security-Policy"] == get_headers["Content-Security-Policy"]
        assert headers["Content-Length"] == str(len(page))
