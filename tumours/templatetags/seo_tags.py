from django import template

from tumours.structured_data import json_ld, medical_test_page, medical_web_page
from tumours.text import description

register = template.Library()


@register.simple_tag(takes_context=True)
def tumour_json_ld(context, tumour, sources):
    return json_ld(medical_web_page(tumour, sources=sources, url=context.get("canonical_url", "")))


@register.simple_tag(takes_context=True)
def kit_json_ld(context, kit, tumours, breadcrumbs):
    data = medical_test_page(
        kit, offered_for=len(tumours), breadcrumbs=breadcrumbs, url=context.get("canonical_url", "")
    )
    return json_ld(data)


@register.filter(name="description")
def description_filter(markdown_text: str, words: int = 30) -> str:
    # Plain text, not marked safe: autoescape makes it safe for an attribute.
    return description(markdown_text, words=words)
