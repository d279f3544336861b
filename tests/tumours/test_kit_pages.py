"""What a visitor finds about a test kit: its page, the way from every kit box to it, the way from it to a request
form, and the rest of the site (home, footer, search, sitemap, search engines) pointing at it."""

import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import SectionFactory, SourceFactory, TestKitFactory, TumourFactory
from tests.tumours.test_public_pages import visible_text
from tests.tumours.test_seo import SITEMAP_NS, sitemap_urls
from tumours import services
from tumours.models import TestKit, Tumour

KIT_URL = "/tests/oncofocus/"


def kit_text(client, url=KIT_URL) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return visible_text(response.content.decode())


def json_ld(html: str) -> dict:
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL).group(1))


# The page.


def test_the_kit_page_shows_its_description_sections_tumours_and_review(client, kit_page, offering_page):
    TumourFactory(name="Angiosarcoma", slug="angiosarcoma", test_kits=[kit_page])
    TumourFactory(name="Chordoma", slug="chordoma")  # does not offer the kit
    TumourFactory(name="Desmoid", slug="desmoid", test_kits=[kit_page], status=Tumour.Status.DRAFT)  # not public
    text = kit_text(client)
    landmarks = [
        "Our test Oncofocus",
        "Oncofocus is a test sold by Oncosite Ltd, the company that runs Oncosite.",
        "This page describes our own product.",
        "The most comprehensive precision oncology test.",
        "How it works A sample of the tumour goes to our laboratory.",
        "The sample we need Tissue already taken",
        "Tumours Oncofocus is available for Angiosarcoma Leiomyosarcoma LMS, see Leiomyosarcoma",
        "Request Oncofocus",
        "Page last reviewed:",
        "Reviewed by Dr Helen Marsh, Consultant Medical Oncologist",
    ]
    positions = [text.index(landmark) for landmark in landmarks]
    assert positions == sorted(positions)
    assert "Chordoma" not in text and "Desmoid" not in text
    html = client.get(KIT_URL).content.decode()
    assert '<a href="/tumours/angiosarcoma/">Angiosarcoma</a>' in html


def test_breadcrumbs_say_home_tests_and_the_kit(client, kit_page):
    html = client.get(KIT_URL).content.decode()
    trail = html[html.index('<nav class="breadcrumbs"') :]
    trail = trail[: trail.index("</nav>")]
    assert re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', trail) == [
        ("/", "Home"), ("/tests/", "Tests"), ("/tests/oncofocus/", "Oncofocus"),
    ]  # fmt: skip
    assert 'aria-current="page">Oncofocus' in trail
    assert (
        "Our tests" in kit_text(client, "/tests/")
        and 'href="/tests/oncofocus/"' in client.get("/tests/").content.decode()
    )


def test_json_ld_describes_a_medical_test_and_claims_no_diagnosis(client, kit_page, offering_page):
    data = json_ld(client.get(KIT_URL).content.decode())
    assert data["@type"] == "MedicalWebPage" and data["url"] == "http://127.0.0.1:8000/tests/oncofocus/"
    test = data["about"]
    assert test == {
        "@type": "MedicalTest",
        "name": "Oncofocus",
        "description": "The most comprehensive precision oncology test.",
        "relevantSpecialty": "https://schema.org/Oncologic",
    }
    assert "usedToDiagnose" not in json.dumps(data)
    assert data["reviewedBy"] == {
        "@type": "Person",
        "name": "Dr Helen Marsh",
        "jobTitle": "Consultant Medical Oncologist",
    }
    assert data["publisher"] == {"@type": "Organization", "name": "Oncosite Ltd"}
    names = [item["name"] for item in data["breadcrumb"]["itemListElement"]]
    assert names == ["Home", "Tests", "Oncofocus"]


def test_json_ld_names_no_specialty_when_no_tumour_offers_the_kit(client, kit_page):
    assert "relevantSpecialty" not in json_ld(client.get(KIT_URL).content.decode())["about"]
    assert "cannot be requested through this site for any tumour" in kit_text(client)


def test_a_kit_page_that_was_never_approved_is_404_and_staff_see_its_draft(kit, editor, editor_client):
    visitor = Client()
    assert visitor.get(KIT_URL).status_code == 404
    services.save_draft(kit=kit, by=editor, fields={"description": "Drafted text."})
    assert visitor.get(KIT_URL).status_code == 404
    response = editor_client.get(KIT_URL)
    assert response.status_code == 200 and "Drafted text." in response.content.decode()
    assert "Draft — not visible to the public" in response.content.decode()
    assert "no-store" in response["Cache-Control"]


