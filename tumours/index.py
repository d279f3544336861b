"""The A–Z index: every published name and alias under its initial letter."""

import string
from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.urls import reverse

from .models import Tumour

SLUG_PLACEHOLDER = "slug-placeholder"


@dataclass(frozen=True)
class IndexEntry:
    label: str
    tumour: Tumour
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
    # Thousands of pages: fetch only what the list shows, ask "any kit?" in the same query, and build each
    # link from one reversed pattern instead of one reverse() per tumour.
    kits = Tumour.test_kits.through.objects.filter(tumour=OuterRef("pk"))
    rows = tumours.only("name", "slug", "also_known_as").annotate(has_kit=Exists(kits))
    pattern = reverse("tumours:detail", kwargs={"slug": SLUG_PLACEHOLDER})
    groups: dict[str, list[IndexEntry]] = {}
    for tumour in rows:
        url = pattern.replace(SLUG_PLACEHOLDER, tumour.slug)
        entries = [IndexEntry(tumour.name, tumour, url, tumour.has_kit)]
        entries += [IndexEntry(alias, tumour, url, tumour.has_kit, is_alias=True) for alias in tumour.aliases]
        for entry in entries:
            groups.setdefault(initial(entry.label), []).append(entry)
    return [
        (letter, sorted(groups[letter], key=lambda e: e.label.casefold())) for letter in LETTERS if letter in groups
    ]
