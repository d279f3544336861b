"""Site search: weighted full text and trigram similarity on PostgreSQL, a plain icontains fallback elsewhere.

Only published pages are ever searched. A query is read as words and nothing else: pages must hold every word
(or be close to the name). Operators are not offered: websearch syntax turned 33 "-" into a PostgreSQL error
("tsquery stack too small") and "zzzz or -yyyy" into a match of every page (a full scan: 149 ms against 18 at
2,000 pages). Queries are cut to MAX_QUERY_CHARS and MAX_QUERY_WORDS, so any input gives a page, never an error.
"""

import difflib
import re
from dataclasses import dataclass, field

from django.contrib.postgres.lookups import TrigramWordSimilar
from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    TrigramDistance,
    TrigramWordDistance,
    TrigramWordSimilarity,
)
from django.db import connection
from django.db.models import Case, F, Q, Value, When, prefetch_related_objects
from django.db.models.functions import Greatest
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .models import Section, Tumour
from .text import plain_text

MAX_QUERY_CHARS = 100
MAX_QUERY_WORDS = 8
MAX_RESULTS = 20
# word_similarity from 0 to 1: "leiomiosarcoma", "leiomyosarkoma", "lieomyosarcoma" score 0.67 against
# "Leiomyosarcoma", "leiomyosarcomma" 0.82, "myxoid sarcoma" 0.62 against "Myxoid liposarcoma"; unrelated names
# ~0.1. Names sharing one word of a two-word query score ~0.5, so 0.45 let every such page (1,875 of 10,000
# synthetic ones for "myxoid sarcoma") through to be checked one by one: 50 ms. 0.55 keeps the misspellings.
TRIGRAM_THRESHOLD = 0.55
# Suggestions when nothing matches: difflib's ratio over the labels of the names nearest by trigrams (PostgreSQL)
# or of every name (SQLite).
SUGGESTION_CUTOFF = 0.6
SUGGESTION_CANDIDATES = 20
SNIPPET_CHARS = 220
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
WORD = re.compile(r"\w+")


@dataclass
class SearchHit:
    tumour: Tumour
    snippet: SafeString


@dataclass
class SearchResults:
    query: str
    hits: list[SearchHit] = field(default_factory=list)
    suggestions: list[Tumour] = field(default_factory=list)


def clean_query(raw: str) -> str:
    text = CONTROL_CHARACTERS.sub(" ", raw[: MAX_QUERY_CHARS * 4])
    words = text.split()[:MAX_QUERY_WORDS]
    return " ".join(words)[:MAX_QUERY_CHARS].strip()


def query_words(cleaned: str) -> str:
    """What is searched for: the words alone, so "or", "-", quotes and brackets are never operators."""
    return " ".join(WORD.findall(cleaned))


def search_tumours(*, query: str) -> SearchResults:
    cleaned = clean_query(query)
    results = SearchResults(query=cleaned)
    words = query_words(cleaned)
    if not words:
        return results
    matches = _postgresql_matches(words) if connection.vendor == "postgresql" else _fallback_matches(words)
    tumours = list(matches.only(*SHOWN_FIELDS)[:MAX_RESULTS])
    # Which of the 20 offer a kit: one small query (an EXISTS in the search query ran for every candidate).
    with_kit = set(Tumour.test_kits.through.objects.filter(tumour__in=tumours).values_list("tumour_id", flat=True))
    for tumour in tumours:
        tumour.has_kit = tumour.pk in with_kit
    terms = _terms(cleaned)
    # The snippet comes from the summary when it holds a term: only the other hits need their sections.
    pattern = _pattern(terms)
    prefetch_related_objects([t for t in tumours if not (pattern and pattern.search(summary_text(t)))], "sections")
    results.hits = [SearchHit(tumour, highlighted_snippet(tumour, terms)) for tumour in tumours]
    if not results.hits:
        results.suggestions = closest_names(cleaned)
    return results


# What a hit shows: its link, names, the stored plain summary (and the markdown, for a row saved before it was).
SHOWN_FIELDS = ("name", "slug", "also_known_as", "summary", "summary_text", "status")


def summary_text(tumour: Tumour) -> str:
    """The summary as plain text: stored with it (Tumour.save); rendered here only for a row written without."""
    if not tumour.summary_text and tumour.summary:
        tumour.summary_text = plain_text(tumour.summary)
    return tumour.summary_text


