"""How hard a text is to read, for the editor beside the preview, the review screen and the page list.

Flesch reading ease (0-100, higher is easier) and the Flesch-Kincaid grade (the US school year that can read it)
come from textstat, computed on the words a visitor reads: the markdown is rendered first, so link addresses,
markup and citation keys are not counted, and each paragraph, heading and list item counts as sentences of its
own (an unpunctuated list would otherwise read as one endless sentence). The longest sentences and the long words
missing from the Dale-Chall list of 3,000 familiar words are pointed out, so the editor knows what to shorten.
"""

import re
from dataclasses import dataclass

import textstat
from django.conf import settings

from .text import plain_blocks

SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]")
LONG_WORD_LETTERS = 9
# Sentences shorter than this are not worth pointing out, however long they are next to the others.
LONG_SENTENCE_WORDS = 16
SHOWN = 3


@dataclass(frozen=True)
class Readability:
    words: int
    sentences: int
    reading_ease: float
    grade: float
    longest_sentences: tuple[tuple[int, str], ...]  # (words, sentence), longest first
    long_words: tuple[str, ...]  # unfamiliar long words, longest first

    @property
    def target(self) -> float:
        return settings.READABILITY_TARGET_GRADE

    @property
    def above_target(self) -> bool:
        return self.grade > self.target

    @property
    def ease_in_words(self) -> str:
        # Flesch's own bands.
        for floor, words in ((90, "very easy"), (80, "easy"), (70, "fairly easy"), (60, "plain English"),
                             (50, "fairly difficult"), (30, "difficult")):  # fmt: skip
            if self.reading_ease >= floor:
                return words
        return "very difficult"


def readability(markdown_text: str) -> Readability | None:
    """The figures for one text (a summary or a section's body), or None when it has no words to measure."""
    text = readable_text(markdown_text)
    words = textstat.lexicon_count(text)
    if not words:
        return None
    sentences = [s for s in SENTENCE_END.split(text) if s.strip()]
    return Readability(
        words=words,
        sentences=len(sentences),
        reading_ease=round(textstat.flesch_reading_ease(text), 1),
        grade=round(max(textstat.flesch_kincaid_grade(text), 0.0), 1),
        longest_sentences=_longest(sentences),
        long_words=_long_words(text),
    )


def readable_text(markdown_text: str) -> str:
    """The words of the rendered text, every block ending as a sentence."""
    blocks = [block if block[-1] in ".!?:;" else block + "." for block in plain_blocks(markdown_text)]
    return " ".join(blocks)


def _longest(sentences: list[str]) -> tuple[tuple[int, str], ...]:
    counted = sorted(((textstat.lexicon_count(s), s.strip()) for s in sentences), key=lambda pair: -pair[0])
    return tuple(pair for pair in counted[:SHOWN] if pair[0] >= LONG_SENTENCE_WORDS)


def _long_words(text: str) -> tuple[str, ...]:
    found: dict[str, str] = {}
    for word in WORD.findall(text):
        if len(word) >= LONG_WORD_LETTERS and textstat.is_difficult_word(word.lower()):
            found.setdefault(word.casefold(), word)
    return tuple(sorted(found.values(), key=lambda word: (-len(word), word.casefold()))[: SHOWN * 2])


def page_grade(texts: list[str]) -> float | None:
    """The grade of the hardest text on a page (its summary or a section): what the page list shows and filters."""
    grades = [figures.grade for figures in map(readability, texts) if figures is not None]
    return max(grades, default=None)


@dataclass(frozen=True)
class Comparison:
    label: str
    live: Readability | None
    draft: Readability | None

    @property
    def change(self) -> float | None:
        if self.live is None or self.draft is None:
            return None
        return round(self.draft.grade - self.live.grade, 1)


def compare(live: dict, draft: dict, *, lead: str = "summary") -> list[Comparison]:
    """The lead text (a summary, a description) and sections of two versions of a page's content, side by side
    (sections matched by their row)."""
    rows = [Comparison(lead.capitalize(), readability(live["fields"][lead]), readability(draft["fields"][lead]))]
    live_sections = {s["id"]: s for s in live["sections"] if s["id"]}
    for section in draft["sections"]:
        before = live_sections.pop(section["id"], None) if section["id"] else None
        rows.append(
            Comparison(
                f"Section: {section['heading']}",
                readability(before["body"]) if before else None,
                readability(section["body"]),
            )
        )
    for removed in live_sections.values():
        rows.append(Comparison(f"Section: {removed['heading']} (removed)", readability(removed["body"]), None))
    return rows
