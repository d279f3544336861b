"""Forms a visitor fills in on the public pages of the tumours app (the request form itself is in orders/)."""

from django import forms

from .models import TestKit, Tumour


class PickTumourForm(forms.Form):
    """On a kit's page: the visitor's tumour, among the published pages that offer the kit."""

    tumour = forms.ChoiceField(
        error_messages={
            "required": "Choose your tumour from the list.",
            "invalid_choice": "Choose your tumour from the list: that one is not offered with this test.",
        }
    )

    def __init__(self, data=None, *, tumours: list[Tumour], kit: TestKit):
        super().__init__(data, auto_id="pick-%s")
        field = self.fields["tumour"]
        field.label = "Your tumour"
        field.help_text = f"You go on to the request form for an {kit.name} test for that tumour."
        field.choices = [("", "Choose your tumour"), *((tumour.slug, tumour.name) for tumour in tumours)]