# From every kit box to the page, and from the page to a request form.


def test_the_kit_box_links_to_the_kit_page_once_it_is_published(client, kit, offering_page, editor, reviewer,
                                                                django_capture_on_commit_callbacks):  # fmt: skip
    html = client.get(offering_page.get_absolute_url()).content.decode()
    assert '<span class="kit-box__discover">Discover Oncofocus Today</span>' in html
    # The tumour page was cached just now: the kit's approval drops it once committed.
    with django_capture_on_commit_callbacks(execute=True):
        services.save_draft(kit=kit, by=editor, sections=[{"heading": "How it works", "body": "In a laboratory."}])
        services.submit_for_review(kit=kit, by=editor)
        services.approve(kit=kit, by=reviewer)
    html = client.get(offering_page.get_absolute_url()).content.decode()
    assert '<a class="kit-box__discover" href="/tests/oncofocus/">Discover Oncofocus Today</a>' in html


def test_the_kit_box_names_the_kit_not_a_fixed_word(client, offering_page):
    other = TestKitFactory(name="Sarcofocus", slug="sarcofocus", description="Another test.")
    offering_page.test_kits.set([other])
    assert "Discover Sarcofocus Today" in kit_text(client, offering_page.get_absolute_url())


def test_picking_a_tumour_lands_on_its_request_form_for_this_kit(client, kit_page, offering_page):
    html = client.get(KIT_URL).content.decode()
    form = html[html.index('<form method="get"') :]
    form = form[: form.index("</form>")]
    assert 'action="/tests/oncofocus/request/"' in form
    assert re.findall(r'<option value="([^"]*)"', form) == ["", "leiomyosarcoma"]
    response = client.get("/tests/oncofocus/request/", {"tumour": "leiomyosarcoma"})
    assert response.status_code == 302
    assert response["Location"] == "/tumours/leiomyosarcoma/request-test/?kit=oncofocus"
    text = visible_text(client.get(response["Location"]).content.decode())
    assert "Request an Oncofocus test" in text and "Tumour Leiomyosarcoma Test kit Oncofocus" in text


@pytest.mark.parametrize(
    "query, message",
    [
        ({}, "Choose your tumour from the list."),
        ({"tumour": ""}, "Choose your tumour from the list."),
        ({"tumour": "chordoma"}, "that one is not offered with this test"),
        ({"tumour": "<script>x</script>" * 50}, "that one is not offered with this test"),
    ],
)
def test_a_bad_pick_comes_back_with_a_message(client, kit_page, offering_page, query, message):
    TumourFactory(name="Chordoma", slug="chordoma")
    response = client.get("/tests/oncofocus/request/", query)
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html and message in html and "<script>x" not in html
    assert "Tumours Oncofocus is available for" in visible_text(html)
    assert response["X-Robots-Tag"] == "noindex"


def test_the_request_form_takes_the_kit_named_and_refuses_one_not_offered(client, kit_page, offering_page):
    other = TestKitFactory(name="Sarcofocus", slug="sarcofocus", description="Another test.")
    offering_page.test_kits.add(other)
    assert "Request an Sarcofocus test" in kit_text(client, "/tumours/leiomyosarcoma/request-test/?kit=sarcofocus")
    TestKitFactory(name="Lonely", slug="lonely")
    assert client.get("/tumours/leiomyosarcoma/request-test/?kit=lonely").status_code == 404
    assert client.get("/tests/nothing/request/", {"tumour": "leiomyosarcoma"}).status_code == 404


# The rest of the site.


def test_home_and_footer_link_to_published_kit_pages_only(client, kit_page, offering_page):
    TestKitFactory(name="Unpublished", slug="unpublished")
    for url in ["/", offering_page.get_absolute_url(), "/tumours/", "/privacy/", "/search/?q=x"]:
        html = client.get(url).content.decode()
        footer = html[html.index('<footer class="site-footer"') :]
        assert '<a href="/tests/oncofocus/">About the Oncofocus test</a>' in footer, url
        assert "/tests/unpublished/" not in html, url
    home = client.get("/").content.decode()
    assert 'href="/tests/oncofocus/">Discover Oncofocus</a>' in home[: home.index('<footer class="site-footer"')]


def test_the_404_page_touches_no_database_so_it_has_no_kit_links(client, kit_page):
    html = client.get("/tumours/no-such-page/").content.decode()
    assert "About the Oncofocus test" not in html and "Privacy notice" in html


