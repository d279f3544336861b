import pytest
from django.db import connection
from django.urls import reverse

from tests.factories import SectionFactory, TumourFactory
from tests.tumours.test_public_pages import visible_text
from tumours import services
from tumours.models import Section, Tumour
from tumours.search import MAX_QUERY_CHARS, MAX_QUERY_WORDS, clean_query, search_tumours

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full-text and trigram search")


def found_names(query: str) -> list[str]:
    return [hit.tumour.name for hit in search_tumours(query=query).hits]


def search_page(client, query: str) -> str:
    response = client.get(reverse("tumours:search"), {"q": query})
    assert response.status_code == 200
    return response.content.decode()


def test_every_page_has_a_labelled_search_box_in_the_header(client, demo_tumour):
    for url in ["/", "/tumours/", "/tumours/leiomyosarcoma/", "/search/?q=x"]:
        html = client.get(url).content.decode()
        header = html[html.index('<header class="site-header"') : html.index("</header>")]
        assert 'role="search"' in header and 'action="/search/"' in header
        assert '<label class="visually-hidden" for="site-search-q">Search tumour and test pages</label>' in header


@pytest.mark.parametrize("query", ["Leiomyosarcoma", "leiomyosarcoma", "LMS", "smooth muscle", "retroperitoneum"])
def test_finds_by_name_alias_summary_and_section_text(demo_tumour, query):
    assert found_names(query) == ["Leiomyosarcoma"]


def test_search_page_shows_result_with_highlighted_snippet(client, demo_tumour):
    html = search_page(client, "retroperitoneum")
    assert '<a href="/tumours/leiomyosarcoma/">Leiomyosarcoma</a>' in html
    assert "<mark>retroperitoneum</mark>" in html
    assert "1 page found" in visible_text(html)


def test_name_and_alias_matches_rank_above_body_text(db):
    body_only = TumourFactory(name="Angiosarcoma", slug="angiosarcoma", summary="Not about muscle.")
    SectionFactory(tumour=body_only, body="Sometimes confused with leiomyosarcoma, leiomyosarcoma, leiomyosarcoma.")
    TumourFactory(name="Uterine tumour", slug="uterine", also_known_as="Leiomyosarcoma of the uterus")
    TumourFactory(name="Leiomyosarcoma", slug="leiomyosarcoma", summary="A smooth muscle tumour.")
    names = found_names("leiomyosarcoma")
    assert set(names) == {"Angiosarcoma", "Uterine tumour", "Leiomyosarcoma"}
    assert names[-1] == "Angiosarcoma"


def test_unpublished_pages_are_never_found(db):
    TumourFactory(name="Secret sarcoma", slug="secret", status=Tumour.Status.DRAFT, published_at=None)
    assert found_names("Secret sarcoma") == []
    assert all(t.name != "Secret sarcoma" for t in search_tumours(query="Secret sarcomma").suggestions)


def test_a_draft_of_a_live_page_is_not_searched_until_it_is_approved(live, editor):
    services.save_draft(tumour=live, by=editor, fields={"name": "Velvet marrow growth"})
    assert found_names("Velvet marrow growth") == []
    assert found_names("Angiosarcoma") == ["Angiosarcoma"]


def test_section_edits_are_searchable_at_once(demo_tumour):
    section = Section.objects.get(tumour=demo_tumour, heading="Treatment")
    section.body = "Trabectedin is one option."
    section.save()
    assert found_names("trabectedin") == ["Leiomyosarcoma"]
    section.delete()
    assert found_names("trabectedin") == []
    SectionFactory(tumour=demo_tumour, body="Gemcitabine and docetaxel.")
    assert found_names("docetaxel") == ["Leiomyosarcoma"]


def test_name_changes_are_searchable_at_once(demo_tumour):
    demo_tumour.also_known_as = "LMS, smooth muscle sarcoma, Kryptonite"
    demo_tumour.save()
    assert found_names("kryptonite") == ["Leiomyosarcoma"]


