from django.core.validators import RegexValidator
from django.db import models
from django_countries.fields import CountryField

from tumours.models import TestKit, Tumour

# Names and addresses are single lines of printable text; a control character is never meant.
no_control_characters = RegexValidator(
    r"[\x00-\x1f\x7f]", "Remove the invisible control characters.", code="control_characters", inverse_match=True
)
phone_validator = RegexValidator(
    r"^\+?[0-9 ()\-]{6,30}$",
    "Enter a phone number using digits, spaces, brackets or dashes, optionally starting with +.",
    code="invalid_phone",
)


class TestRequest(models.Model):
    class RequesterType(models.TextChoices):
        PATIENT = "patient", "Patient"
        CARER = "carer", "Carer or family member"
        CLINICIAN = "clinician", "Clinician"

    class Status(models.TextChoices):
        NEW = "new", "New"
        CONTACTED = "contacted", "Contacted"
        CONSENT_RECEIVED = "consent_received", "Consent received"
        SAMPLE_RECEIVED = "sample_received", "Sample received"
        REPORT_ISSUED = "report_issued", "Report issued"
        LOST = "lost", "Lost"
        SPAM = "spam", "Spam"

    reference = models.CharField(max_length=16, unique=True, editable=False)
    tumour = models.ForeignKey(Tumour, on_delete=models.PROTECT, related_name="test_requests")
    test_kit = models.ForeignKey(TestKit, on_delete=models.PROTECT, related_name="test_requests")
    requester_type = models.CharField("I am a", max_length=20, choices=RequesterType.choices)
    full_name = models.CharField("Full name", max_length=200, validators=[no_control_characters])
    email = models.EmailField("Email address", max_length=254, validators=[no_control_characters])
    phone = models.CharField("Phone number", max_length=30, blank=True, validators=[phone_validator])
    country = CountryField()
    message = models.TextField("Message", max_length=2000, blank=True)
    consent_version = models.CharField(max_length=20, editable=False)
    consented_at = models.DateTimeField(editable=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "test request"

    def __str__(self):
        # A reference only: the string form shows up in admin messages and logs.
        return self.reference
