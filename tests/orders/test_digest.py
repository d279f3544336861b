"""send_sales_digest: each salesperson's overdue first contacts and follow-ups due today, nothing when none."""

from datetime import timedelta

from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from tests.factories import TestRequestFactory
from tests.orders.helpers import received


def test_each_salesperson_gets_their_own_overdue_and_follow_ups_and_nothing_personal(sales, colleague, demo_tumour, db):
    sales.email = "sam@oncosite.invalid"
    sales.save()
    mine = received(TestRequestFactory(tumour=demo_tumour, owner=sales, reference="OF-MINE0001"), timedelta(days=3))
    nobodys = received(TestRequestFactory(tumour=demo_tumour, reference="OF-FREE0001"), timedelta(days=3))
    received(TestRequestFactory(tumour=demo_tumour, owner=sales, reference="OF-FRESH001"), timedelta(minutes=5))
    TestRequestFactory(
        tumour=demo_tumour,
        owner=sales,
        reference="OF-FOLLOW01",
        status="contacted",
        first_contacted_at=timezone.now(),
        next_action_on=timezone.localdate(),
        next_action_note="Call Ada about her scan",
    )
    TestRequestFactory(
        tumour=demo_tumour, owner=colleague, reference="OF-BEAS0001", next_action_on=timezone.localdate()
    )
    call_command("send_sales_digest")
    by_person = {message.to[0]: message for message in mail.outbox}
    assert set(by_person) == {"sam@oncosite.invalid", "bea@oncosite.invalid"}
    sam = by_person["sam@oncosite.invalid"]
    assert "2 overdue, 1 follow-up(s) due" in sam.subject
    for reference in (mine.reference, nobodys.reference, "OF-FOLLOW01"):
        assert reference in sam.body
    assert "OF-FRESH001" not in sam.body and "OF-BEAS0001" not in sam.body
    assert f"/admin/orders/testrequest/{mine.pk}/change/" in sam.body
    for personal in ("Ada", "ada@example.com", "scan"):
        assert personal not in sam.body and personal not in sam.subject
    bea = by_person["bea@oncosite.invalid"]
    assert "OF-BEAS0001" in bea.body and "OF-MINE0001" not in bea.body


def test_nothing_is_sent_when_there_is_nothing_to_do(sales, demo_tumour, capsys):
    TestRequestFactory(tumour=demo_tumour, owner=sales, status="report_issued", next_action_on=timezone.localdate())
    call_command("send_sales_digest")
    assert mail.outbox == []
    assert "0 digest(s) sent." in capsys.readouterr().out
