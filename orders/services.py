"""Writing test requests: the one place a request is created."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from tumours.models import TestKit, Tumour

from .consent import CONSENT_VERSION
from .models import TestRequest
from .references import new_reference

REFERENCE_ATTEMPTS = 5


def create_test_request(*, tumour: Tumour, test_kit: TestKit, data: dict) -> TestRequest:
    """Store a validated request (data: the form's cleaned_data) under a fresh unique reference."""
    fields = {name: data[name] for name in ("requester_type", "full_name", "email", "country")}
    fields.update(phone=data.get("phone", ""), message=data.get("message", ""))
    fields.update(tumour=tumour, test_kit=test_kit, consent_version=CONSENT_VERSION, consented_at=timezone.now())
    for _ in range(REFERENCE_ATTEMPTS - 1):
        try:
            return _insert(fields)
        except IntegrityError:
            continue  # a reference collision (1 in 10^12): draw another
    return _insert(fields)


def _insert(fields: dict) -> TestRequest:
    # A savepoint, so that a collision can be retried inside an outer transaction.
    with transaction.atomic():
        return TestRequest.objects.create(reference=new_reference(), **fields)
