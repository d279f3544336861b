"""The A–Z index pages: /tumours/ (the letter bar and the first letter's entries) and a page per letter.

Every response here shows the index: `index_page` names it so (surrogate keys `index` and `tumour-list`, and the
footer's `kit-list`), for a front cache to purge all of them at once when a published name, alias, address or kit
changes.
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from . import surrogate_keys as keys
from .cache import cache_public_page
from .index import entry_counts, first_letter, letter_from_slug
from .index import letter_page as build_letter_page


def index_page(response: HttpResponse) -> HttpResponse:
    """Name what the response shows: every A–Z page lists published tumours (and has the kits in its footer)."""
    return keys.tag(response, keys.INDEX, keys.TUMOUR_LIST, *keys.PAGE)


@cache_public_page
def index(request: HttpRequest) -> HttpResponse:
    # The old one-page address: the letter bar (every letter's page is one click away) and the first letter.
    counts = entry_counts()
    letter = first_letter(counts)
    page = build_letter_page(letter, counts=counts) if letter else None
    return index_page(render(request, "tumours/index.html", {"page": page, "overview": True}))


@cache_public_page
def letter(request: HttpRequest, letter: str) -> HttpResponse:
    return _letter(request, letter, 1)


@cache_public_page
def letter_page(request: HttpRequest, letter: str, page: str) -> HttpResponse:
    # Page 1 has one address only: /tumours/letter/<letter>/.
    if int(page) == 1:
        raise Http404("Page 1 of a letter is its letter page.")
    return _letter(request, letter, int(page))


def _letter(request: HttpRequest, letter: str, number: int) -> HttpResponse:
    found = letter_from_slug(letter)
    if found is None:
        raise Http404("No such letter in the A–Z index.")
    shown = build_letter_page(found, number)
    if shown is None:
        raise Http404("No such page of the A–Z index.")
    # A letter with no entries (an old link, say) is not a page of the index, but the letter bar still helps.
    status = 200 if shown.entries else 404
    return index_page(render(request, "tumours/index.html", {"page": shown, "overview": False}, status=status))
