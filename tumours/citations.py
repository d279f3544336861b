"""Citations: an editor ties a statement to a source with Pandoc's syntax, `[@wikipedia-lms]` or `[@a; @b]`.

Each source of a page has a short key, unique within the page. The one renderer (tumours/markdown.py) turns a
citation into superscript numbers linking to the page's source list, numbered in list order, so a source has the
same number wherever it is cited; each source in the list links back to its first citation. Keys are letters,
digits and "_", with "-", ".", ":" or "/" between them: nothing in a key can open or close markup, and the
renderer builds the citation's HTML itself, after sanitising, from the number and an id of its own.
"""

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.text import slugify

KEY_PATTERN = r"[A-Za-z0-9_](?:[A-Za-z0-9_]|[-.:/](?=[A-Za-z0-9_]))*"
KEY = re.compile(KEY_PATTERN)
# "[@a]" or "[@a; @b]", spaces allowed around the keys. Pandoc's prefixes, locators and suffixes are not offered.
CITATION = re.compile(rf"\[[ \t]*@({KEY_PATTERN})((?:[ \t]*;[ \t]*@{KEY_PATTERN})*)[ \t]*\]")
MAX_KEY_CHARS = 60
KEY_HELP = (
    "How the text cites this source: write [@key] after the statement it supports, e.g. [@wikipedia-lms], or "
    "[@a; @b] for two. Letters, digits and _, with - . : or / between them; unique on the page. Filled in from "
    "the title if left empty."
)


def validate_source_key(value: str) -> None:
    if value and (len(value) > MAX_KEY_CHARS or not KEY.fullmatch(value)):
        raise ValidationError(
            f"“{value[:MAX_KEY_CHARS]}” cannot be a key: use letters, digits and _, with - . : or / between them "
            f"(at most {MAX_KEY_CHARS} characters), e.g. wikipedia-lms.",
            code="source_key",
        )


def keys_in(match: re.Match) -> list[str]:
    return [match.group(1), *re.findall(rf"@({KEY_PATTERN})", match.group(2))]


def key_from_title(title: str, taken: set[str]) -> str:
    """A key for a source whose editor left it empty: its title, shortened, made unique on the page."""
    base = slugify(title)[:40].strip("-") or "source"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


@dataclass
class Citations:
    """What render_markdown needs to number one text's citations, and what it found there.

    `numbers` maps each key to its source's place in the list; None renders no citation at all (plain text for
    snippets and descriptions). `scope` makes the ids of this text's citations unique on the page.
    """

    numbers: dict[str, int] | None
    scope: str = "text"
    show_unknown: bool = False  # the editor's preview marks an unknown key; the public page shows it as typed
    cited: list[str] = field(default_factory=list)  # every key cited, in order
    anchors: list[tuple[str, str]] = field(default_factory=list)  # (key, id) of each numbered citation
    unknown: list[str] = field(default_factory=list)  # keys cited that no source has

    @classmethod
    def dropped(cls) -> "Citations":
        return cls(numbers=None)

    def anchor(self) -> str:
        return f"cite-{self.scope}-{len(self.anchors) + 1}"


@dataclass(frozen=True)
class PageCitations:
    """A whole page's texts rendered with their citations, and where each source is first cited."""

    html: dict[str, str]  # scope ("summary", a section's anchor) → HTML
    first_anchor: dict[str, str]  # key → id of its first citation on the page
    numbers: dict[str, int]

    def back_link(self, key: str) -> str:
        return self.first_anchor.get(key, "")


def source_numbers(keys: list[str]) -> dict[str, int]:
    numbers: dict[str, int] = {}
    for n, key in enumerate(keys, start=1):
        if key:
            numbers.setdefault(key, n)
    return numbers


def page_citations(*, texts: list[tuple[str, str]], keys: list[str]) -> PageCitations:
    """texts: (scope, markdown) in page order; keys: the sources' keys in list order."""
    from .markdown import render_markdown

    numbers = source_numbers(keys)
    html, first = {}, {}
    for scope, text in texts:
        citations = Citations(numbers=numbers, scope=scope)
        html[scope] = render_markdown(text, citations=citations)
        for key, anchor in citations.anchors:
            first.setdefault(key, anchor)
    return PageCitations(html=html, first_anchor=first, numbers=numbers)


def cited_keys(markdown_text: str) -> list[str]:
    """Every key a text cites, in order, as the renderer reads it (not inside code)."""
    from .markdown import render_markdown

    citations = Citations(numbers={})
    render_markdown(markdown_text, citations=citations)
    return citations.cited
