from django import template

from tumours.models import TestKit

register = template.Library()


@register.simple_tag(takes_context=True)
def footer_kits(context) -> list[TestKit]:
    """The published kit pages the footer links to: the view's own list when it has one, so no second query."""
    if "published_kits" in context:
        return context["published_kits"]
    return list(TestKit.objects.for_links())
