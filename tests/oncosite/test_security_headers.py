from html.parser import HTMLParser

import pytest

pytestmark = pytest.mark.django_db

PERMISSIONS = {"camera=()", "microphone=()", "geolocation=()", "interest-cohort=()"}


def csp_directives(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    directives = {}
    for part in policy.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_production_headers(response):
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert set(response.headers["Permissions-Policy"].replace(" ", "").split(",")) == PERMISSIONS
    directives = csp_directives(response)
    scripts = directives.get("script-src", directives["default-src"])
    assert scripts == ["'self'"]
    for values in directives.values():
        assert "'unsafe-inline'" not in values and "'unsafe-eval'" not in values
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]


def test_public_page_sends_every_security_header(client, production_settings, demo_tumour):
    response = client.get(demo_tumour.get_absolute_url(), secure=True)
    assert response.status_code == 200
    assert_production_headers(response)


def test_plain_http_is_redirected_to_https(client, production_settings, demo_tumour):
    response = client.get(demo_tumour.get_absolute_url())
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_admin_pages_send_the_same_headers(admin_client, production_settings):
    for url in ("/admin/", "/admin/tumours/tumour/add/", "/admin/login/"):
        response = admin_client.get(url, secure=True)
        assert response.status_code in (200, 302), url
        assert_production_headers(response)


def test_static_files_and_error_pages_send_the_headers(client, production_settings, settings):
    settings.WHITENOISE_USE_FINDERS = True  # tests never run collectstatic
    for url, status in (("/static/css/site.css", 200), ("/tumours/no-such-tumour/", 404)):
        response = client.get(url, secure=True)
        assert response.status_code == status, url
        assert_production_headers(response)


class InlineCodeFinder(HTMLParser):
    """Finds what a strict CSP would block: inline scripts, style elements and attributes, event handlers."""

    # Data blocks (e.g. JSON-LD) are never executed, so script-src does not apply to them.
    DATA_TYPES = {"application/ld+json", "application/json"}

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        script_type = (attributes.get("type") or "text/javascript").lower()
        if tag == "script" and "src" not in attributes and script_type not in self.DATA_TYPES:
            self.found.append("inline <script>")
        if tag == "style":
            self.found.append("<style> element")
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.found.append(f"{name}= on <{tag}>")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"javascript: URL on <{tag}>")


def inline_code(html: str) -> list[str]:
    finder = InlineCodeFinder()
    finder.feed(html)
    return finder.found


def test_the_finder_sees_inline_code():
    html = '<script>x()</script><p style="color:red" onclick="x()"><a href="javascript:x()">x</a><style></style>'
    assert len(inline_code(html)) == 5
    assert inline_code('<script src="/static/x.js"></script><script type="application/ld+json">{}</script>') == []


def test_pages_need_no_inline_script_or_style(admin_client, demo_tumour):
    # The policy forbids inline code; a page with any would break in the browser, so none may have it.
    urls = [
        "/", "/tumours/", demo_tumour.get_absolute_url(), f"{demo_tumour.get_absolute_url()}request-test/",
        "/admin/", f"/admin/tumours/tumour/{demo_tumour.pk}/change/", "/admin/tumours/tumour/add/",
        "/admin/orders/testrequest/", "/admin/login/",
    ]  # fmt: skip
    for url in urls:
        response = admin_client.get(url)
        assert response.status_code in (200, 302), url
        assert inline_code(response.content.decode()) == [], url


def test_session_and_csrf_cookies_are_secure_http_only_and_lax(client, production_settings, editor):
    client.get("/admin/login/", secure=True)
    csrf = client.cookies["csrftoken"]
    assert csrf["secure"] and csrf["samesite"] == "Lax"
    response = client.post(
        "/admin/login/",
        {"username": "editor", "password": "correct horse battery", "csrfmiddlewaretoken": csrf.value},
        secure=True,
        headers={"referer": "https://testserver/admin/login/"},
    )
    assert response.status_code == 302
    session = client.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    assert session["max-age"] == 8 * 60 * 60
