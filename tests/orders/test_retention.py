from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from orders.models import InternalNote, RequestStatusChange, TestRequest
from orders.services import add_note, change_status
from tests.factories import TestRequestFactory


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_erase_requester_erases_every_request_of_that_email_and_keeps_the_rows(demo_tumour, sales):
    mine = [
        TestRequestFactory(tumour=demo_tumour, email="ada@example.com", phone="+44 1", message="call me"),
        TestRequestFactory(tumour=demo_tumour, email="ADA@example.com"),
    ]
    other = TestRequestFactory(tumour=demo_tumour, email="bob@example.com", full_name="Bob")
    add_note(test_request=mine[0], author=sales, text="Ada said her oncologist is Dr X")
    change_status(test_request=mine[0], to_status="contacted", by=sales, note="Spoke to Ada")
    assert run("erase_requester", "ada@example.com").strip() == "Erased 2 request(s)."
    assert TestRequest.objects.count() == 3
    for request in mine:
        request.refresh_from_db()
        assert request.email == "" and request.phone == "" and request.message == ""
        assert "Ada" not in request.full_name
        assert request.erased_at is not None
        assert request.tumour == demo_tumour and request.country == "GB"  # still counted
    assert not InternalNote.objects.filter(text__contains="Ada").exists()
    assert not RequestStatusChange.objects.filter(note__contains="Ada").exists()
    other.refresh_from_db()
    assert other.full_name == "Bob" and other.email == "bob@example.com"
    assert run("erase_requester", "ada@example.com").strip() == "Erased 0 request(s)."


def test_erase_requester_refuses_something_that_is_not_an_email(db):
    with pytest.raises(Exception, match="e-mail address"):
        run("erase_requester", "Ada")


def age(request, days, **fields):
    past = timezone.now() - timedelta(days=days)
    TestRequest.objects.filter(pk=request.pk).update(created_at=past, updated_at=past, **fields)


def test_purge_anonymises_closed_and_untouched_requests_past_retention(demo_tumour, settings):
    settings.ORDER_RETENTION_DAYS = 730
    old_closed = TestRequestFactory(tumour=demo_tumour, status="report_issued")
    age(old_closed, 800, closed_at=timezone.now() - timedelta(days=731))
    recently_closed = TestRequestFactory(tumour=demo_tumour, status="lost")
    age(recently_closed, 800, closed_at=timezone.now() - timedelta(days=10))
    old_new = TestRequestFactory(tumour=demo_tumour, status="new")
    age(old_new, 731)
    young_new = TestRequestFactory(tumour=demo_tumour, status="new")
    age(young_new, 700)
    in_progress = TestRequestFactory(tumour=demo_tumour, status="sample_received")
    age(in_progress, 900)
    assert "Anonymised 2 request(s)" in run("purge_test_requests")
    erased = set(TestRequest.objects.filter(erased_at__isnull=False).values_list("pk", flat=True))
    assert erased == {old_closed.pk, old_new.pk}
    assert TestRequest.objects.count() == 5
    settings.ORDER_RETENTION_DAYS = 5
    assert "Anonymised 2 request(s)" in run("purge_test_requests")  # recently_closed, young_new