def test_search_finds_a_kit_by_its_name(client, kit_page, offering_page):
    TestKitFactory(name="Unpublished", slug="unpublished")
    for query in ["Oncofocus", "oncofocus test", "ONCOF", "oncofokus"]:
        html = client.get("/search/", {"q": query}).content.decode()
        results = html[html.index("search-count") :]
        assert '<a href="/tests/oncofocus/">Oncofocus</a>' in results, query
    for query in ["sarcoma", "onc", "focus group", "unpublished"]:
        html = client.get("/search/", {"q": query}).content.decode()
        assert 'href="/tests/oncofocus/">Oncofocus</a> <span class="tag">' not in html, query
        assert "/tests/unpublished/" not in html
    text = visible_text(client.get("/search/", {"q": "oncofocus"}).content.decode())
    assert "1 page found" in text and "No pages found" not in text


def test_search_counts_kits_and_tumour_pages_together(client, kit_page, offering_page):
    TumourFactory(name="Oncofocus-responsive tumour", slug="responsive")
    text = visible_text(client.get("/search/", {"q": "oncofocus"}).content.decode())
    assert "2 pages found" in text


def test_the_sitemap_lists_published_kit_pages_with_lastmod(client, kit_page):
    TestKitFactory(name="Unpublished", slug="unpublished")
    index = ET.fromstring(client.get("/sitemap.xml").content)  # noqa: S314 - our own output
    sections = {s.findtext("sm:loc", namespaces=SITEMAP_NS) for s in index.findall("sm:sitemap", SITEMAP_NS)}
    assert "http://testserver/sitemap-tests.xml" in sections
    kits = sitemap_urls(client, "/sitemap-tests.xml")
    assert kits == {"http://testserver/tests/oncofocus/": kit_page.updated_at.date().isoformat()}
    assert sitemap_urls(client, "/sitemap-pages.xml")["http://testserver/tests/"]


def test_the_list_of_tests_is_left_out_of_the_sitemap_until_it_lists_one(client, kit):
    assert "http://testserver/tests/" not in sitemap_urls(client, "/sitemap-pages.xml")
    assert sitemap_urls(client, "/sitemap-tests.xml") == {}


def test_robots_keep_crawlers_out_of_the_pick_form(client, db):
    assert "Disallow: /tests/*/request/" in client.get("/robots.txt").content.decode().splitlines()


# Cost and caching.


@pytest.mark.parametrize("n", [1, 30])
def test_the_kit_page_costs_the_same_queries_whatever_it_lists(client, kit_page, n, django_assert_max_num_queries):
    for i in range(n):
        tumour = TumourFactory(test_kits=[kit_page], also_known_as=f"alias {i}")
        SectionFactory(tumour=tumour)
        SourceFactory(tumour=tumour)
    for i in range(n):
        kit_page.sections.create(heading=f"Heading {i}", body="Text.", position=10 + i)
    # scheduled changes, the kit, its sections, the tumours offering it, the kit pages for the footer
    with django_assert_max_num_queries(5):
        html = client.get(KIT_URL).content.decode()
    assert html.count('<section class="tumour__section"') == n + 2


def test_home_search_and_list_of_tests_cost_fixed_queries(client, kit_page, offering_page,
                                                          django_assert_max_num_queries):  # fmt: skip
    for n in range(20):
        TestKitFactory(name=f"Kit {n}", slug=f"kit-{n}", status=TestKit.Status.PUBLISHED)
    # Each with the scheduled-change bound and one read of the published kit pages; search as in test_search.py.
    for url, most in [("/", 4), ("/tests/", 2), ("/search/?q=oncofocus", 6)]:
        with django_assert_max_num_queries(most):
            assert client.get(url).status_code == 200, url


def test_the_kit_page_is_cached_until_its_content_changes(client, kit_page, editor, reviewer,
                                                          django_capture_on_commit_callbacks):  # fmt: skip
    client.get(KIT_URL)
    kit_page.sections.update(body="Changed behind the cache's back.")  # an update() sends no signal
    assert "Changed behind" not in client.get(KIT_URL).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.save_draft(kit=kit_page, by=editor, fields={"description": "A corrected description."})
        services.submit_for_review(kit=kit_page, by=editor)
        services.approve(kit=kit_page, by=reviewer)
    assert "A corrected description." in client.get(KIT_URL).content.decode()


def test_the_pick_form_answer_and_the_list_of_tests_are_reversible(kit_page):
    assert reverse("tumours:kit", args=["oncofocus"]) == KIT_URL
    assert reverse("tumours:kit_request", args=["oncofocus"]) == "/tests/oncofocus/request/"
    assert kit_page.get_absolute_url() == KIT_URL
