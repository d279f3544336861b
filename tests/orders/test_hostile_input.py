"""No input, however malformed, gets a 500 or stores anything unless it is a valid request."""

import pytest
from django.test import Client

from orders.models import TestRequest
from tests.orders.helpers import VALID, fetched_form


@pytest.fixture
def strict_client():
    # Exceptions become responses (as in production) instead of propagating into the test.
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_other_methods_get_405_and_store_nothing(strict_client, form_url, method):
    response = getattr(strict_client, method)(
        form_url, "full_name=Ada", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 405
    assert TestRequest.objects.count() == 0


@pytest.mark.parametrize(
    "body, content_type",
    [
        (b"full_name=\xff\xfe\xfd&email=%ff%fe", "application/x-www-form-urlencoded"),
        (b"\x00\x01\x02\x03" * 100, "application/x-www-form-urlencoded"),
        (b'--xx\r\nContent-Disposition: form-data; name="a"\r\n\r\n\xff\r\n', "multipart/form-data; boundary=xx"),
        (b"garbage", "multipart/form-data"),
        (b'{"full_name": "Ada"}', "application/json"),
        (b"a=" + b"%" * 5000, "application/x-www-form-urlencoded"),
    ],
)
def test_malformed_bodies_are_never_a_500(strict_client, form_url, body, content_type):
    response = strict_client.generic("POST", form_url, body, content_type=content_type)
    assert response.status_code in (200, 400)
    assert TestRequest.objects.count() == 0


def test_huge_body_is_refused_cleanly(strict_client, form_url):
    response = strict_client.post(form_url, {**VALID, "message": "x" * 3_000_000})
    assert response.status_code in (200, 400)
    assert TestRequest.objects.count() == 0


def test_invalid_utf8_in_fields_with_a_valid_token_shows_errors(client, form_url):
    token = fetched_form(client, form_url)["form_token"]
    body = (
        "requester_type=patient&full_name=Ada%ff%fe&email=ada%ff@example.com&country=GB&consent=on&form_token=" + token
    )
    response = client.generic("POST", form_url, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert TestRequest.objects.count() == 0


@pytest.mark.parametrize(
    "changes",
    [
        {"email": "ada@example.com\nBcc: x@example.com"},
        {"email": "ada@example.com\r\n"},
        {"full_name": "\u202eAda\x1b[31m"},
        {"full_name": "Ada\u0000"},
        {"message": "hello\x00world"},
        {"full_name": " \t "},
        {"country": "\u00ff\u00fe"},
        {"requester_type": ["patient", "carer"]},
        {"consent": "\x00"},
    ],
)
def test_hostile_values_store_nothing(strict_client, form_url, changes):
    data = fetched_form(strict_client, form_url)
    data.update(changes)
    response = strict_client.post(form_url, data)
    assert response.status_code in (200, 302)
    if response.status_code == 302:  # a harmless value the form accepted
        assert TestRequest.objects.count() == 1
    else:
        assert "There is a problem" in response.content.decode()
        assert TestRequest.objects.count() == 0


@pytest.mark.parametrize("missing", ["requester_type", "full_name", "email", "country", "consent"])
def test_each_missing_required_field_stores_nothing(client, form_url, missing):
    data = fetched_form(client, form_url)
    del data[missing]
    assert client.post(form_url, data).status_code == 200
    assert TestRequest.objects.count() == 0


def test_unicode_names_are_welcome(client, form_url):
    data = fetched_form(client, form_url, {**VALID, "full_name": "Zoë Ōkubo-Ñúñez 李小龍"})
    assert client.post(form_url, data).status_code == 302
    assert TestRequest.objects.get().full_name == "Zoë Ōkubo-Ñúñez 李小龍"
