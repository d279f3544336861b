"""The privacy notice and the contact page: facts from settings, linked from every page and from the form."""

import pytest
from django.core import mail
from django.urls import reverse

from orders.consent import CONSENT_VERSION
from orders.models import TestRequest
from tests.orders.helpers import fetched_form


@pytest.fixture
def company(settings):
    settings.SITE_COMPANY_NAME = "Oncosite Diagnostics Ltd"
    settings.SITE_CONTACT_EMAIL = "help@oncosite.invalid"
    settings.SITE_CONTACT_PHONE = "+44 161 496 0000"
    settings.SITE_POSTAL_ADDRESS = ["2 Test Row", "Manchester M1 1AA"]
    settings.PRIVACY_CONTACT_EMAIL = "dpo@oncosite.invalid"
    settings.ORDER_RETENTION_DAYS = 1095
    return settings


def test_privacy_notice_states_controller_basis_recipients_retention_rights_and_complaints(client, company, db):
    html = client.get(reverse("privacy")).content.decode()
    for fact in (
        "Oncosite Diagnostics Ltd",
        "2 Test Row, Manchester M1 1AA",
        "dpo@oncosite.invalid",
        "Article 9(2)(a)",
        "Only our sales team",
        "Our e-mail delivery provider, which delivers the e-mails we send you",
        "<strong data-retention>1095 days</strong> (about 3 years)",
        "Access",
        "Rectification",
        "Erasure",
        "Objection",
        "Information Commissioner",
        "https://ico.org.uk/make-a-complaint/",
        CONSENT_VERSION,
    ):
        assert fact in html, fact
    assert "CRM" not in html  # no webhook configured: no CRM receives anything


def test_privacy_notice_names_the_crm_when_leads_are_sent_to_one(client, settings, db):
    settings.SALES_WEBHOOK_URL = ["https://crm.example/hooks/oncosite"]
    assert "customer-relationship management (CRM)" in client.get(reverse("privacy")).content.decode()


def test_contact_page_has_the_companys_details(client, company, db):
    html = client.get(reverse("contact")).content.decode()
    assert '<a href="mailto:help@oncosite.invalid">' in html
    assert '<a href="tel:+441614960000">+44 161 496 0000</a>' in html
    assert "Manchester M1 1AA" in html


@pytest.mark.parametrize("url", ["/", "/tumours/", "/tumours/leiomyosarcoma/", "/contact/", "/no-such-page/"])
def test_every_page_links_to_contact_and_privacy_in_its_footer(client, demo_tumour, url):
    html = client.get(url).content.decode()
    footer = html[html.index('<footer class="site-footer">') :]
    assert f'href="{reverse("contact")}"' in footer and f'href="{reverse("privacy")}"' in footer


def test_the_form_links_the_notice_beside_the_consent_box_in_a_new_tab(client, form_url):
    html = client.get(form_url).content.decode()
    consent = html[html.index('name="consent"') :]
    link = consent[: consent.index("</a>")]
    assert f'href="{reverse("privacy")}"' in link and 'target="_blank"' in link and "opens in a new tab" in link


def test_every_email_to_the_requester_has_reply_to_and_says_how_to_reach_us(
    client, form_url, company, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(form_url, fetched_form(client, form_url))
    confirmation = next(m for m in mail.outbox if m.to == ["ada@example.com"])
    assert confirmation.reply_to == ["Oncosite sales team <sales@oncosite.example>"]
    assert "Reply to this e-mail: it reaches our sales team" in confirmation.body
    assert "+44 161 496 0000" in confirmation.body and "/privacy/" in confirmation.body
    assert TestRequest.objects.get().consent_version == CONSENT_VERSION


def test_expired_status_link_page_says_how_to_get_in_touch(client, company, db):
    response = client.get(reverse("orders:status", args=["x" * 64]))
    assert response.status_code == 404
    html = response.content.decode()
    assert (
        "help@oncosite.invalid" in html and "+44 161 496 0000" in html and "reply to your confirmation e-mail" in html
    )
