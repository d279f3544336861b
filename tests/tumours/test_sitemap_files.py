"""Sitemaps split into files of FILE_LIMIT URLs, each at an address of its own, all listed by /sitemap.xml."""

import xml.etree.ElementTree as ET  # noqa: S405 - parses our own output

import pytest

from tests.factories import TumourFactory
from tests.tumours.test_seo import SITEMAP_NS, sitemap_urls
from tumours import index
from tumours.models import Tumour
from tumours.sitemaps import TumourSitemap


def index_entries(client) -> dict[str, str | None]:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)  # noqa: S314 - our own output
    return {s.findtext("sm:loc", namespaces=SITEMAP_NS): s.findtext("sm:lastmod", namespaces=SITEMAP_NS)
            for s in root.findall("sm:sitemap", SITEMAP_NS)}  # fmt: skip


@pytest.fixture
def small_files(monkeypatch):
    monkeypatch.setattr(TumourSitemap, "limit", 2)


@pytest.fixture
def five_pages(db):
    pages = [TumourFactory(name=f"Sarcoma {n}", slug=f"sarcoma-{n}") for n in range(5)]
    TumourFactory(name="Secret sarcoma", slug="secret", status=Tumour.Status.DRAFT, published_at=None)
    return pages


def test_every_published_tumour_is_in_exactly_one_file_and_every_file_is_listed(client, small_files, five_pages):
    listed = index_entries(client)
    files = [url for url in listed if "sitemap-tumours" in url]
    assert files == [
        "http://testserver/sitemap-tumours.xml",
        "http://testserver/sitemap-tumours-2.xml",
        "http://testserver/sitemap-tumours-3.xml",
    ]
    seen = []
    for url in files:
        urls = sitemap_urls(client, url.removeprefix("http://testserver"))
        assert 1 <= len(urls) <= 2
        seen += list(urls)
    assert sorted(seen) == sorted(f"http://testserver{page.get_absolute_url()}" for page in five_pages)


def test_each_file_is_dated_by_the_latest_change_of_what_it_lists(client, small_files, five_pages):
    Tumour.objects.filter(pk=five_pages[4].pk).update(updated_at="2031-05-04T10:00:00Z")
    listed = index_entries(client)
    assert listed["http://testserver/sitemap-tumours-3.xml"] == "2031-05-04"
    assert listed["http://testserver/sitemap-tumours.xml"] != "2031-05-04"


@pytest.mark.parametrize(
    "url",
    ["/sitemap-tumours-4.xml", "/sitemap-tumours-1.xml", "/sitemap-tumours-0.xml", "/sitemap-nothing-2.xml",
     "/sitemap-tumours.xml?p=abc", "/sitemap-tumours.xml?p=0"],
)  # fmt: skip
def test_a_file_that_does_not_exist_is_404(client, small_files, five_pages, url):
    assert client.get(url).status_code == 404


def test_djangos_page_parameter_leads_to_the_files_address(client, small_files, five_pages):
    response = client.get("/sitemap-tumours.xml?p=2")
    assert response.status_code == 301 and response["Location"] == "/sitemap-tumours-2.xml"
    assert client.get("/sitemap-tumours.xml?p=1")["Location"] == "/sitemap-tumours.xml"


def test_an_empty_section_still_has_its_first_file(client, db):
    assert "http://testserver/sitemap-tests.xml" in index_entries(client)
    assert sitemap_urls(client, "/sitemap-tests.xml") == {}


def test_the_pages_file_lists_every_page_of_the_a_to_z(client, small_files, five_pages, monkeypatch):
    monkeypatch.setattr(index, "PAGE_SIZE", 2)
    TumourFactory(name="Leiomyosarcoma", slug="leiomyosarcoma", also_known_as="LMS")
    pages = sitemap_urls(client, "/sitemap-pages.xml")
    assert set(pages) == {
        "http://testserver/", "http://testserver/tumours/", "http://testserver/tumours/letter/l/",
        "http://testserver/tumours/letter/s/", "http://testserver/tumours/letter/s/2/",
        "http://testserver/tumours/letter/s/3/",
    }  # fmt: skip
    assert all(pages.values())


def test_files_are_served_from_the_page_cache_and_marked_for_robots(client, small_files, five_pages,
                                                                    django_assert_num_queries):  # fmt: skip
    for url in ["/sitemap.xml", "/sitemap-tumours.xml", "/sitemap-tumours-2.xml"]:
        first = client.get(url)
        assert first["X-Robots-Tag"] == "noindex, noodp, noarchive"
        with django_assert_num_queries(0):
            assert client.get(url).content == first.content


@pytest.mark.parametrize("n_tumours", [1, 30])
def test_sitemaps_cost_fixed_queries(client, db, n_tumours, django_assert_max_num_queries):
    for n in range(n_tumours):
        TumourFactory(name=f"Sarcoma {n}", also_known_as=f"alias {n}")
    # The index: the next scheduled change, the pages file's three (tumours' and kits' latest change, the A–Z's
    # letters) and two per other section (its keys, its files' dates). A file: the next scheduled change and its rows.
    with django_assert_max_num_queries(8):
        assert client.get("/sitemap.xml").status_code == 200
    for url in ["/sitemap-tumours.xml", "/sitemap-tests.xml"]:
        with django_assert_max_num_queries(2):
            assert client.get(url).status_code == 200
