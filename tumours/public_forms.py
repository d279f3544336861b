"""Forms a visitor fills in on the public pages of the tumours app (the request form itself is in orders/)."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from orders.forms import DescribedBoundField

from .models import TestKit, Tumour


class PlainSelect(forms.Select):
    """A <select> built here rather than through an option template each: the page of a kit offered for 1,000
    tumours took 330 ms to render that way (cProfile: two template renders per option), 48 ms this way."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        chosen = set(self.format_value(value))
        options = "".join(
            f'<option value="{escape(key)}"{" selected" if str(key) in chosen else ""}>{escape(label)}</option>'
            for key, label in self.choices
        )
        attributes = flatatt(self.build_attrs(self.attrs, attrs))
        return mark_safe(f'<select name="{escape(name)}"{attributes}>{options}</select>')  # noqa: S308 - escaped


class PickTumourForm(forms.Form):
    """On a kit's page: the visitor's tumour, among the published pages that offer the kit."""

    bound_field_class = DescribedBoundField
    tumour = forms.ChoiceField(
        widget=PlainSelect,
        error_messages={
            "required": "Choose your tumour from the list.",
            "invalid_choice": "Choose your tumour from the list: that one is not offered with this test.",
        },
    )

    def __init__(self, data=None, *, tumours: list[Tumour], kit: TestKit):
        super().__init__(data, auto_id="pick-%s")
        field = self.fields["tumour"]
        field.label = "Your tumour"
        field.help_text = f"You go on to the request form for an {kit.name} test for that tumour."
        field.choices = [("", "Choose your tumour"), *((tumour.slug, tumour.name) for tumour in tumours)]
