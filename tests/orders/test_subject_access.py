"""A person asks "what do you hold about me?": export_requester_data answers, superusers can download the same,
and erasure removes exactly what the export shows."""

import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from orders.models import (
    AccessLog,
    ContactAttempt,
    FieldChange,
    InternalNote,
    Notification,
    RequestStatusChange,
    TestRequest,
)
from orders.personal_data import ATTACHED
from orders.services import (
    add_note,
    anonymise,
    change_status,
    create_test_request,
    log_contact_attempt,
    set_next_action,
)
from tests.factories import TestKitFactory
from tests.orders.helpers import change_url

DATA = {
    "requester_type": "carer",
    "full_name": "Grace Hopper",
    "email": "Grace.Hopper@Example.com",
    "phone": "020 7946 0111",
    "country": "GB",
    "message": "Evenings please",
}


@pytest.fixture
def worked(demo_tumour, sales, sales_client, django_capture_on_commit_callbacks):
    """Two requests by the same person (the address typed differently), worked on by the sales team."""
    kit = TestKitFactory()
    with django_capture_on_commit_callbacks(execute=True):
        first = create_test_request(tumour=demo_tumour, test_kit=kit, data=DATA)
        second = create_test_request(
            tumour=demo_tumour, test_kit=kit, data={**DATA, "email": "grace.hopper@example.com"}
        )
        add_note(test_request=first, author=sales, text="Her husband Alan may answer")
        log_contact_attempt(test_request=first, by=sales, channel="phone", outcome="left_message", note="Rang Grace")
        set_next_action(test_request=first, on=None, note="Ask Grace about her scan", by=sales)
        change_status(test_request=first, to_status="contacted", by=sales, note="Spoke to Grace")
        change_status(test_request=first, to_status="consent_received", by=sales)
    sales_client.get(change_url(first))
    create_test_request(tumour=demo_tumour, test_kit=kit, data={**DATA, "email": "someone.else@example.com"})
    return first, second


def run_export(email, **options) -> dict:
    from io import StringIO

    out = StringIO()
    call_command("export_requester_data", email, stdout=out, **options)
    return json.loads(out.getvalue())


def test_the_export_holds_every_request_of_the_person_with_its_whole_history(worked):
    first, second = worked
    data = run_export("  GRACE.HOPPER@example.COM ")
    assert sorted(row["reference"] for row in data["requests"]) == sorted([first.reference, second.reference])
    row = next(row for row in data["requests"] if row["reference"] == first.reference)
    assert (row["full_name"], row["phone"], row["message"], row["country_name"]) == (
        "Grace Hopper",
        "020 7946 0111",
        "Evenings please",
        "United Kingdom",
    )
    assert row["tumour"] == "Leiomyosarcoma" and row["status"] == "consent_received"
    assert [n["text"] for n in row["notes"]] == ["Her husband Alan may answer"]
    assert row["contact_attempts"][0]["outcome_display"] == "Left a message"
    assert [c["to_status"] for c in row["status_changes"]] == ["contacted", "consent_received"]
    assert any("scan" in c["to_value"] for c in row["field_changes"])
    kinds = sorted(n["kind"] for n in row["notifications"])
    assert kinds == ["requester", "sales", "status"]  # the confirmation, the sales alert, consent received
    assert [entry["action"] for entry in row["access_log"]] == ["view"]
    for secret in ("status_seed", "status_token_hash", "submission_token_hash"):
        assert secret not in row


def test_running_it_is_recorded_by_whom_without_the_address(worked):
    run_export("grace.hopper@example.com", by="dpo-anna")
    entries = AccessLog.objects.filter(action="subject_access")
    assert entries.count() == 2
    assert {entry.username for entry in entries} == {"dpo-anna (command line)"}
    assert all("grace" not in (entry.detail + entry.username).lower() for entry in entries)


def test_an_unknown_address_gives_an_empty_answer_and_is_still_logged(db):
    assert run_export("nobody@example.com")["requests"] == []
    assert AccessLog.objects.get(action="subject_access").detail == "none found"


def test_superusers_download_the_same_from_a_request_and_sales_cannot(worked, client, superuser, sales_client):
    first, _ = worked
    url = reverse("admin:orders_testrequest_subject_access", args=[first.pk])
    assert sales_client.get(url).status_code == 403
    assert "Download everything held" not in sales_client.get(change_url(first)).content.decode()
    client.force_login(superuser)
    assert "Download everything held" in client.get(change_url(first)).content.decode()
    response = client.get(url)
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    assert len(json.loads(response.content)["requests"]) == 2
    assert AccessLog.objects.filter(action="subject_access", user=superuser).count() == 2


def test_erasure_removes_everything_personal_that_the_export_shows(worked):
    first, second = worked
    before = run_export("grace.hopper@example.com")
    personal = ["Grace", "Hopper", "example.com", "7946 0111", "Evenings", "Alan", "Rang Grace", "scan"]
    dump = json.dumps(before)
    assert all(text in dump for text in personal)
    call_command("erase_requester", "GRACE.HOPPER@EXAMPLE.COM")
    assert run_export("grace.hopper@example.com")["requests"] == []
    # Nothing personal is left anywhere the export's definition reaches.
    rows = [TestRequest.objects.filter(pk__in=[first.pk, second.pk]).values()]
    rows += [attached.model.objects.filter(test_request__in=[first, second]).values() for attached in ATTACHED]
    left = json.dumps([list(queryset) for queryset in rows], default=str)
    for text in personal:
        assert text not in left, text
    # The anonymous facts stay for statistics.
    first.refresh_from_db()
    assert first.status == "consent_received" and first.tumour.name == "Leiomyosarcoma"
    assert InternalNote.objects.filter(test_request=first).exists()
    assert ContactAttempt.objects.filter(test_request=first).exists()
    assert RequestStatusChange.objects.filter(test_request=first).count() == 2
    assert FieldChange.objects.filter(test_request=first).exists()
    assert Notification.objects.filter(test_request=first).exists()


def test_anonymise_is_what_both_commands_use(worked):
    first, second = worked
    assert anonymise(TestRequest.objects.filter(pk=first.pk)) == 1
    assert anonymise(TestRequest.objects.filter(pk=first.pk)) == 0  # once only
