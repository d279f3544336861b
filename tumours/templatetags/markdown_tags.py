from django import template
from django.utils.safestring import mark_safe

from tumours.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> str:
    # Safe to mark: render_markdown sanitizes with an allow-list.
    return mark_safe(render_markdown(text))  # noqa: S308


@register.simple_tag
def cited(citations, scope: str, text: str) -> str:
    """A page's text with its numbered citations (tumours/citations.py); as plain markdown where the template was
    given no citations."""
    if citations and scope in citations.html:  # a template without citations passes None or ""
        return mark_safe(citations.html[scope])  # noqa: S308 - rendered by render_markdown, which sanitizes
    return markdown_filter(text)


@register.filter
def first_citation(citations, key: str) -> str:
    """The id of the first place the page cites this source ("" if it is not cited)."""
    return citations.back_link(key) if citations is not None else ""
