"""Plain text from an editor's markdown: for meta descriptions, search snippets and structured data."""

import html
import re

from django.utils.html import strip_tags
from django.utils.text import Truncator

from .citations import Citations
from .markdown import render_markdown


def plain_text(markdown_text: str) -> str:
    # Rendered first so markdown syntax (links, emphasis) leaves only its words; unescaped so that
    # the template's autoescape is the one and only escaping step.
    # Citations are left out: a number means nothing without the page's source list.
    rendered = render_markdown(markdown_text, citations=Citations.dropped())
    return " ".join(html.unescape(strip_tags(rendered)).split())


# Where a block of text ends in rendered HTML: paragraphs, headings, list items, table cells, line breaks.
BLOCK_END = re.compile(r"</(?:p|h[1-6]|li|dt|dd|td|th|blockquote|pre)>|<br\s*/?>|<hr\s*/?>", re.IGNORECASE)


def plain_blocks(markdown_text: str) -> list[str]:
    """The rendered text's blocks (paragraphs, headings, list items...) as plain text, empty ones left out."""
    blocks = BLOCK_END.split(render_markdown(markdown_text, citations=Citations.dropped()))
    return [text for block in blocks if (text := " ".join(html.unescape(strip_tags(block)).split()))]


def description(markdown_text: str, *, words: int = 30) -> str:
    return Truncator(plain_text(markdown_text)).words(words, truncate="…")
