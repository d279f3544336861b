"""The A–Z index: every published name and alias under its initial letter."""

import string
from dataclasses import dataclass

from .models import Tumour


@dataclass(frozen=True)
class IndexEntry:
    label: str
    tumour: Tumour
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
    groups: dict[str, list[IndexEntry]] = {}
    for tumour in tumours.prefetch_related("test_kits"):
        entries = [IndexEntry(tumour.name, tumour)]
        entries += [IndexEntry(alias, tumour, is_alias=True) for alias in tumour.aliases]
        for entry in entries:
            groups.setdefault(initial(entry.label), []).append(entry)
    return [
        (letter, sorted(groups[letter], key=lambda e: e.label.casefold())) for letter in LETTERS if letter in groups
    ]
