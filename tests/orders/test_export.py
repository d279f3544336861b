"""The CSV export: exactly the filtered list, with names where the list shows names, the work done on each
request, formula escaping, and an access-log entry with the row count and the filter names but no values."""

import csv
import io

from django.urls import reverse

from orders.models import AccessLog
from orders.services import add_note, change_status, log_contact_attempt
from tests.factories import TestRequestFactory

EXPORT = "admin:orders_testrequest_export"


def read_csv(response):
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def as_dicts(response) -> dict[str, dict]:
    rows = read_csv(response)
    return {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}


def test_changelist_has_export_and_overview_buttons_keeping_filters(sales_client, db):
    html = sales_client.get(reverse("admin:orders_testrequest_changelist"), {"status__exact": "new"}).content.decode()
    assert f'href="{reverse(EXPORT)}?status__exact=new"' in html
    assert "Export CSV" in html and "Sales overview" in html


def test_export_is_exactly_the_filtered_list_and_escapes_formulas(sales_client, demo_tumour):
    TestRequestFactory(tumour=demo_tumour, reference="OF-KEEP0001", full_name="=HYPERLINK(1)", message="-2+3")
    TestRequestFactory(tumour=demo_tumour, reference="OF-KEEP0002", full_name="@SUM(A1)", message="\tx")
    TestRequestFactory(tumour=demo_tumour, reference="OF-SKIP0001", status="lost")
    response = sales_client.get(reverse(EXPORT), {"status__exact": "new"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = as_dicts(response)
    assert set(rows) == {"OF-KEEP0001", "OF-KEEP0002"}
    assert rows["OF-KEEP0001"]["Full name"] == "'=HYPERLINK(1)" and rows["OF-KEEP0001"]["Message"] == "'-2+3"
    assert rows["OF-KEEP0002"]["Full name"] == "'@SUM(A1)" and rows["OF-KEEP0002"]["Message"] == "'\tx"


def test_export_has_country_names_owner_notes_attempts_and_last_activity(sales_client, sales, colleague, demo_tumour):
    worked = TestRequestFactory(tumour=demo_tumour, owner=colleague, country="DE", reference="OF-WORK0001")
    add_note(test_request=worked, author=sales, text="One")
    add_note(test_request=worked, author=sales, text="Two")
    log_contact_attempt(test_request=worked, by=sales, channel="phone", outcome="no_answer")
    change_status(test_request=worked, to_status="contacted", by=sales)
    TestRequestFactory(tumour=demo_tumour, reference="OF-IDLE0001")
    rows = as_dicts(sales_client.get(reverse(EXPORT), {"view": "all"}))
    row = rows["OF-WORK0001"]
    assert row["Country"] == "Germany" and row["Owner"] == "Bea Colleague"
    assert (row["Notes"], row["Contact attempts"]) == ("2", "1")
    assert row["Last activity"] and row["First contacted"]
    idle = rows["OF-IDLE0001"]
    assert (idle["Notes"], idle["Contact attempts"], idle["Owner"], idle["Country"]) == ("0", "0", "", "United Kingdom")


def test_export_is_logged_with_row_count_and_filter_names_never_values(sales_client, sales, demo_tumour):
    TestRequestFactory(tumour=demo_tumour, reference="OF-ADA00001", email="ada@example.com", full_name="Ada Lovelace")
    TestRequestFactory(tumour=demo_tumour, reference="OF-BOB00001", email="bob@example.com")
    params = {"q": "ada@", "status__exact": "new", "email__iexact": "ada@example.com", "full_name__icontains": "Ada"}
    response = sales_client.get(reverse(EXPORT), params)
    assert [row[0] for row in read_csv(response)[1:]] == ["OF-ADA00001"]
    entry = AccessLog.objects.get(action="export")
    assert (entry.user, entry.rows) == (sales, 1)
    assert entry.detail == "email__iexact, full_name__icontains, search, status__exact"
    for typed in ("ada", "Ada", "example", "new"):
        assert typed not in entry.detail


def test_bad_filters_get_a_clear_400(sales_client, db):
    response = sales_client.get(reverse(EXPORT), {"created_at__gte": "not a date"})
    assert response.status_code == 400
    assert not AccessLog.objects.exists()


def test_editor_cannot_export(editor_client, db):
    assert editor_client.get(reverse(EXPORT)).status_code == 403
