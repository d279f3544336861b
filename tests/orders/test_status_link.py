from datetime import timedelta

import pytest
from django.urls import reverse

from orders.models import TestRequest
from orders.services import change_status, create_test_request
from tests.factories import TestKitFactory

DATA = {
    "requester_type": "carer",
    "full_name": "Grace Hopper",
    "email": "grace@example.com",
    "phone": "+1 555 0100",
    "country": "US",
    "message": "Evenings please",
}


@pytest.fixture
def stored(demo_tumour):
    return create_test_request(tumour=demo_tumour, test_kit=TestKitFactory(), data=DATA)


def status_path(test_request):
    return reverse("orders:status", args=[test_request.status_token()])


def test_status_page_shows_reference_tumour_and_status_in_plain_words_only(client, stored, sales):
    response = client.get(status_path(stored))
    assert response.status_code == 200
    html = response.content.decode()
    assert stored.reference in html and "Leiomyosarcoma" in html
    assert "A member of our team will contact you" in html
    for personal in ("Grace", "Hopper", "grace@example.com", "0100", "Evenings", "Carer", "United States"):
        assert personal not in html
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]
    for step in ("contacted", "consent_received", "sample_received"):
        change_status(test_request=stored, to_status=step, by=sales)
    assert "Our laboratory has your tumour sample" in client.get(status_path(stored)).content.decode()


def test_token_is_long_random_and_only_its_hash_is_stored(stored, demo_tumour):
    token = stored.status_token()
    assert len(token) >= 32  # 256 bits in hex; derived from a 128-bit random seed
    row = TestRequest.objects.filter(pk=stored.pk).values().get()
    assert token not in {str(value) for value in row.values()}
    other = create_test_request(tumour=demo_tumour, test_kit=stored.test_kit, data=DATA)
    assert other.status_token() != token


def test_status_link_expires_after_90_days(client, stored):
    TestRequest.objects.filter(pk=stored.pk).update(created_at=stored.created_at - timedelta(days=89))
    assert client.get(status_path(stored)).status_code == 200
    TestRequest.objects.filter(pk=stored.pk).update(created_at=stored.created_at - timedelta(days=91))
    response = client.get(status_path(stored))
    assert response.status_code == 404
    assert "This link does not work any more" in response.content.decode()


@pytest.mark.parametrize("token", ["nope", "0" * 64, "x" * 500, "%00%0d%0a", "a" * 40 + "' OR 1=1 --"])
def test_unknown_tokens_get_a_friendly_404(client, db, token):
    response = client.get(f"/orders/status/{token}/")
    assert response.status_code == 404
    assert "This link does not work any more" in response.content.decode()


def test_erased_request_has_no_status_page(client, stored):
    from django.core.management import call_command

    path = status_path(stored)
    call_command("erase_requester", "grace@example.com")
    assert client.get(path).status_code == 404
