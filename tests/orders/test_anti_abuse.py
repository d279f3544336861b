import time

import pytest
from django.urls import reverse

from oncosite.client_ip import client_ip
from orders.client_ip import rate_limit_key
from orders.models import TestRequest
from tests.orders.helpers import VALID, fetched_form, hidden_fields


def test_honeypot_is_hidden_from_people_screen_readers_and_keyboards(client, form_url):
    html = client.get(form_url).content.decode()
    start = html.index('<div class="visually-hidden" aria-hidden="true">')
    trap = html[start : html.index("</div>", start)]
    assert 'name="website"' in trap
    assert 'tabindex="-1"' in trap
    assert 'autocomplete="off"' in trap


def test_filled_honeypot_stores_nothing_and_looks_like_success(client, form_url):
    response = client.post(form_url, {**fetched_form(client, form_url), "website": "http://spam.example"})
    assert response.status_code == 302
    assert response["Location"] == reverse("orders:request_sent")
    confirmation = client.get(response["Location"]).content.decode()
    assert "Request sent" in confirmation
    assert "Your reference is" in confirmation
    assert TestRequest.objects.count() == 0


def test_form_posted_too_fast_is_refused_with_a_friendly_message(client, form_url, settings, monkeypatch):
    settings.ORDER_FORM_MIN_SECONDS = 3
    data = fetched_form(client, form_url)
    response = client.post(form_url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Please check your answers and press the button again" in html
    assert 'value="Ada Lovelace"' in html  # nothing to type again
    assert TestRequest.objects.count() == 0
    # A person who took their time gets through.
    later = time.time() + 4
    monkeypatch.setattr(time, "time", lambda: later)
    assert client.post(form_url, data).status_code == 302
    assert TestRequest.objects.count() == 1


def test_form_older_than_two_hours_is_refused_then_accepted_with_the_new_token(client, form_url, monkeypatch):
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() - 2 * 3600 - 60)
    old = fetched_form(client, form_url)
    monkeypatch.setattr(time, "time", real_time)
    response = client.post(form_url, old)
    assert response.status_code == 200
    assert "press the button again" in response.content.decode()
    assert TestRequest.objects.count() == 0
    fresh = hidden_fields(response.content.decode())
    assert fresh["form_token"] != old["form_token"]
    assert client.post(form_url, {**VALID, **fresh}).status_code == 302
    assert TestRequest.objects.count() == 1


@pytest.mark.parametrize("token", ["", "forged", "eyJuIjoiYSIsInQiOjB9:1abc:xyz"])
def test_missing_or_forged_token_stores_nothing(client, form_url, token):
    response = client.post(form_url, {**VALID, "form_token": token})
    assert response.status_code == 200
    assert "press the button again" in response.content.decode()
    assert TestRequest.objects.count() == 0


def test_invalid_fields_still_get_field_errors_before_any_token_check(client, form_url):
    response = client.post(form_url, {**VALID, "email": "nope", "form_token": "forged"})
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Enter an email address in the right format" in html
    assert "press the button again" not in html


def test_double_submission_stores_one_request_and_shows_the_same_confirmation(client, form_url):
    data = fetched_form(client, form_url)
    first = client.post(form_url, data)
    first_page = client.get(first["Location"]).content.decode()
    second = client.post(form_url, {**data, "message": "changed my mind"})
    assert second.status_code == 302 and second["Location"] == first["Location"]
    second_page = client.get(second["Location"]).content.decode()
    stored = TestRequest.objects.get()
    assert stored.reference in first_page and stored.reference in second_page
    assert stored.message == "Mornings are best."


def test_resubmission_from_another_browser_session_finds_the_same_request(client, form_url):
    data = fetched_form(client, form_url)
    client.post(form_url, data)
    client.cookies.clear()
    response = client.post(form_url, data)
    assert response.status_code == 302
    assert TestRequest.objects.get().reference in client.get(response["Location"]).content.decode()


def test_rate_limit_per_ip_gives_an_explained_429(client, form_url, settings):
    settings.ORDER_RATE_LIMIT = "2/h"
    for _ in range(2):
        assert client.post(form_url, fetched_form(client, form_url)).status_code == 302
    response = client.post(form_url, fetched_form(client, form_url))
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many requests" in html and "try again in an hour" in html
    assert "site-header" in html  # the site's own page, extending base.html
    assert TestRequest.objects.count() == 2
    # Another address is not affected; a forged forwarding header does not help the first one.
    other = client.post(form_url, fetched_form(client, form_url), REMOTE_ADDR="203.0.113.9")
    assert other.status_code == 302
    spoofed = client.post(form_url, fetched_form(client, form_url), HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert spoofed.status_code == 429


def test_rate_limit_is_read_at_request_time(client, form_url, settings):
    settings.ORDER_RATE_LIMIT = "1/h"
    assert client.post(form_url, fetched_form(client, form_url)).status_code == 302
    assert client.post(form_url, fetched_form(client, form_url)).status_code == 429
    settings.ORDER_RATE_LIMIT = "100/h"
    assert client.post(form_url, fetched_form(client, form_url)).status_code == 302


def test_invalid_posts_do_not_use_up_the_limit(client, form_url, settings):
    settings.ORDER_RATE_LIMIT = "1/h"
    for _ in range(3):
        client.post(form_url, fetched_form(client, form_url, {**VALID, "email": "typo"}))
    assert client.post(form_url, fetched_form(client, form_url)).status_code == 302


def test_client_ip_ignores_headers_unless_configured(rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(request) == "10.0.0.5"
    settings.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.TRUSTED_PROXY_COUNT = 1
    # The client forged the first entry; our proxy appended the real address last.
    request = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    assert client_ip(request) == "203.0.113.7"
    settings.TRUSTED_PROXY_COUNT = 2
    request = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7, 10.0.0.9")
    assert client_ip(request) == "203.0.113.7"
    # A garbled header is no address, and the rate limit puts it in one fixed bucket, not a per-request one.
    request = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="not-an-ip, also-not")
    assert client_ip(request) is None
    assert rate_limit_key("order", request) == "unknown"


def test_ipv6_clients_are_counted_per_64(rf):
    one = rf.get("/", REMOTE_ADDR="2001:db8:1:2::1")
    two = rf.get("/", REMOTE_ADDR="2001:db8:1:2:ffff::9")
    assert client_ip(one) == client_ip(two) == "2001:db8:1:2::"


@pytest.mark.parametrize("rate, ok", [("5/h", True), ("100/15m", True), ("20/d", True), ("five", False), ("5", False)])
def test_a_malformed_rate_limit_fails_the_system_checks(settings, rate, ok):
    from orders.checks import check_order_settings

    settings.ORDER_RATE_LIMIT = rate
    assert (check_order_settings(None) == []) is ok
