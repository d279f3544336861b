"""The sales overview: a date range, the funnel, per-owner figures, lost and spam reasons; every count links to
the list showing exactly those requests."""

import re
from datetime import timedelta
from html import unescape

from django.urls import reverse
from django.utils import timezone

from orders.models import TestRequest
from orders.services import change_status, log_contact_attempt
from tests.factories import TestRequestFactory, TumourFactory

OVERVIEW = "admin:orders_testrequest_overview"


def walk(test_request, by, *statuses, reason=""):
    for status in statuses:
        change_status(test_request=test_request, to_status=status, by=by, reason=reason)


def test_funnel_owners_reasons_and_links(sales_client, sales, colleague, demo_tumour):
    requests = [TestRequestFactory(tumour=demo_tumour, owner=sales) for _ in range(4)]
    requests.append(TestRequestFactory(tumour=TumourFactory(name="Chondrosarcoma"), owner=colleague))
    walk(requests[0], sales, "contacted", "consent_received", "sample_received", "report_issued")
    walk(requests[1], sales, "contacted", "consent_received")
    walk(requests[2], sales, "contacted", "lost", reason="cost")
    walk(requests[4], colleague, "spam", reason="junk")
    log_contact_attempt(test_request=requests[3], by=sales, channel="phone", outcome="no_answer")
    old = TestRequestFactory(tumour=demo_tumour)
    TestRequest.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=60))
    response = sales_client.get(reverse(OVERVIEW))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong data-total>5</strong> requests" in html  # the 60-day-old one is outside the last 30 days
    funnel = {row.label: (row.count, row.extra["conversion"]) for row in response.context["funnel"]}
    assert funnel == {
        "New": (5, "—"),
        "Contacted": (3, "60%"),
        "Consent received": (2, "67%"),
        "Sample received": (1, "50%"),
        "Report issued": (1, "100%"),
    }
    owners = {row.label: row for row in response.context["by_owner"]}
    assert owners["sales"].count == 4 and owners["sales"].extra["contacted"] == 4
    assert owners["sales"].extra["reports"] == 1 and owners["sales"].extra["lost"] == 1
    assert owners["Bea Colleague"].count == 1 and owners["Bea Colleague"].extra["median"] == "—"
    reasons = {row.label: row.count for row in response.context["close_reasons"]}
    assert reasons == {"Lost: Cost or insurance": 1, "Spam: Junk or automated": 1}
    assert "<svg" in html and "<script" not in html.split('id="content-main"')[1]


def test_every_count_links_to_a_list_of_exactly_those_requests(sales_client, sales, colleague, demo_tumour):
    requests = [TestRequestFactory(tumour=demo_tumour, owner=sales) for _ in range(3)]
    walk(requests[0], sales, "contacted", "consent_received")
    walk(requests[1], sales, "contacted", "lost", reason="declined")
    TestRequestFactory(tumour=demo_tumour, owner=colleague)
    response = sales_client.get(reverse(OVERVIEW))
    context = response.context
    cases = [
        (context["funnel"][1], {requests[0].reference, requests[1].reference}),  # reached Contacted, lost later
        (context["funnel"][2], {requests[0].reference}),
        (next(r for r in context["by_owner"] if r.label == "sales"), {r.reference for r in requests}),
        (context["close_reasons"][0], {requests[1].reference}),
    ]
    for row, expected in cases:
        listing = sales_client.get(unescape(row.url)).content.decode()
        shown = set(re.findall(r"OF-T\d+", listing.split("<tbody>")[1].split("</tbody>")[0]))
        assert shown == expected, row.label
        assert row.count == len(expected)


def test_a_date_range_chooses_the_requests_counted(sales_client, demo_tumour):
    inside = TestRequestFactory(tumour=demo_tumour)
    outside = TestRequestFactory(tumour=demo_tumour)
    TestRequest.objects.filter(pk=inside.pk).update(created_at=timezone.now() - timedelta(days=45))
    TestRequest.objects.filter(pk=outside.pk).update(created_at=timezone.now() - timedelta(days=90))
    start = timezone.localdate() - timedelta(days=60)
    end = timezone.localdate() - timedelta(days=30)
    response = sales_client.get(reverse(OVERVIEW), {"from": start.isoformat(), "to": end.isoformat()})
    assert response.context["total"] == 1
    assert "Last month" in response.content.decode()
    bad = sales_client.get(reverse(OVERVIEW), {"from": "yesterday"})
    assert bad.status_code == 200 and "Dates must look like" in bad.content.decode()
