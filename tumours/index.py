"""The A–Z index: every published name and alias under its initial letter."""

import string
from dataclasses import dataclass
from html import escape  # what django.utils.html.escape calls, without its lazy-string wrapper: 20,000 calls

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from .models import Tumour

SLUG_PLACEHOLDER = "slug-placeholder"


@dataclass(frozen=True)
class IndexEntry:
    label: str
    tumour_name: str
    url: str
    has_kit: bool
    is_alias: bool = False


def initial(label: str) -> str:
    first = label[:1].upper()
    return first if first in string.ascii_uppercase else "#"


LETTERS = [*string.ascii_uppercase, "#"]


def letter_bar(groups: list[tuple[str, list[IndexEntry]]]) -> list[tuple[str, bool]]:
    """Every letter A–Z and #, each with whether the index has entries under it (only those are links)."""
    present = {letter for letter, _ in groups}
    return [(letter, letter in present) for letter in LETTERS]


def a_to_z(tumours) -> list[tuple[str, list[IndexEntry]]]:
    """Letters A–Z (and # for anything else) in order, each with its entries sorted by label."""
    # Thousands of pages: fetch only what the list shows as plain values (10,000 model instances cost ~100 ms),
    # ask "any kit?" in the same query, and build each link from one reversed pattern, not one reverse() each.
    kits = Tumour.test_kits.through.objects.filter(tumour=OuterRef("pk"))
    return group_entries(tumours.annotate(has_kit=Exists(kits)).values_list("name", "slug", "also_known_as", "has_kit"))


def group_entries(rows) -> list[tuple[str, list[IndexEntry]]]:
    """Rows of (name, slug, also_known_as, has_kit) as a_to_z gives them."""
    pattern = reverse("tumours:detail", kwargs={"slug": SLUG_PLACEHOLDER})
    groups: dict[str, list[IndexEntry]] = {}
    for name, slug, also_known_as, has_kit in rows:
        url = pattern.replace(SLUG_PLACEHOLDER, slug)
        entries = [IndexEntry(name, name, url, has_kit)]
        entries += [
            IndexEntry(alias, name, url, has_kit, is_alias=True) for alias in Tumour.parse_aliases(also_known_as)
        ]
        for entry in entries:
            groups.setdefault(initial(entry.label), []).append(entry)
    return [
        (letter, sorted(groups[letter], key=lambda e: e.label.casefold())) for letter in LETTERS if letter in groups
    ]


def entries_html(entries: list[IndexEntry]) -> SafeString:
    """The <li> items of one letter, built here: 10,000 entries through the template language took ~0.9 s."""
    items = []
    for entry in entries:
        url = escape(entry.url)
        if entry.is_alias:
            item = f'{escape(entry.label)}, see <a href="{url}">{escape(entry.tumour_name)}</a>'
        else:
            item = f'<a href="{url}">{escape(entry.label)}</a>'
        if entry.has_kit:
            item += ' <span class="tag">Test available</span>'
        items.append(f"<li>{item}</li>")
    return mark_safe("\n".join(items))  # noqa: S308 - every piece of text is escaped above
