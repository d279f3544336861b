"""Plain text from an editor's markdown: for meta descriptions, search snippets and structured data."""

import html

from django.utils.html import strip_tags
from django.utils.text import Truncator

from .markdown import render_markdown


def plain_text(markdown_text: str) -> str:
    # Rendered first so markdown syntax (links, emphasis) leaves only its words; unescaped so that
    # the template's autoescape is the one and only escaping step.
    return " ".join(html.unescape(strip_tags(render_markdown(markdown_text))).split())


def description(markdown_text: str, *, words: int = 30) -> str:
    return Truncator(plain_text(markdown_text)).words(words, truncate="…")
