import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.template import loader
from django.test import Client
from django.urls import path

from tests.tumours.test_public_pages import visible_text

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def failing_view(request):
    raise RuntimeError("boom")


urlpatterns = [path("boom/", failing_view)]


def test_404_page_is_branded_and_keeps_its_status(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    text = visible_text(response.content.decode())
    assert "Page not found" in text
    assert "Tumours A–Z" in text  # the site's own header and links
    assert 'name="robots" content="noindex"' in response.content.decode()


def test_500_page_is_branded_keeps_its_status_and_needs_no_database(settings):
    # No db fixture: pytest-django makes any database access here an error.
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()


def test_500_template_renders_with_no_context_at_all():
    html = loader.get_template("500.html").render()
    assert "<title>Sorry, there is a problem with the service – Oncosite</title>" in html


def public_templates():
    return sorted(p for p in TEMPLATES.rglob("*.html") if "admin" not in p.parts)


@pytest.mark.parametrize("template", public_templates(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_public_templates_have_no_inline_scripts_or_styles(template):
    # A strict Content-Security-Policy forbids both; JSON-LD is data, not script, and may stay.
    source = template.read_text(encoding="utf-8")
    assert "style=" not in source
    assert "<style" not in source
    for tag in re.findall(r"<script\b[^>]*>", source):
        assert "src=" in tag or 'type="application/ld+json"' in tag, tag
    assert not re.search(r"\son[a-z]+=", source), "inline event handler"


@pytest.mark.parametrize("url", ["/", "/tumours/", "/tumours/leiomyosarcoma/", "/search/?q=lms", "/no-such-page/"])
def test_public_pages_request_nothing_from_other_sites(client, demo_tumour, url):
    html = client.get(url).content.decode()
    for tag in re.findall(r"<(?:script|link|img|iframe|source|video|audio)\b[^>]*>", html):
        for address in re.findall(r'(?:src|href)="([^"]*)"', tag):
            if "canonical" in tag:
                continue
            assert address.startswith("/"), tag


def test_static_files_are_compressed_and_cached_for_a_year(client, settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    settings.WHITENOISE_AUTOREFRESH = False
    call_command("collectstatic", "--noinput", verbosity=0)
    from django.templatetags.static import static

    hashed = static("css/site.css")
    assert re.fullmatch(r"/static/css/site\.[0-9a-f]{12}\.css", hashed)
    response = Client().get(hashed, HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert "max-age=315360000" in response["Cache-Control"]
    assert "immutable" in response["Cache-Control"]
    assert response["Content-Encoding"] == "gzip"
    # The unhashed name may change at any deploy, so it is never cached for long.
    unhashed = Client().get("/static/css/site.css")
    assert "immutable" not in unhashed.get("Cache-Control", "")
