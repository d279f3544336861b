"""Search is safe and cheap: no query raises, operators cannot widen a search to every page, anonymous answers are
cached like pages (and dropped with them), and one address cannot run searches past a rate."""

import os

import pytest
from django.test import Client, override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import SectionFactory, TumourFactory
from tumours import services
from tumours.models import Tumour
from tumours.search import search_tumours

pytestmark = pytest.mark.django_db
EXAMPLES = int(os.environ.get("HYPOTHESIS_SEARCH_EXAMPLES", "150"))
# Operators of PostgreSQL's websearch_to_tsquery and to_tsquery, and what people type when they think in them.
OPERATORS = ["-", "--", "or", "OR", "and", "not", '"', "'", "(", ")", "&", "|", "!", ":*", "<->", "<2>", "*", "~",
             "\\", ":", "+", "zzzz", "sarcoma", " ", "  "]  # fmt: skip
HYPOTHESIS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def pages(db):
    for name in ("Leiomyosarcoma", "Angiosarcoma", "Chondrosarcoma"):
        tumour = TumourFactory(name=name, slug=name.lower(), summary=f"{name} is a sarcoma.")
        SectionFactory(tumour=tumour, heading="Treatment", body="Surgery first.")


@override_settings(SEARCH_RATE_LIMIT="100000/m")  # hundreds of searches from one test address
@HYPOTHESIS
@given(query=st.text(max_size=300))
def test_any_text_gives_a_results_page(pages, query):
    search_tumours(query=query)
    assert Client().get("/search/", {"q": query}).status_code == 200


@HYPOTHESIS
@given(query=st.lists(st.sampled_from(OPERATORS), max_size=60).map("".join))
def test_operator_soup_gives_a_results_page(pages, query):
    search_tumours(query=query)


def test_a_run_of_minus_signs_is_an_empty_search_not_an_error(client, pages):
    response = client.get("/search/", {"q": "-" * 40})
    assert response.status_code == 200
    assert search_tumours(query="-" * 40).hits == []


@pytest.mark.parametrize("query", ["zzzz or -yyyy", "zzzz OR sarcoma", "-zzzz", '"zzzz" | !yyyy', "zzzz:* | sarcoma"])
def test_operators_never_widen_a_search(pages, query):
    # Each of these once matched every page: every word must now be on the page.
    assert search_tumours(query=query).hits == []


def test_words_still_find_pages_whatever_surrounds_them(pages):
    assert [hit.tumour.name for hit in search_tumours(query='"angiosarcoma"!').hits] == ["Angiosarcoma"]
    assert len(search_tumours(query="-sarcoma-").hits) == 3


def test_anonymous_searches_are_answered_from_the_cache(client, pages, django_assert_num_queries):
    first = client.get("/search/", {"q": "angiosarcoma"})
    assert first.status_code == 200
    with django_assert_num_queries(0):
        again = client.get("/search/", {"q": "  angiosarcoma "})
    assert again.content == first.content


def test_a_cached_search_follows_any_page_edit_at_once(client, pages, reviewer, django_capture_on_commit_callbacks):
    assert "Angiosarcoma" in client.get("/search/", {"q": "surgery"}).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.unpublish(tumour=Tumour.objects.get(slug="angiosarcoma"), by=reviewer, reason="Under correction.")
    assert "Angiosarcoma" not in client.get("/search/", {"q": "surgery"}).content.decode()


def test_staff_searches_are_never_cached(editor_client, pages, django_assert_max_num_queries):
    editor_client.get("/search/", {"q": "angiosarcoma"})
    with django_assert_max_num_queries(10) as queries:
        editor_client.get("/search/", {"q": "angiosarcoma"})
    assert len(queries) > 0


def test_searches_past_the_rate_get_a_friendly_429_and_cached_ones_still_answer(client, pages, settings):
    settings.SEARCH_RATE_LIMIT = "3/m"
    for word in ("angiosarcoma", "surgery", "treatment"):
        assert client.get("/search/", {"q": word}).status_code == 200
    refused = client.get("/search/", {"q": "chondrosarcoma"})
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    html = refused.content.decode()
    assert "Please wait a moment before searching again" in html and 'href="/tumours/"' in html
    assert client.get("/search/", {"q": "surgery"}).status_code == 200  # cached: costs the database nothing
    other_address = Client(REMOTE_ADDR="192.0.2.7")
    assert other_address.get("/search/", {"q": "chondrosarcoma"}).status_code == 200
