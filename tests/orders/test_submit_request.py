"""submit_request decides what becomes of a valid form; the view only maps its outcome to a page."""

import pytest

from orders.form_tokens import issue_form_token
from orders.models import TestRequest
from orders.services import Outcome, submit_request
from tests.factories import TestKitFactory
from tests.orders.helpers import VALID


@pytest.fixture
def submit(demo_tumour):
    kit = TestKitFactory()

    def send(token=None, **data):
        cleaned = {**VALID, "website": "", "form_token": issue_form_token() if token is None else token, **data}
        return submit_request(tumour=demo_tumour, test_kit=kit, data=cleaned, client_ip="192.0.2.1")

    return send


def test_stored_then_the_same_form_again_is_a_duplicate_submission(submit):
    token = issue_form_token()
    first = submit(token=token)
    again = submit(token=token)
    assert first.outcome == Outcome.STORED and again.outcome == Outcome.DUPLICATE_SUBMISSION
    assert again.test_request == first.test_request == TestRequest.objects.get()


def test_the_honeypot_gives_a_decoy_and_stores_nothing(submit):
    outcome = submit(website="http://spam.example")
    assert outcome.outcome == Outcome.DECOY and outcome.decoy_reference.startswith("OF-")
    assert not TestRequest.objects.exists()


def test_a_forged_token_asks_to_try_again(submit):
    assert submit(token="forged").outcome == Outcome.RETRY
    assert not TestRequest.objects.exists()


def test_past_the_rate_limit_nothing_is_stored(submit, settings):
    settings.ORDER_RATE_LIMIT = "2/h"
    outcomes = [submit(email=f"p{i}@example.com").outcome for i in range(3)]
    assert outcomes == [Outcome.STORED, Outcome.STORED, Outcome.RATE_LIMITED]
    assert TestRequest.objects.count() == 2
