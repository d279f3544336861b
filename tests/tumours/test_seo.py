import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from tests.factories import SectionFactory, SourceFactory, TumourFactory
from tumours.models import Tumour

SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def head_of(client, url: str) -> str:
    html = client.get(url).content.decode()
    return html[: html.index("</head>")]


def meta(head: str, attribute: str, name: str) -> str:
    match = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)"', head)
    assert match, f"no {name} in head"
    return match.group(1)


def json_ld(html: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL)
    assert match, "no JSON-LD"
    return json.loads(match.group(1))


@pytest.mark.parametrize(
    ("url", "title", "og_title"),
    [
        ("/", "<title>Tumour information and Oncofocus testing – Oncosite</title>", "Tumour information and Oncofocus"),
        ("/tumours/", "<title>Tumours A–Z – Oncosite</title>", "Tumours A–Z"),
        ("/tumours/leiomyosarcoma/", "<title>Leiomyosarcoma – Oncosite</title>", "Leiomyosarcoma"),
        ("/search/?q=lms", "<title>Search results for “lms” – Oncosite</title>", "Search tumour and test pages"),
        ("/tumours/leiomyosarcoma/request-test/", "<title>Request an Oncofocus test for", "Request a test"),
    ],
)
def test_every_page_has_title_description_canonical_and_open_graph(client, demo_tumour, url, title, og_title):
    head = head_of(client, url)
    assert title in head
    assert meta(head, "name", "description")
    path = url.split("?")[0]
    assert f'<link rel="canonical" href="http://127.0.0.1:8000{path}">' in head
    assert meta(head, "property", "og:url") == f"http://127.0.0.1:8000{path}"
    assert meta(head, "property", "og:title").startswith(og_title)
    assert meta(head, "property", "og:description")
    assert meta(head, "property", "og:site_name") == "Oncosite"


def test_canonical_uses_site_url_not_the_host_header(client, demo_tumour, settings):
    settings.SITE_URL = "https://www.oncosite.example/"
    head = head_of(client, "/tumours/leiomyosarcoma/")
    assert '<link rel="canonical" href="https://www.oncosite.example/tumours/leiomyosarcoma/">' in head


def test_tumour_description_comes_from_the_summary_as_plain_text(client, db):
    TumourFactory(slug="quotes", summary='A *rare* tumour, "so-called" <b>x</b> & [linked](https://e.example) text.')
    head = head_of(client, "/tumours/quotes/")
    description = meta(head, "name", "description")
    assert description == "A rare tumour, &quot;so-called&quot; x &amp; linked text."
    assert meta(head, "property", "og:description") == description
    assert meta(head, "property", "og:type") == "article"


def test_tumour_page_carries_medical_web_page_json_ld(client, demo_tumour):
    SourceFactory(tumour=demo_tumour, title="Uterine LMS", url="https://journal.example/lms", publisher="", position=99)
    html = client.get("/tumours/leiomyosarcoma/").content.decode()
    data = json_ld(html)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "MedicalWebPage"
    assert data["about"] == {"@type": "MedicalCondition", "name": "Leiomyosarcoma", "alternateName": ["LMS"]}
    assert data["url"] == "http://127.0.0.1:8000/tumours/leiomyosarcoma/"
    demo_tumour.refresh_from_db()
    assert data["dateModified"] == demo_tumour.updated_at.isoformat()
    assert [c["url"] for c in data["citation"]] == [
        "https://en.wikipedia.org/wiki/Leiomyosarcoma",
        "https://journal.example/lms",
    ]
    assert data["citation"][0]["publisher"] == {"@type": "Organization", "name": "Wikipedia"}
    assert data["lastReviewed"] == demo_tumour.last_reviewed_on.isoformat()
    assert data["reviewedBy"] == {
        "@type": "Person",
        "name": "Dr Helen Marsh",
        "jobTitle": "Consultant Medical Oncologist",
    }


def test_json_ld_leaves_out_a_review_that_never_happened(client, db):
    TumourFactory(slug="unreviewed", last_reviewed_on=None, reviewed_by="")
    data = json_ld(client.get("/tumours/unreviewed/").content.decode())
    assert "lastReviewed" not in data
    assert "reviewedBy" not in data


