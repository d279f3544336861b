"""Everything held about a requester, defined once: the subject-access export writes it out and erasure
(erase_requester, purge_test_requests) blanks it. A record added to a request is added here, or it is neither
exported nor erased."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone

from .models import (
    AccessLog,
    ContactAttempt,
    FieldChange,
    InternalNote,
    Notification,
    RequestStatusChange,
    TestRequest,
    WebhookDelivery,
)
from .team import display_name

ERASED_TEXT = "[erased]"

# The request's own fields that identify the person, and what erasure writes over them. The three secrets only
# guard the status link and the form; they say nothing about the person, so they are erased but not exported.
REQUEST_ERASURE = {
    "full_name": ERASED_TEXT,
    "email": "",
    "phone": "",
    "phone_digits": "",
    "phone_e164": "",
    "message": "",
    "next_action_note": "",
    "status_seed": "",
    "status_token_hash": "",
    "submission_token_hash": None,
}
NOT_EXPORTED = {"status_seed", "status_token_hash", "submission_token_hash"}


@dataclass(frozen=True)
class Attached:
    """Rows attached to a request (through their test_request field), exported in full; erasure writes
    `erase` over the rows matching `erase_where` (what staff wrote about or to the person)."""

    name: str
    model: type[models.Model]
    erase: dict
    erase_where: Q = Q()


ATTACHED = [
    Attached("status_changes", RequestStatusChange, {"note": ERASED_TEXT}, ~Q(note="")),
    Attached("notes", InternalNote, {"text": ERASED_TEXT}),
    Attached("contact_attempts", ContactAttempt, {"note": ERASED_TEXT}, ~Q(note="")),
    Attached(
        "field_changes",
        FieldChange,
        {"from_value": ERASED_TEXT, "to_value": ERASED_TEXT},
        Q(field=FieldChange.Field.NEXT_ACTION),
    ),
    # E-mails' texts were written to the person (subjects carry only the reference).
    Attached("notifications", Notification, {"body": ERASED_TEXT}, ~Q(body="")),
    # What was sent to the CRM, the requester's details included.
    Attached("crm_deliveries", WebhookDelivery, {"payload": ERASED_TEXT}),
    # Who opened the request and when: nothing personal to erase, but the person may see it.
    Attached("access_log", AccessLog, {}, Q(pk__in=[])),
]


def requests_of(email: str):
    """The person's requests, however the address was capitalised or spaced."""
    email = (email or "").strip()
    return TestRequest.objects.filter(email__iexact=email) if "@" in email else TestRequest.objects.none()


def erase(ids: list[int]) -> None:
    """Blank everything ATTACHED says staff wrote about the person (the request's own fields are the caller's)."""
    for attached in ATTACHED:
        if attached.erase:
            rows = attached.model.objects.filter(attached.erase_where, test_request_id__in=ids)
            rows.update(**attached.erase)


def _plain(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)  # a UUID, a country code


def _row(instance: models.Model, skip=()) -> dict:
    row = {}
    for field in instance._meta.concrete_fields:
        if field.name in skip or field.name == "test_request":
            continue
        if field.is_relation:
            related = getattr(instance, field.name)
            row[field.name] = None if related is None else str(related)
        else:
            row[field.name] = _plain(field.value_from_object(instance))
            if field.choices and row[field.name]:
                row[f"{field.name}_display"] = str(getattr(instance, f"get_{field.name}_display")())
    return row


def export_for(email: str) -> dict:
    """Everything held about the person who used this address, as plain JSON-ready data."""
    requests = []
    for test_request in requests_of(email).select_related("tumour", "test_kit", "owner", "duplicate_of"):
        row = _row(test_request, skip=NOT_EXPORTED)
        row["owner"] = display_name(test_request.owner) if test_request.owner_id else None
        row["country_name"] = test_request.country.name
        for attached in ATTACHED:
            rows = attached.model.objects.filter(test_request=test_request).order_by("pk")
            row[attached.name] = [_row(item) for item in rows]
        requests.append(row)
    return {"exported_at": timezone.localtime().isoformat(), "requests": requests}
