from django import template

from tumours.feedback_views import feedback_form_token

register = template.Library()


@register.simple_tag
def feedback_token() -> str:
    # Issued when the page is built: a cached copy hands every visitor the same one, which is all it needs to
    # prove (that the post came from a page we served, within two hours).
    return feedback_form_token()
