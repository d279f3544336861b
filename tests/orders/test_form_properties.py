"""Property-based tests of the request form: thousands of generated posts, hostile strings included.
Never a 500; never a stored row for invalid data; exactly one for valid data.

The "form-posts" profile spreads HYPOTHESIS_FORM_EXAMPLES posts (default 1000, under a minute) over the three
properties: half valid, a quarter invalid, a quarter hostile. Raise it for a longer hunt, e.g.
HYPOTHESIS_FORM_EXAMPLES=10000 pytest tests/orders/test_form_properties.py"""

import os

import pytest
from django.urls import reverse
from django_countries import countries
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orders.form_tokens import issue_form_token
from orders.models import TestRequest

EXAMPLES = int(os.environ.get("HYPOTHESIS_FORM_EXAMPLES", "1000"))
settings.register_profile(
    "form-posts",
    max_examples=max(EXAMPLES // 2, 1),
    deadline=None,
    # One database and client per test, cleaned by hand before each example (see post()).
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
profile = settings.get_profile("form-posts")

CONTROL = [chr(c) for c in [*range(0, 32), 127]]
# Tabs and line breaks in a name are whitespace, which the form folds into single spaces: not an error.
NON_SPACE_CONTROL = [c for c in CONTROL if not c.isspace()]
printable = st.characters(blacklist_categories=("Cc", "Cs"))
hostile = st.characters(blacklist_categories=("Cs",))  # anything an HTTP body can carry, NUL and CR/LF too

names = st.text(printable, min_size=1, max_size=200).filter(lambda s: " ".join(s.split()))
local_parts = st.from_regex(r"[a-z0-9]{1,20}(\.[a-z0-9_+-]{1,10}){0,2}", fullmatch=True)
domains = st.from_regex(r"([a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?\.){1,3}[a-z]{2,6}", fullmatch=True)
emails = st.builds(lambda local, domain: f"{local}@{domain}", local_parts, domains)
phones = st.one_of(st.just(""), st.from_regex(r"\+?[0-9][0-9 ()\-]{4,27}[0-9]", fullmatch=True))
messages = st.one_of(st.text(printable, max_size=300), st.text(printable, min_size=1990, max_size=2000))
country_codes = st.sampled_from([code for code, _ in countries])

valid_requests = st.fixed_dictionaries(
    {
        "requester_type": st.sampled_from(["patient", "carer", "clinician"]),
        "full_name": names,
        "email": emails,
        "phone": phones,
        "country": country_codes,
        "message": messages,
        "consent": st.just("on"),
    }
)


control_chars = st.sampled_from(NON_SPACE_CONTROL)
header_injections = st.sampled_from(["\r\nBcc: x@y.z", "\nTo: x@y.z"])


def corruptions():
    """One change that makes a valid request invalid."""
    required = ["requester_type", "full_name", "email", "country", "consent"]
    return st.one_of(
        st.sampled_from(required).map(lambda field: (field, None)),  # missing
        st.tuples(st.sampled_from(required[:4]), st.sampled_from(["", " ", "\t"])),  # blank
        st.tuples(st.just("full_name"), st.builds(lambda a, c, b: a + c + b, names, control_chars, names)),
        st.tuples(st.just("email"), st.builds(lambda e, x: e + x, emails, header_injections)),
        st.tuples(st.just("email"), st.text(printable, max_size=50).filter(lambda s: "@" not in s)),
        st.tuples(
            st.just("full_name"), st.text(printable, min_size=201, max_size=400).filter(lambda s: len(s.strip()) > 200)
        ),
        st.tuples(
            st.just("message"), st.text(printable, min_size=2001, max_size=2100).filter(lambda s: len(s.strip()) > 2000)
        ),
        st.tuples(st.just("phone"), st.from_regex(r"[0-9]{31,40}|[a-z]{6,20}", fullmatch=True)),
        st.tuples(st.just("country"), st.text(hostile, max_size=5).filter(lambda s: s.strip() not in dict(countries))),
        st.tuples(
            st.just("requester_type"),
            st.text(hostile, max_size=20).filter(lambda s: s.strip() not in ("patient", "carer", "clinician")),
        ),
    )


def arbitrary_value():
    return st.one_of(
        st.none(),
        st.text(hostile, max_size=50),
        st.text(hostile, min_size=190, max_size=2100),
        st.sampled_from(CONTROL + ["\r\n", "on", "patient", "GB", "a@b.co"]),
    )


arbitrary_requests = st.fixed_dictionaries(
    {
        field: arbitrary_value()
        for field in (
            "requester_type",
            "full_name",
            "email",
            "phone",
            "country",
            "message",
            "consent",
            "website",
            "form_token",
        )
    }
)


@pytest.fixture
def post(client, demo_tumour, settings, monkeypatch):
    settings.ORDER_RATE_LIMIT = "1000000/h"
    # The test client keeps a copy of the context of every template rendered, including one per <option> of
    # the country list: five times the cost of the request itself. These tests look only at the response.
    monkeypatch.setattr("django.test.client.store_rendered_templates", lambda *args, **kwargs: None)
    url = reverse("orders:request_test", args=[demo_tumour.slug])

    def send(data: dict, *, token: bool = True):
        TestRequest.objects.all().delete()  # each example starts from an empty table
        body = {key: value for key, value in data.items() if value is not None}
        if token:
            body["form_token"] = issue_form_token()
        # client raises any exception from the view: a 500 fails the property.
        return client.post(url, body)

    return send


@settings(profile)
@given(data=valid_requests)
def test_every_valid_request_is_stored_exactly_once(post, data):
    response = post(data)
    assert response.status_code == 302, response.content.decode()[:2000]
    stored = TestRequest.objects.get()
    assert stored.full_name == " ".join(data["full_name"].split())
    assert stored.email == data["email"]
    assert stored.country == data["country"]
    assert stored.message == data["message"].strip()


@settings(profile, max_examples=max(EXAMPLES // 4, 1))
@given(data=valid_requests, corruption=corruptions())
def test_no_invalid_request_is_stored(post, data, corruption):
    field, value = corruption
    response = post({**data, field: value})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert TestRequest.objects.count() == 0


@settings(profile, max_examples=max(EXAMPLES // 4, 1))
@given(data=arbitrary_requests)
def test_hostile_posts_never_fail_and_store_only_what_passes(post, data):
    response = post(data, token=False)
    assert response.status_code in (200, 302)
    stored = list(TestRequest.objects.all())
    if response.status_code == 200:
        assert stored == []
    else:
        # A redirect without a genuine token can only be the honeypot's decoy: nothing stored.
        assert stored == []
        assert data["website"] and data["website"].strip()