def _postgresql_matches(query: str):
    # plainto_tsquery: every word, ANDed, stop words dropped; it has no operators to misread.
    text_query = SearchQuery(query, search_type="plain", config="english")
    name_similarity = Greatest(TrigramWordSimilarity(query, "name"), TrigramWordSimilarity(query, "also_known_as"))
    # The candidates come from the indexes: the GIN index on the vector (@@), and the names and aliases nearest
    # the query from the GiST trigram indexes (`name %> query`, i.e. word_similarity >= the threshold set here,
    # nearest first). A computed "similarity >= x" in an OR forced a scan of every published row (200-300 ms at
    # 10,000 pages); every name above the threshold, rechecked one by one, cost ~7 ms for "myxoid sarcoma".
    with connection.cursor() as cursor:
        cursor.execute("SET pg_trgm.word_similarity_threshold = %s", [TRIGRAM_THRESHOLD])
    published = Tumour.objects.published()
    # One set of ids from the three index scans: the same three conditions ORed in a WHERE made PostgreSQL
    # test every row's vector (a scan of every page, ~90 ms).
    candidates = (
        published.filter(search_vector=text_query)
        .order_by()
        .values("pk")
        .union(_nearest(published, "name", query), _nearest(published, "also_known_as", query))
    )
    return (
        published.filter(pk__in=candidates)
        .annotate(rank=SearchRank(F("search_vector"), text_query), similarity=name_similarity)
        # Name and alias weigh A in the vector, and a close name adds its similarity on top.
        .order_by((F("rank") + F("similarity")).desc(), "name")
    )


def _nearest(published, field: str, query: str):
    """The MAX_RESULTS names (or alias lists) nearest the query above the threshold. No other close name could
    be shown: a page found by its name alone scores its similarity, and each of these at least as much."""
    close = TrigramWordSimilar(F(field), Value(query))
    return published.filter(close).order_by(TrigramWordDistance(query, field)).values("pk")[:MAX_RESULTS]


def _fallback_matches(query: str):
    words = query.split()
    in_name = Q()
    anywhere = Q()
    for word in words:
        word_in_name = Q(name__icontains=word) | Q(also_known_as__icontains=word)
        in_sections = Section.objects.filter(Q(heading__icontains=word) | Q(body__icontains=word))
        in_name &= word_in_name
        anywhere &= word_in_name | Q(summary__icontains=word) | Q(pk__in=in_sections.values("tumour_id"))
    return (
        Tumour.objects.published()
        .filter(anywhere)
        .annotate(name_hit=Case(When(in_name, then=Value(0)), default=Value(1)))
        .order_by("name_hit", "name")
    )


def _terms(query: str) -> list[str]:
    # Words to highlight; a plural's stem also matches its singular ("sarcomas" marks "sarcoma").
    words = {w.casefold() for w in re.findall(r"\w+", query) if len(w) > 1}
    return sorted({w[:-1] if len(w) > 4 and w.endswith("s") else w for w in words}, key=len, reverse=True)


def _pattern(terms: list[str]) -> re.Pattern | None:
    return re.compile(r"\b(?:" + "|".join(map(re.escape, terms)) + r")\w*", re.IGNORECASE) if terms else None


def _section_texts(tumour: Tumour):
    for section in tumour.sections.all():
        yield f"{section.heading}: ", section.body


def highlighted_snippet(tumour: Tumour, terms: list[str]) -> SafeString:
    """A short extract around the first match, HTML-escaped, with only our <mark> tags added."""
    pattern = _pattern(terms)
    text, start = None, 0
    summary = summary_text(tumour)
    if pattern and (match := pattern.search(summary)):
        text, start = summary, max(0, match.start() - SNIPPET_CHARS // 3)
    for prefix, markdown_text in _section_texts(tumour) if pattern and text is None else ():
        # Rendering markdown is the costly part: only for the section that holds a match.
        if pattern.search(prefix + markdown_text):
            candidate = prefix + plain_text(markdown_text)
            match = pattern.search(candidate)
            if match:
                text, start = candidate, max(0, match.start() - SNIPPET_CHARS // 3)
                break
    if text is None:
        text = summary
    if start:
        start = text.find(" ", start) + 1 or start
    end = start + SNIPPET_CHARS
    if end < len(text):
        end = text.rfind(" ", start, end) if " " in text[start:end] else end
    fragment = text[start:end]
    parts, position = [], 0
    for match in pattern.finditer(fragment) if pattern else ():
        parts.append(escape(fragment[position : match.start()]))
        parts.append(f"<mark>{escape(match.group())}</mark>")
        position = match.end()
    parts.append(escape(fragment[position:]))
    prefix = "… " if start else ""
    suffix = " …" if end < len(text) else ""
    return mark_safe(prefix + "".join(parts) + suffix)  # noqa: S308 - every piece of text above is escaped


def closest_names(query: str, *, limit: int = 3) -> list[Tumour]:
    published = Tumour.objects.published().only("name", "slug", "also_known_as")
    if connection.vendor == "postgresql":
        # difflib over every name cost ~110 ms at 10,000 pages: only over the names nearest by trigrams.
        by_name = published.order_by(TrigramDistance("name", query))[:SUGGESTION_CANDIDATES]
        by_alias = published.exclude(also_known_as="").order_by(TrigramWordDistance(query, "also_known_as"))
        tumours = list(by_name) + list(by_alias[:SUGGESTION_CANDIDATES])
    else:
        tumours = list(published)
    labels = {}
    for tumour in tumours:
        for label in [tumour.name, *tumour.aliases]:
            labels.setdefault(label.casefold(), tumour)
    close = difflib.get_close_matches(query.casefold(), list(labels), n=limit * 2, cutoff=SUGGESTION_CUTOFF)
    found: list[Tumour] = []
    for label in close:
        if labels[label] not in found:
            found.append(labels[label])
    return found[:limit]
