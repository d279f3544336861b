from django.urls import reverse

from orders.models import TestRequest
from tests.factories import TestRequestFactory


def test_sales_sees_new_requests_in_the_list(sales_client, demo_tumour):
    TestRequestFactory(tumour=demo_tumour, reference="OF-ABCD2345")
    response = sales_client.get(reverse("admin:orders_testrequest_changelist"), {"view": "all"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "OF-ABCD2345" in html
    assert "Leiomyosarcoma" in html


def test_sales_can_search_by_email(sales_client, demo_tumour):
    TestRequestFactory(tumour=demo_tumour, reference="OF-ABCD2345", email="ada@example.com")
    TestRequestFactory(tumour=demo_tumour, reference="OF-ZZZZ9999", email="bob@example.com")
    html = sales_client.get(reverse("admin:orders_testrequest_changelist"), {"q": "ada@"}).content.decode()
    assert "OF-ABCD2345" in html
    assert "OF-ZZZZ9999" not in html


def test_sales_can_change_status_but_not_what_was_submitted(sales_client, demo_tumour):
    request = TestRequestFactory(tumour=demo_tumour)
    url = reverse("admin:orders_testrequest_change", args=[request.pk])
    response = sales_client.post(url, {"status": "contacted", "full_name": "Mallory", "email": "m@example.com"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == "contacted"
    assert request.full_name == "Ada Patient"
    assert request.email == "ada@example.com"


def test_nobody_adds_requests_in_the_admin(sales_client, db):
    assert sales_client.get(reverse("admin:orders_testrequest_add")).status_code == 403


def test_sales_cannot_delete_requests(sales_client, demo_tumour):
    request = TestRequestFactory(tumour=demo_tumour)
    url = reverse("admin:orders_testrequest_delete", args=[request.pk])
    assert sales_client.post(url, {"post": "yes"}).status_code == 403
    assert TestRequest.objects.filter(pk=request.pk).exists()


def test_editor_gets_403_on_every_request_page(editor_client, demo_tumour):
    request = TestRequestFactory(tumour=demo_tumour)
    for url in (
        reverse("admin:orders_testrequest_changelist"),
        reverse("admin:orders_testrequest_change", args=[request.pk]),
        reverse("admin:orders_testrequest_history", args=[request.pk]),
    ):
        assert editor_client.get(url).status_code == 403, url


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("admin:orders_testrequest_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
