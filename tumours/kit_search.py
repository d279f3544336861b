"""Search finds a test kit by its name. Kept apart from the tumour search (tumours/search.py) and shown beside
its results: a handful of kits are matched in Python against the published kits the page lists anyway, so it
costs no query of its own."""

import difflib
import re

from .models import TestKit

MAX_QUERY_CHARS = 100
# "oncofokus" against "oncofocus" scores 0.89, "oncology" 0.59: a misspelt name, not a neighbouring word.
CLOSE_NAME = 0.8
# Shorter than this, a word is the start of too many names to mean a kit ("onc" is also oncocytoma).
MIN_PREFIX = 4


def matching_kits(query: str, kits: list[TestKit]) -> list[TestKit]:
    """The kits whose name the query holds, starts or misspells."""
    words = re.findall(r"\w+", query[: MAX_QUERY_CHARS * 4].casefold())[:8]
    if not words:
        return []
    return [kit for kit in kits if _named(kit.name.casefold(), words)]


def _named(name: str, words: list[str]) -> bool:
    name_words = re.findall(r"\w+", name)
    if f" {' '.join(name_words)} " in f" {' '.join(words)} ":
        return True
    for word in words:
        for part in name_words:
            if len(word) >= MIN_PREFIX and part.startswith(word):
                return True
            if difflib.SequenceMatcher(a=word, b=part).ratio() >= CLOSE_NAME:
                return True
    return False
