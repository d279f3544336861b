"""Search at scale: snippets from the plain summary stored with the page, close names from the nearest ones only."""

import pytest
from django.contrib.postgres.lookups import TrigramWordSimilar
from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.db import connection
from django.db.models import F, Q, Value
from django.db.models.functions import Greatest

from tests.factories import SectionFactory, TumourFactory
from tumours import search
from tumours.models import Tumour
from tumours.search import closest_names, search_tumours
from tumours.text import plain_text

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full-text and trigram search")

CITED = "Leiomyosarcoma is a **smooth muscle** tumour [@wikipedia-lms; @nci]. See [the guide](https://example.org/)."


def test_the_plain_summary_is_stored_with_the_summary_without_citations(db):
    tumour = TumourFactory(summary=CITED)
    tumour.refresh_from_db()
    assert tumour.summary_text == plain_text(CITED)
    assert "[@" not in tumour.summary_text and "**" not in tumour.summary_text and "https" not in tumour.summary_text
    tumour.summary = "A new summary about *muscle*."
    tumour.save(update_fields=["summary"])
    tumour.refresh_from_db()
    assert tumour.summary_text == "A new summary about muscle."


def test_snippets_come_from_the_stored_text_without_rendering_markdown(db, monkeypatch):
    TumourFactory(name="Leiomyosarcoma", summary=CITED)
    monkeypatch.setattr(search, "plain_text", lambda text: pytest.fail("markdown rendered at query time"))
    snippet = search_tumours(query="smooth muscle").hits[0].snippet
    assert "<mark>smooth</mark> <mark>muscle</mark> tumour" in snippet
    assert "[@" not in snippet and "wikipedia-lms" not in snippet  # citations left out, as on every snippet


def test_a_row_stored_without_its_plain_summary_still_gets_a_snippet(db):
    tumour = TumourFactory(name="Leiomyosarcoma", summary=CITED)
    Tumour.objects.filter(pk=tumour.pk).update(summary_text="")  # as bulk_create or an old row would leave it
    snippet = search_tumours(query="smooth").hits[0].snippet
    assert "<mark>smooth</mark> muscle tumour" in snippet and "[@" not in snippet


def test_a_match_in_a_section_still_shows_that_section(db):
    tumour = TumourFactory(name="Leiomyosarcoma", summary="Nothing to see here.")
    SectionFactory(tumour=tumour, heading="Treatment", body="Surgery with a **wide margin** [@nci].")
    snippet = search_tumours(query="margin").hits[0].snippet
    assert snippet == "Treatment: Surgery with a wide <mark>margin</mark>."


def test_hits_say_whether_a_test_is_available(client, kit):
    TumourFactory(name="Leiomyosarcoma", slug="leiomyosarcoma", test_kits=[kit])
    TumourFactory(name="Liposarcoma", slug="liposarcoma")
    hits = {hit.tumour.name: hit.tumour.has_kit for hit in search_tumours(query="sarcoma").hits}
    assert hits == {"Leiomyosarcoma": True, "Liposarcoma": False}
    html = client.get("/search/", {"q": "leiomyosarcoma"}).content.decode()
    assert '<span class="tag">Test available</span>' in html


def test_suggestions_offer_the_closest_names_and_aliases(db):
    TumourFactory(name="Leiomyosarcoma", slug="leiomyosarcoma", also_known_as="LMS")
    TumourFactory(name="Angiosarcoma", slug="angiosarcoma")
    TumourFactory(name="Leiomyoma secret", slug="secret", status=Tumour.Status.DRAFT, published_at=None)
    assert [t.name for t in closest_names("leiomyosarcomx")][0] == "Leiomyosarcoma"
    assert [t.name for t in closest_names("LMX")] == ["Leiomyosarcoma"]
    assert closest_names("zzqqxx") == []


def reference_ranking(query: str) -> list[str]:
    """The search as it was before close names came nearest first: every name above the threshold ranked."""
    text_query = SearchQuery(query, search_type="plain", config="english")
    with connection.cursor() as cursor:
        cursor.execute("SET pg_trgm.word_similarity_threshold = %s", [search.TRIGRAM_THRESHOLD])
    close = TrigramWordSimilar(F("name"), Value(query)) | TrigramWordSimilar(F("also_known_as"), Value(query))
    similarity = Greatest(TrigramWordSimilarity(query, "name"), TrigramWordSimilarity(query, "also_known_as"))
    ranked = (
        Tumour.objects.published()
        .filter(Q(search_vector=text_query) | close)
        .annotate(rank=SearchRank(F("search_vector"), text_query), similarity=similarity)
        .order_by((F("rank") + F("similarity")).desc(), "name")
    )
    return list(ranked.values_list("name", flat=True)[: search.MAX_RESULTS])


@on_postgresql
@pytest.mark.parametrize("query", ["myxoid sarcoma", "myxoid", "sarcoma", "myxiod sarcoma", "liposarcoma", "MLS"])
def test_postgresql_results_are_those_of_ranking_every_close_name(db, query):
    # More close names than are shown: only the nearest are ranked, and the 20 shown are the same.
    for n in range(12):
        TumourFactory(name=f"Myxoid sarcoma type {n}", summary="A sarcoma.")
        TumourFactory(name=f"Myxoid carcinoma type {n}", summary="Not that one.")
        TumourFactory(name=f"Spindle cell tumour {n}", summary="Sometimes myxoid; a sarcoma.")
    TumourFactory(name="Myxoid liposarcoma", also_known_as="MLS")
    expected = reference_ranking(search.query_words(query))
    assert expected, query
    assert [hit.tumour.name for hit in search_tumours(query=query).hits] == expected


def test_a_repeated_anonymous_search_is_answered_before_sessions_and_the_view(client, db, monkeypatch,
                                                                             django_assert_num_queries):  # fmt: skip
    from django.contrib.sessions.middleware import SessionMiddleware

    TumourFactory(name="Leiomyosarcoma", slug="leiomyosarcoma")
    first = client.get("/search/", {"q": "leiomyosarcoma"})
    monkeypatch.setattr(SessionMiddleware, "process_request", lambda *a: pytest.fail("the session was loaded"))
    with django_assert_num_queries(0):
        # The same cleaned query, however typed or whatever else the address holds, is the same cached page.
        for query in ["leiomyosarcoma", "  leiomyosarcoma ", "leiomyosarcoma&utm_source=x"]:
            again = client.get(f"/search/?q={query}")
            assert again.status_code == 200 and again.content == first.content
            assert again["Vary"] == first["Vary"]
