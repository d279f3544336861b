"""The A–Z index: every published name and alias under its initial letter, a page per letter.

At 10,000 pages one list was a 1.3 MB page that took ~250 ms under load to build; as on large health sites
(MedlinePlus, the NHS) each letter has its own page, with the letter bar on every one. A letter with more than
PAGE_SIZE entries is split into numbered pages, each named by its first and last entries (as a dictionary's guide
words), so no page grows with the site. Aliases ("also known as" names) are entries under their own letter that
point to the page.
"""

import math
import string
from dataclasses import dataclass
from html import escape  # what django.utils.html.escape calls, without its lazy-string wrapper: 20,000 calls

from django.db.models import Count, Q
from django.db.models.functions import Substr, Upper
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from .models import Tumour

SLUG_PLACEHOLDER = "slug-placeholder"
PAGE_SIZE = 500  # entries on one page of a letter
OTHER = "#"  # the bucket of names starting with a digit or any other character
OTHER_SLUG = "0-9"
LETTERS = [*string.ascii_uppercase, OTHER]


@dataclass(frozen=True)
class IndexEntry:
    label: str
    tumour_name: str
    url: str
    has_kit: bool
    is_alias: bool = False


def initial(label: str) -> str:
    first = label[:1].upper()
    return first if first in string.ascii_uppercase else OTHER


def letter_slug(letter: str) -> str:
    """The letter as it appears in its page's address: /tumours/letter/a/, and /tumours/letter/0-9/ for #."""
    return OTHER_SLUG if letter == OTHER else letter.lower()


def letter_from_slug(slug: str) -> str | None:
    if slug == OTHER_SLUG:
        return OTHER
    return slug.upper() if len(slug) == 1 and slug in string.ascii_lowercase else None


def letter_label(letter: str) -> str:
    return "0–9" if letter == OTHER else letter


def letter_url(letter: str, page: int = 1) -> str:
    if page == 1:
        return reverse("tumours:letter", kwargs={"letter": letter_slug(letter)})
    return reverse("tumours:letter_page", kwargs={"letter": letter_slug(letter), "page": page})


def entry_counts() -> dict[str, int]:
    """How many entries (names and aliases) each letter has: one query, grouped by initial and alias list."""
    rows = (
        Tumour.objects.published()
        .values_list(Upper(Substr("name", 1, 1)), "also_known_as")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[str, int] = {}
    for first, also_known_as, n in rows:
        counts[initial(first)] = counts.get(initial(first), 0) + n
        for alias in Tumour.parse_aliases(also_known_as):
            counts[initial(alias)] = counts.get(initial(alias), 0) + n
    return counts


@dataclass(frozen=True)
class LetterPage:
    """One page of one letter: its entries, the letter bar and, for a long letter, its numbered pages."""

    letter: str
    number: int
    entries: list[IndexEntry]
    bar: list[tuple[str, bool]]  # every letter with whether it has entries (only those are links)
    pages: list[tuple[int, str, str]]  # (number, first label, last label) of each page of the letter

    @property
    def label(self) -> str:
        return letter_label(self.letter)

    @property
    def items_html(self) -> SafeString:
        return entries_html(self.entries)

    def bar_links(self) -> list[tuple[str, str, str | None]]:
        """(letter, label, url or None) for the letter bar."""
        return [(letter, letter_label(letter), letter_url(letter) if has else None) for letter, has in self.bar]

    def page_links(self) -> list[tuple[int, str, str]]:
        return [(number, f"{first} – {last}", letter_url(self.letter, number)) for number, first, last in self.pages]


def letter_bar(counts: dict[str, int]) -> list[tuple[str, bool]]:
    return [(letter, counts.get(letter, 0) > 0) for letter in LETTERS]


def first_letter(counts: dict[str, int]) -> str | None:
    return next((letter for letter in LETTERS if counts.get(letter)), None)


def letter_page(letter: str, number: int = 1, counts: dict[str, int] | None = None) -> LetterPage | None:
    """The entries of `letter` on page `number` (None: no such page). Three queries whatever the size."""
    counts = entry_counts() if counts is None else counts
    # Sorted as the reader reads them (rows start with their sort key: a plain tuple sort, 10,000 in ~3 ms); only
    # the page's entries become IndexEntry objects.
    rows = sorted(_letter_rows(letter))
    page_count = max(1, math.ceil(len(rows) / PAGE_SIZE))
    if not 1 <= number <= page_count:
        return None
    shown = rows[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]
    with_kit = _with_kit({row[5] for row in shown})
    pattern = reverse("tumours:detail", kwargs={"slug": SLUG_PLACEHOLDER})
    entries = [
        IndexEntry(label, name, pattern.replace(SLUG_PLACEHOLDER, slug), pk in with_kit, is_alias)
        for _, label, name, slug, is_alias, pk in shown
    ]
    # A long letter's pages, each named by its first and last entries.
    pages = []
    if page_count > 1:
        pages = [
            (n + 1, rows[n * PAGE_SIZE][1], rows[min(len(rows), (n + 1) * PAGE_SIZE) - 1][1]) for n in range(page_count)
        ]
    return LetterPage(letter, number, entries, letter_bar(counts), pages)


def _letter_rows(letter: str) -> list[tuple[str, str, str, str, bool, int]]:
    """(sort key, label, tumour name, slug, is alias, pk) of every entry under the letter, names and aliases."""
    # "S%" or "s%" rather than istartswith's UPPER(name) LIKE 'S%', which upper-cased every name first.
    starts = (
        ~Q(name__regex=r"^[A-Za-z]")
        if letter == OTHER
        else Q(name__startswith=letter) | Q(name__startswith=letter.lower())
    )
    found = Tumour.objects.published().filter(starts | ~Q(also_known_as=""))
    rows = []
    append = rows.append  # the loop runs once per page under the letter: 10,000 at the benchmark's size
    for pk, name, slug, also_known_as in found.values_list("pk", "name", "slug", "also_known_as"):
        if initial(name) == letter:
            append((name.casefold(), name, name, slug, False, pk))
        if also_known_as:
            for alias in Tumour.parse_aliases(also_known_as):
                if initial(alias) == letter:
                    append((alias.casefold(), alias, name, slug, True, pk))
    return rows


def _with_kit(pks: set[int]) -> set[int]:
    through = Tumour.test_kits.through.objects
    return set(through.filter(tumour_id__in=pks).values_list("tumour_id", flat=True)) if pks else set()


def letter_page_numbers(counts: dict[str, int]) -> list[tuple[str, int]]:
    """Every (letter, page number) the index has: for the sitemap."""
    return [
        (letter, number) for letter in LETTERS for number in range(1, math.ceil(counts.get(letter, 0) / PAGE_SIZE) + 1)
    ]


def group_entries(rows) -> list[tuple[str, list[IndexEntry]]]:
    """Rows of (name, slug, also_known_as, has_kit), grouped by letter A–Z (and # for anything else)."""
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
    """The <li> items of a list, built here: 10,000 entries through the template language took ~0.9 s."""
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