def test_no_results_says_so_and_points_to_the_index(client, demo_tumour):
    html = search_page(client, "zebra")
    text = visible_text(html)
    assert "No pages found for “zebra”" in text
    assert 'href="/tumours/"' in html[html.index('class="no-results"') :]


@pytest.mark.parametrize("query", ["leiomyosarcomma", "leiomiosarcoma"])
def test_misspelt_name_still_leads_to_the_page(client, demo_tumour, query):
    # PostgreSQL finds it outright by trigram similarity; SQLite offers it as the closest name.
    html = search_page(client, query)
    assert 'href="/tumours/leiomyosarcoma/"' in html


@on_postgresql
@pytest.mark.parametrize("query", ["leiomyosarcomma", "leiomiosarcoma", "Leiomyosarcomas"])
def test_postgresql_finds_misspellings_and_plurals(demo_tumour, query):
    assert found_names(query) == ["Leiomyosarcoma"]


@on_postgresql
def test_postgresql_vector_is_weighted_by_where_words_are(demo_tumour):
    with connection.cursor() as cursor:
        cursor.execute("SELECT search_vector::text FROM tumours_tumour WHERE id = %s", [demo_tumour.pk])
        vector = cursor.fetchone()[0]
    assert "'leiomyosarcoma':1A" in vector
    assert "'retroperitoneum':" in vector and "C" in vector.split("'retroperitoneum':")[1].split(" ")[0]


HOSTILE = [
    "'",
    '"',
    "\\",
    "a & b | !c <-> d:*",
    "!!!",
    "(((",
    "'; DROP TABLE tumours_tumour; --",
    "leio\x00myo",
    "\x00",
    "x" * 10_000,
    " ".join(["sarcoma"] * 500),
    "<script>alert(1)</script>",
    "%_%",
    "\u202e\ufeffsarcoma",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_never_error(client, demo_tumour, query):
    html = search_page(client, query)
    assert "<script>alert(1)" not in html


def test_query_is_bounded_in_length_and_words():
    assert len(clean_query("x" * 10_000)) == MAX_QUERY_CHARS
    assert clean_query(" ".join(f"w{i}" for i in range(50))).split() == [f"w{i}" for i in range(MAX_QUERY_WORDS)]
    assert clean_query("leio\x00myo\x1f sarcoma") == "leio myo sarcoma"


def test_snippet_escapes_page_text_and_marks_only_the_match(db):
    tumour = TumourFactory(name="Escaping", slug="escaping", summary="Use `<b>` & <i>friends</i> with sarcoma.")
    hit = search_tumours(query="sarcoma").hits[0]
    assert hit.tumour == tumour
    assert "<mark>sarcoma</mark>" in hit.snippet
    assert "&lt;b&gt; &amp; friends" in hit.snippet
    assert "<b>" not in hit.snippet and "<i>" not in hit.snippet


def test_query_echo_is_escaped(client, db):
    html = search_page(client, '"><img src=x onerror=alert(1)>')
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_empty_query_shows_just_the_form(client, db):
    html = search_page(client, "")
    assert "Search tumour and test pages" in visible_text(html)
    assert "No pages found" not in html


def test_results_page_uses_a_fixed_number_of_queries(client, db, django_assert_max_num_queries):
    for n in range(15):
        tumour = TumourFactory(name=f"Sarcoma type {n}", slug=f"type-{n}")
        SectionFactory.create_batch(3, tumour=tumour, body="Sarcoma text.")
    # The search, its kits and sections, the pg_trgm threshold, and the next scheduled publication (which
    # bounds how long the answer may stay in the page cache); and the published kit pages, matched by name
    # beside the tumours and linked from the footer, which search.py does not read.
    with django_assert_max_num_queries(6):
        html = search_page(client, "sarcoma")
    assert html.count("<mark>") >= 15
