from django import forms
from django.forms.boundfield import BoundField

from .consent import CONSENT_TEXT
from .form_tokens import issue_form_token
from .models import TestRequest


class DescribedBoundField(BoundField):
    """Ties each input to its hint and error text, so screen readers read them with the field."""

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        described_by = []
        if self.help_text:
            described_by.append(f"{self.auto_id}-hint")
        if self.errors:
            described_by.append(f"{self.auto_id}-error")
            attrs["aria-invalid"] = "true"
        if described_by:
            attrs["aria-describedby"] = " ".join(described_by)
        return attrs


class TestRequestForm(forms.ModelForm):
    bound_field_class = DescribedBoundField
    consent = forms.BooleanField(
        label=CONSENT_TEXT,
        error_messages={"required": "Tick the box to agree, so that we may contact you about the test."},
    )
    # Anti-abuse fields: never fail validation themselves (a person fixing a typo must see field errors);
    # the view checks them once the form is valid. See views.request_test.
    website = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    form_token = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = TestRequest
        fields = ["requester_type", "full_name", "email", "phone", "country", "message"]
        widgets = {
            "requester_type": forms.RadioSelect,
            "full_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
            "country": forms.Select(attrs={"autocomplete": "country"}),
            "message": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "phone": "Include the country code if you are outside the UK.",
            "message": "Anything that helps us, e.g. when is best to call. Do not include medical records.",
        }
        error_messages = {
            "requester_type": {"required": "Tell us whether you are a patient, a carer or a clinician."},
            "full_name": {"required": "Enter your full name."},
            "email": {
                "required": "Enter your email address, so that we can reply.",
                "invalid": "Enter an email address in the right format, like name@example.com.",
            },
            "country": {"required": "Choose the country you live in."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["form_token"] = issue_form_token()
        self.fields["requester_type"].choices = TestRequest.RequesterType.choices
        self.fields["country"].choices = [("", "Choose a country")] + list(self.fields["country"].choices)[1:]

    def clean_full_name(self):
        return " ".join(self.cleaned_data["full_name"].split())
