"""Working a request from its page: contact attempts, e-mails from templates, and who may edit the templates."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from orders.models import ContactAttempt, EmailTemplate, Notification
from tests.orders.helpers import change_url


def attempt_url(test_request):
    return reverse("admin:orders_testrequest_attempt", args=[test_request.pk])


def email_url(test_request):
    return reverse("admin:orders_testrequest_email", args=[test_request.pk])


@pytest.fixture(autouse=True)
def templates(email_templates):
    return email_templates


def consent_template():
    return EmailTemplate.objects.get(name="Consent form")


def test_log_a_call_attempt_counts_and_shows_in_the_timeline(sales_client, sales, test_request):
    for outcome in ("no_answer", "left_message"):
        data = {"attempt-channel": "phone", "attempt-outcome": outcome, "attempt-note": f"Tried: {outcome}"}
        response = sales_client.post(attempt_url(test_request), data)
        assert response.status_code == 302 and response["Location"] == change_url(test_request)
    assert ContactAttempt.objects.filter(made_by=sales).count() == 2
    test_request.refresh_from_db()
    assert test_request.first_contacted_at is not None  # the first attempt is the first contact
    html = sales_client.get(change_url(test_request)).content.decode()
    assert "2 attempts so far." in html
    timeline = html[html.index("Timeline, newest first") :]
    assert timeline.index("Left a message") < timeline.index("No answer")
    assert "Tried: no_answer" in timeline


def test_an_attempt_without_an_outcome_logs_nothing(sales_client, test_request):
    response = sales_client.post(attempt_url(test_request), {"attempt-channel": "phone"}, follow=True)
    assert "nothing was logged" in response.content.decode()
    assert not ContactAttempt.objects.exists()


def test_the_four_templates_exist_and_preview_with_the_requests_fields(sales_client, sales, test_request):
    names = list(EmailTemplate.objects.values_list("name", flat=True))
    assert names == ["First contact", "Consent form", "Sample kit sent", "Report issued"]
    html = sales_client.get(change_url(test_request)).content.decode()
    assert all(f">{name}</option>" in html for name in names)
    preview = sales_client.get(email_url(test_request), {"template": consent_template().pk}).content.decode()
    assert "Dear Ada," in preview and test_request.reference in preview
    assert "Oncosite sales team &lt;sales@oncosite.example&gt;" in preview  # replies go to SALES_REPLY_TO
    assert not Notification.objects.exists()  # a preview sends nothing


def test_sending_queues_exactly_what_was_previewed_with_reply_to_the_owner(
    sales_client, sales, test_request, django_capture_on_commit_callbacks
):
    sales.email, sales.first_name = "sam@oncosite.invalid", "Sam"
    sales.save()
    test_request.owner = sales
    test_request.save()
    template = consent_template()
    data = {"template": template.pk, "subject": "Your consent form", "body": "Dear Ada,\nEdited text.", "send": "1"}
    with django_capture_on_commit_callbacks(execute=True):
        response = sales_client.post(email_url(test_request), data)
    assert response.status_code == 302
    message = mail.outbox[-1]
    assert (message.to, message.reply_to) == (["ada@example.com"], ["sam@oncosite.invalid"])
    assert (message.subject, message.body) == ("Your consent form", "Dear Ada,\nEdited text.")
    notification = Notification.objects.get(kind="message")
    assert (notification.state, notification.sent_by, notification.template_name) == ("sent", sales, "Consent form")
    timeline = sales_client.get(change_url(test_request)).content.decode()
    assert "E-mail: Consent form – sent" in timeline


def test_a_message_sent_while_mail_is_down_is_queued_and_sent_later(
    sales_client, test_request, dead_mail_server, django_capture_on_commit_callbacks
):
    data = {"template": consent_template().pk, "subject": "Consent", "body": "Text", "send": "1"}
    with django_capture_on_commit_callbacks(execute=True):
        sales_client.post(email_url(test_request), data)
    notification = Notification.objects.get(kind="message")
    assert notification.state == "queued" and notification.attempts == 1
    dead_mail_server.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("send_pending_notifications")
    assert [m.subject for m in mail.outbox] == ["Consent"]


def test_an_empty_message_is_refused(sales_client, test_request):
    data = {"template": consent_template().pk, "subject": "", "body": "Text", "send": "1"}
    response = sales_client.post(email_url(test_request), data)
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    assert not Notification.objects.exists()


def test_templates_are_for_superusers_to_edit_and_are_checked(sales_client, client, superuser):
    assert sales_client.get(reverse("admin:orders_emailtemplate_changelist")).status_code == 403
    client.force_login(superuser)
    template = consent_template()
    url = reverse("admin:orders_emailtemplate_change", args=[template.pk])
    bad = {"name": template.name, "position": 1, "active": "on"}
    for subject, body, error in [
        ("Your {{ tumour }} test", "Hi", "Unknown here: tumour"),
        ("Ok", "Hi {{ first_nmae }}", "Unknown here: first_nmae"),
        ("Ok", "{% include 'admin/base.html' %}", "template tags"),
    ]:
        response = client.post(url, {**bad, "subject": subject, "body": body})
        assert response.status_code == 200 and error in response.content.decode(), error
    response = client.post(url, {**bad, "subject": "About {{ reference }}", "body": "Hi {{ first_name }}"})
    assert response.status_code == 302


@pytest.mark.parametrize("erased", [True])
def test_no_email_can_be_written_to_an_erased_request(sales_client, test_request, erased):
    from orders.models import TestRequest
    from orders.services import anonymise

    anonymise(TestRequest.objects.all())
    html = sales_client.get(change_url(test_request)).content.decode()
    assert "no e-mail address to write to" in html
    data = {"template": consent_template().pk, "subject": "S", "body": "B", "send": "1"}
    response = sales_client.post(email_url(test_request), data)
    assert "no e-mail address" in response.content.decode()
    assert not Notification.objects.filter(kind="message").exists()
