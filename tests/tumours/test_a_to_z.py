"""The A–Z index as a page per letter: /tumours/ (the letter bar and the first letter) and /tumours/letter/<x>/."""

import re

import pytest
from django.urls import reverse

from tests.factories import TumourFactory
from tests.tumours.test_public_pages import visible_text
from tumours import index
from tumours.models import Tumour


def html_of(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def entries(html: str) -> str:
    """The visible text of the list of entries."""
    listed = html[html.index('<ul class="tumour-list">') :]
    return visible_text(listed[: listed.index("</ul>")])


def bar(html: str) -> str:
    found = html[html.index('<nav class="letter-bar"') :]
    return found[: found.index("</nav>")]


def tumour_links(html: str) -> list[str]:
    return re.findall(r'href="/tumours/((?!letter/)[^"/]+)/"', html[html.index('<ul class="tumour-list">') :])


@pytest.fixture
def pages(db, kit):
    TumourFactory(name="Angiosarcoma", slug="angiosarcoma", also_known_as="Haemangiosarcoma, AS", test_kits=[kit])
    TumourFactory(name="Leiomyosarcoma", slug="leiomyosarcoma", also_known_as="LMS")
    TumourFactory(name="Liposarcoma", slug="liposarcoma")
    TumourFactory(name="12p gain tumour", slug="twelve-p")
    TumourFactory(name="Östlicher tumour", slug="ostlicher")
    TumourFactory(name="Secret sarcoma", slug="secret", status=Tumour.Status.DRAFT, published_at=None)


def test_a_letter_page_lists_its_names_and_the_aliases_under_it(client, pages):
    html = html_of(client, "/tumours/letter/l/")
    assert entries(html) == "Leiomyosarcoma Liposarcoma LMS, see Leiomyosarcoma"
    assert '<a href="/tumours/leiomyosarcoma/">Leiomyosarcoma</a>' in html
    assert "Angiosarcoma" not in entries(html)
    # Aliases under their own letter, pointing to the page; the kit's tag beside every entry of a page with one.
    assert entries(html_of(client, "/tumours/letter/h/")) == "Haemangiosarcoma, see Angiosarcoma Test available"
    assert (
        entries(html_of(client, "/tumours/letter/a/"))
        == "Angiosarcoma Test available AS, see Angiosarcoma Test available"
    )


def test_names_starting_with_a_digit_or_another_character_have_their_own_page(client, pages):
    html = html_of(client, "/tumours/letter/0-9/")
    assert entries(html) == "12p gain tumour Östlicher tumour"
    assert '<h2 id="letter-heading">0–9 and other characters' in html


def test_drafts_are_never_listed(client, pages):
    html = html_of(client, "/tumours/letter/s/", status=404)
    assert "Secret" not in html
    assert "No tumour pages are listed under S." in visible_text(html)


def test_the_old_address_shows_the_letter_bar_and_the_first_letter(client, pages):
    html = html_of(client, reverse("tumours:index"))
    assert "Tumours A–Z" in visible_text(html)
    assert entries(html) == entries(html_of(client, "/tumours/letter/a/"))
    assert '<a href="/tumours/letter/a/" aria-current="true">A</a>' in bar(html)


def test_a_visitor_at_the_old_address_still_finds_every_published_tumour(client, pages):
    start = html_of(client, "/tumours/")
    found = set(tumour_links(start))
    for letter_url in re.findall(r'href="(/tumours/letter/[^"]+/)"', bar(start)):
        found |= set(tumour_links(html_of(client, letter_url)))
    assert found == set(Tumour.objects.published().values_list("slug", flat=True))


def test_letters_without_entries_are_shown_but_not_linked(client, pages):
    html = bar(html_of(client, "/tumours/letter/l/"))
    assert re.findall(r'href="/tumours/letter/([\w-]+)/"', html) == ["a", "h", "l", "0-9"]
    assert '<span class="letter-bar__empty">B<span class="visually-hidden"> (no pages)</span></span>' in html
    assert html.count("<li>") == 27
    # The letter shown is the current page; the bucket of other characters says what it holds.
    assert '<a href="/tumours/letter/l/" aria-current="page">L</a>' in html
    assert html.count("aria-current") == 1
    assert '0–9<span class="visually-hidden"> and other characters</span>' in html


def test_a_letter_page_has_its_own_title_heading_and_landmarks(client, pages):
    html = html_of(client, "/tumours/letter/l/")
    assert "<title>Tumours A–Z: L – Oncosite</title>" in html
    assert "<h1>Tumours A–Z: L</h1>" in html
    assert '<nav class="letter-bar" aria-label="Tumours by letter">' in html
    assert '<section class="az-letter" aria-labelledby="letter-heading">' in html
    assert '<link rel="canonical" href="http://127.0.0.1:8000/tumours/letter/l/">' in html


@pytest.mark.parametrize(
    "url",
    ["/tumours/letter/ab/", "/tumours/letter/L/", "/tumours/letter/%25/", "/tumours/letter/l/1/",
     "/tumours/letter/l/2/", "/tumours/letter/l/0/", "/tumours/letter/"],
)  # fmt: skip
def test_an_address_that_is_no_page_of_the_index_is_404(client, pages, url):
    assert client.get(url).status_code == 404


def test_a_tumour_whose_address_is_letter_keeps_its_page(client, db):
    TumourFactory(name="Letter tumour", slug="letter")
    assert "Letter tumour" in html_of(client, "/tumours/letter/")


def test_a_long_letter_is_split_into_pages_named_by_their_first_and_last_entries(client, db, monkeypatch):
    monkeypatch.setattr(index, "PAGE_SIZE", 2)
    for n in range(5):
        TumourFactory(name=f"Sarcoma {n}", slug=f"sarcoma-{n}")
    first = html_of(client, "/tumours/letter/s/")
    assert entries(first) == "Sarcoma 0 Sarcoma 1"
    assert "(page 1 of 3)" in first
    nav = first[first.index('<nav class="letter-pages" aria-label="Pages under S">') :]
    nav = nav[: nav.index("</nav>")]
    assert re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav) == [
        ("/tumours/letter/s/", "Sarcoma 0 – Sarcoma 1"),
        ("/tumours/letter/s/2/", "Sarcoma 2 – Sarcoma 3"),
        ("/tumours/letter/s/3/", "Sarcoma 4 – Sarcoma 4"),
    ]
    assert '<a href="/tumours/letter/s/" aria-current="page">' in nav
    assert entries(html_of(client, "/tumours/letter/s/3/")) == "Sarcoma 4"
    assert "<title>Tumours A–Z: S, page 2 – Oncosite</title>" in html_of(client, "/tumours/letter/s/2/")
    assert client.get("/tumours/letter/s/4/").status_code == 404


def test_index_pages_are_marked_for_purging_by_surrogate_key(client, pages):
    for url in ["/tumours/", "/tumours/letter/l/"]:
        response = client.get(url)
        assert response["Cache-Control"].startswith("public, ")
        assert {"index", "tumour-list", "kit-list"} <= set(response["Surrogate-Key"].split())


def test_index_pages_are_served_from_the_page_cache(client, pages, django_assert_num_queries):
    for url in ["/tumours/", "/tumours/letter/l/"]:
        first = client.get(url).content
        with django_assert_num_queries(0):
            assert client.get(url).content == first


@pytest.mark.parametrize("n_tumours", [1, 30])
def test_index_pages_cost_fixed_queries(client, kit, n_tumours, django_assert_max_num_queries):
    for n in range(n_tumours):
        TumourFactory(name=f"Leio {n}", test_kits=[kit], also_known_as=f"alias {n}, other {n}")
    # The next scheduled change (how long the page may be cached), the letters' counts, the letter's rows, which
    # of them offer a kit, and the footer's kit pages.
    for url in ["/tumours/", "/tumours/letter/l/", "/tumours/letter/a/", "/tumours/letter/o/"]:
        with django_assert_max_num_queries(5):
            assert client.get(url).status_code == 200