def test_json_ld_cannot_break_out_of_its_script(client, db):
    TumourFactory(slug="hostile", name="</script><script>alert(1)</script>", also_known_as="<!--, &amp;")
    html = client.get("/tumours/hostile/").content.decode()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL).group(1)
    assert "<" not in block and ">" not in block
    data = json.loads(block)
    assert data["name"] == "</script><script>alert(1)</script>"
    assert data["about"]["alternateName"] == ["<!--", "&amp;"]


def test_tumour_page_has_breadcrumbs(client, demo_tumour):
    html = client.get("/tumours/leiomyosarcoma/").content.decode()
    nav = html[html.index('<nav class="breadcrumbs" aria-label="Breadcrumb">') :]
    nav = nav[: nav.index("</nav>")]
    assert re.findall(r'href="([^"]+)"', nav) == ["/", "/tumours/", "/tumours/leiomyosarcoma/"]
    assert 'aria-current="page"' in nav


def test_contents_list_only_on_pages_with_more_than_three_sections(client, db, django_capture_on_commit_callbacks):
    tumour = TumourFactory(slug="long")
    sections = SectionFactory.create_batch(3, tumour=tumour)
    assert "Contents" not in client.get("/tumours/long/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        sections.append(SectionFactory(tumour=tumour, heading="Outlook"))
    html = client.get("/tumours/long/").content.decode()
    contents = html[html.index('<nav class="contents"') :]
    contents = contents[: contents.index("</nav>")]
    anchors = re.findall(r'href="#([^"]+)"', contents)
    assert anchors == [f"section-{s.pk}" for s in sections]
    for anchor in anchors:
        assert f'id="{anchor}"' in html


def sitemap_urls(client, url: str) -> dict[str, str | None]:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)  # noqa: S314 - our own output
    return {u.findtext("sm:loc", namespaces=SITEMAP_NS): u.findtext("sm:lastmod", namespaces=SITEMAP_NS)
            for u in root.findall("sm:url", SITEMAP_NS)}  # fmt: skip


def test_sitemap_lists_home_index_and_published_tumours_with_lastmod(client, demo_tumour):
    TumourFactory(slug="draft-page", status=Tumour.Status.DRAFT, published_at=None)
    index = ET.fromstring(client.get("/sitemap.xml").content)  # noqa: S314 - our own output
    section_urls = sorted(s.findtext("sm:loc", namespaces=SITEMAP_NS) for s in index.findall("sm:sitemap", SITEMAP_NS))
    assert section_urls == [
        "http://testserver/sitemap-pages.xml", "http://testserver/sitemap-tests.xml",
        "http://testserver/sitemap-tumours.xml",
    ]  # fmt: skip
    pages = sitemap_urls(client, "/sitemap-pages.xml")
    # The demo content publishes the Oncofocus page too, so the list of tests is a page with something on it.
    assert set(pages) == {
        "http://testserver/", "http://testserver/tumours/", "http://testserver/tumours/letter/l/",
        "http://testserver/tests/",
    }  # fmt: skip
    tumours = sitemap_urls(client, "/sitemap-tumours.xml")
    assert set(tumours) == {"http://testserver/tumours/leiomyosarcoma/"}
    demo_tumour.refresh_from_db()
    assert tumours["http://testserver/tumours/leiomyosarcoma/"] == demo_tumour.updated_at.date().isoformat()
    assert all(pages.values())


def test_unknown_sitemap_section_is_404(client, db):
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_out(client, db):
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "Sitemap: http://127.0.0.1:8000/sitemap.xml" in lines
    for rule in ["Disallow: /admin/", "Disallow: /orders/", "Disallow: /tumours/*/request-test/"]:
        assert rule in lines
    assert "Disallow: /" not in lines


def test_index_letter_bar_links_only_letters_with_pages(client, demo_tumour):
    TumourFactory(name="Angiosarcoma", slug="angiosarcoma", also_known_as="12p gain tumour")
    html = client.get(reverse("tumours:index")).content.decode()
    bar = html[html.index('<nav class="letter-bar"') :]
    bar = bar[: bar.index("</nav>")]
    assert re.findall(r'href="/tumours/letter/([\w-]+)/"', bar) == ["a", "l", "0-9"]
    assert '<span class="letter-bar__empty">B<span class="visually-hidden"> (no pages)</span></span>' in bar
    assert bar.count("<li>") == 27
    # /tumours/ shows the first letter: it is the current one in the bar.
    assert '<a href="/tumours/letter/a/" aria-current="true">A</a>' in bar
