from django import template

from tumours.structured_data import json_ld, medical_web_page
from tumours.text import description

register = template.Library()


@register.simple_tag(takes_context=True)
def tumour_json_ld(context, tumour, sources):
    return json_ld(medical_web_page(tumour, sources=sources, url=context.get("canonical_url", "")))


@register.filter(name="description")
def description_filter(markdown_text: str, words: int = 30) -> str:
    # Plain text, not marked safe: autoescape makes it safe for an attribute.
    return description(markdown_text, words=words)
