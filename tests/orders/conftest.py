"""Fixtures every orders test may use: the request form's address, the people of the sales team, a superuser,
and a mail server that is down."""

import socket

import pytest
from django.test import Client
from django.urls import reverse

from oncosite.roles import SALES_TEAM
from tests.factories import TestRequestFactory, UserFactory


@pytest.fixture
def form_url(demo_tumour):
    return reverse("orders:request_test", args=[demo_tumour.slug])


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True)


@pytest.fixture
def colleague(db):
    return UserFactory(
        username="bea", first_name="Bea", last_name="Colleague", email="bea@oncosite.invalid", groups=[SALES_TEAM]
    )


@pytest.fixture
def colleague_client(colleague):
    # Its own client, so a test can act as two salespeople side by side, each with a session of their own.
    client = Client()
    client.force_login(colleague)
    return client


@pytest.fixture
def test_request(demo_tumour):
    return TestRequestFactory(tumour=demo_tumour, phone="+44 20 7946 0000", phone_e164="+442079460000")


@pytest.fixture
def dead_mail_server(settings):
    # A port on this machine where nothing listens: every SMTP connection is refused at once.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_TIMEOUT = 2
    return settings


@pytest.fixture
def email_templates(db):
    # The migration adds them, but a transactional test run earlier empties every table.
    from orders.default_templates import add_default_templates
    from orders.models import EmailTemplate

    add_default_templates(EmailTemplate)
    return EmailTemplate.objects.all()
