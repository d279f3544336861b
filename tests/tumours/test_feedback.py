"""'Is this page helpful?' and 'Report a problem with this page': a visitor's story, the defences, the editor's."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.admin_forms import read_form
from tests.factories import UserFactory
from tumours.feedback import PageFeedback, resolve_feedback
from tumours.feedback_views import ANSWER_SALT

PAGE = "/tumours/leiomyosarcoma/"
FEEDBACK = "/tumours/leiomyosarcoma/feedback/"


def page_form(client, url=PAGE, index=0) -> dict:
    """The feedback form of a page as a browser would post it (hidden fields included, no button)."""
    html = client.get(url).content.decode()
    forms = re.findall(r'<form method="post" action="' + re.escape(FEEDBACK) + r'".*?</form>', html, re.S)
    return read_form(forms[index], form_id=None)


def test_every_tumour_page_asks_whether_it_helped_without_a_csrf_token(client, demo_tumour):
    html = client.get(PAGE).content.decode()
    assert "Is this page helpful?" in html
    assert 'name="helpful" value="yes"' in html and 'name="helpful" value="no"' in html
    assert f'<a href="{FEEDBACK}">Report a problem with this page</a>' in html
    assert "csrfmiddlewaretoken" not in html


def test_the_page_cache_still_serves_the_page(client, demo_tumour, django_assert_num_queries):
    first = client.get(PAGE)
    with django_assert_num_queries(0):
        second = client.get(PAGE)
    assert second.content == first.content and "Is this page helpful?" in second.content.decode()


def test_yes_is_stored_and_thanked(client, demo_tumour):
    response = client.post(FEEDBACK, {**page_form(client), "helpful": "yes"})
    assert response.status_code == 302 and response["Location"] == "/tumours/leiomyosarcoma/feedback/thanks/"
    feedback = PageFeedback.objects.get()
    assert (feedback.tumour, feedback.helpful, feedback.comment) == (demo_tumour, True, "")
    assert "Thank you for your feedback" in client.get(response["Location"]).content.decode()


def test_no_is_stored_then_the_visitor_may_say_why(client, demo_tumour):
    response = client.post(FEEDBACK, {**page_form(client), "helpful": "no"})
    assert PageFeedback.objects.get().helpful is False
    details = client.get(response["Location"])
    html = details.content.decode()
    assert "Can you tell us more?" in html and "Do not include personal or medical information" in html
    assert details["Cache-Control"] == "private, no-store"
    form = read_form(html, form_id=None)
    form["comment"] = "The 5–10% figure is from 2019-2024 data. Call me on 020 7946 0000 or ada@example.com"
    response = client.post(FEEDBACK, form)
    assert response["Location"].endswith("/feedback/thanks/")
    feedback = PageFeedback.objects.get()  # the same answer, now with its text
    assert feedback.helpful is False
    assert feedback.comment == "The 5–10% figure is from 2019-2024 data. Call me on [removed] or [removed]"


def test_report_a_problem_directly(client, demo_tumour):
    form = read_form(client.get(FEEDBACK).content.decode(), form_id=None)
    client.post(FEEDBACK, {**form, "comment": "The treatment section is out of date."})
    feedback = PageFeedback.objects.get()
    assert (feedback.helpful, feedback.comment) == (None, "The treatment section is out of date.")


def test_an_empty_report_says_what_to_do_and_stores_nothing(client, demo_tumour):
    form = read_form(client.get(FEEDBACK).content.decode(), form_id=None)
    response = client.post(FEEDBACK, form)
    assert response.status_code == 400
    assert "Tell us what is wrong with the page" in response.content.decode()
    assert not PageFeedback.objects.exists()


def test_a_text_past_the_limit_is_refused(client, demo_tumour):
    form = read_form(client.get(FEEDBACK).content.decode(), form_id=None)
    response = client.post(FEEDBACK, {**form, "comment": "x" * 1201})
    assert response.status_code == 400 and "Keep it to 1,200 characters or fewer" in response.content.decode()
    assert not PageFeedback.objects.exists()


def test_the_honeypot_thanks_a_bot_and_stores_nothing(client, demo_tumour):
    response = client.post(FEEDBACK, {**page_form(client), "helpful": "no", "website": "http://spam.example"})
    assert response["Location"].endswith("/feedback/thanks/")
    assert not PageFeedback.objects.exists()


@pytest.mark.parametrize("token", ["", "forged", "a-request-form-token"])
def test_a_post_without_a_genuine_token_stores_nothing_and_asks_again(client, demo_tumour, token):
    if token == "a-request-form-token":
        from orders.form_tokens import issue_form_token

        token = issue_form_token()  # signed for another form: no use here
    response = client.post(FEEDBACK, {"helpful": "no", "comment": "Wrong dose.", "form_token": token})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Please send it again" in html and "Wrong dose." in html
    assert not PageFeedback.objects.exists()
    client.post(FEEDBACK, read_form(html, form_id=None))  # sent again, with the fresh token
    assert PageFeedback.objects.get().comment == "Wrong dose."


def _form_issued_hours_ago(client, monkeypatch, hours: float) -> dict:
    import time

    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() - hours * 3600)
    form = page_form(Client())  # a fresh render (not the test client's cached copy), as a cache kept it
    monkeypatch.setattr(time, "time", real_time)
    return form


def test_a_page_kept_by_the_front_cache_for_a_day_still_takes_feedback(client, demo_tumour, monkeypatch, settings):
    # A front cache may serve the page for s-maxage, and stale past that: its form must still work.
    settings.FRONT_CACHE_S_MAXAGE = settings.FRONT_CACHE_STALE_IF_ERROR = 24 * 3600
    form = _form_issued_hours_ago(client, monkeypatch, hours=30)
    client.post(FEEDBACK, {**form, "helpful": "yes"})
    assert PageFeedback.objects.get().helpful is True


def test_a_form_older_than_any_cached_copy_asks_again(client, demo_tumour, monkeypatch, settings):
    settings.FRONT_CACHE_S_MAXAGE = settings.FRONT_CACHE_STALE_IF_ERROR = 24 * 3600
    form = _form_issued_hours_ago(client, monkeypatch, hours=60)
    response = client.post(FEEDBACK, {**form, "helpful": "yes"})
    assert "Please send it again" in response.content.decode()
    assert not PageFeedback.objects.exists()


def test_a_post_faster_than_a_person_is_refused(client, demo_tumour, settings):
    settings.FEEDBACK_FORM_MIN_SECONDS = 60
    client.post(FEEDBACK, {**page_form(client), "helpful": "yes"})
    assert not PageFeedback.objects.exists()


def test_the_rate_limit_counts_per_address_and_stores_nothing_past_it(demo_tumour, settings):
    settings.FEEDBACK_RATE_LIMIT = "2/h"
    visitor, other = Client(REMOTE_ADDR="203.0.113.7"), Client(REMOTE_ADDR="198.51.100.9")
    for _ in range(2):
        assert visitor.post(FEEDBACK, {**page_form(visitor), "helpful": "yes"}).status_code == 302
    refused = visitor.post(FEEDBACK, {**page_form(visitor), "helpful": "yes"})
    assert refused.status_code == 429 and "try again in an hour" in refused.content.decode()
    assert PageFeedback.objects.count() == 2
    assert other.post(FEEDBACK, {**page_form(other), "helpful": "yes"}).status_code == 302


def test_no_address_or_other_identifier_is_stored(demo_tumour):
    visitor = Client(REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT="Mozilla/5.0 (Ada's phone)")
    visitor.post(FEEDBACK, {**page_form(visitor), "helpful": "no"})
    stored = PageFeedback.objects.values().get()
    assert not any("203.0.113" in str(value) or "Ada" in str(value) for value in stored.values())
    assert set(stored) == {"id", "tumour_id", "helpful", "comment", "created_at", "done_at", "done_by_id", "note"}
    assert visitor.cookies == {}  # no session or tracking cookie either


def test_an_answer_link_adds_to_its_own_page_only_and_only_once(client, demo_tumour):
    from django.core import signing

    from tests.factories import TumourFactory

    other = PageFeedback.objects.create(tumour=TumourFactory(), helpful=False)
    signed = signing.dumps(other.pk, salt=ANSWER_SALT)
    form = read_form(client.get(FEEDBACK).content.decode(), form_id=None)
    client.post(FEEDBACK, {**form, "answer": signed, "comment": "Hijack."})
    other.refresh_from_db()
    assert other.comment == ""  # another page's answer is not this page's
    assert PageFeedback.objects.filter(tumour=demo_tumour).get().comment == "Hijack."  # a report of its own


def test_feedback_needs_a_live_page(client, draft):
    assert client.get(f"/tumours/{draft.slug}/feedback/").status_code == 404
    assert client.post(f"/tumours/{draft.slug}/feedback/", {"helpful": "yes"}).status_code == 404


def test_previews_do_not_ask_for_feedback(editor_client, draft):
    html = editor_client.get(f"/tumours/{draft.slug}/").content.decode()
    assert "Draft" in html and "Is this page helpful?" not in html


# The editors' side.


@pytest.fixture
def reports(demo_tumour):
    return [
        PageFeedback.objects.create(tumour=demo_tumour, helpful=False, comment="The incidence figure looks wrong."),
        PageFeedback.objects.create(tumour=demo_tumour, helpful=True),
        PageFeedback.objects.create(tumour=demo_tumour, helpful=False),
    ]


def test_editors_see_open_feedback_listed_per_page_and_counted(editor_client, reports, demo_tumour):
    html = editor_client.get(reverse("admin:tumours_pagefeedback_changelist")).content.decode()
    assert "Open feedback" in html and "The incidence figure looks wrong." in html
    assert "2 results" in html  # the "Yes" needs no action
    listed = editor_client.get(reverse("admin:tumours_tumour_changelist")).content.decode()
    assert f"?state=open&amp;tumour__id__exact={demo_tumour.pk}" in listed and "2 open" in listed
    edit = editor_client.get(reverse("admin:tumours_tumour_change", args=[demo_tumour.pk])).content.decode()
    assert "Yes: 1 · No: 2 · <strong>open: 2</strong>" in edit and "The incidence figure looks wrong." in edit


def test_an_editor_marks_feedback_done_with_a_note(editor_client, editor, reports):
    url = reverse("admin:tumours_pagefeedback_change", args=[reports[0].pk])
    form = read_form(editor_client.get(url).content.decode(), form_id="pagefeedback_form")
    refused = editor_client.post(url, {**form, "done": "on", "note": ""})
    assert refused.status_code == 200 and "Say what was done about it" in refused.content.decode()
    response = editor_client.post(url, {**form, "done": "on", "note": "Corrected to 5–10%; draft submitted."})
    assert response.status_code == 302
    reports[0].refresh_from_db()
    assert reports[0].is_done and reports[0].done_by == editor and reports[0].note.startswith("Corrected")
    html = editor_client.get(reverse("admin:tumours_pagefeedback_changelist")).content.decode()
    assert "The incidence figure looks wrong." not in html and "1 result" in html
    done = editor_client.get(reverse("admin:tumours_pagefeedback_changelist") + "?state=done").content.decode()
    assert "Done by editor: Corrected to 5–10%" in done


def test_nobody_adds_feedback_in_the_admin_and_sales_cannot_read_it(editor_client, sales_client, reports):
    assert editor_client.get(reverse("admin:tumours_pagefeedback_add")).status_code == 403
    assert sales_client.get(reverse("admin:tumours_pagefeedback_changelist")).status_code == 403


def test_closing_feedback_from_the_shell_follows_the_same_rules(reports, editor, db):
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(PermissionDenied):
        resolve_feedback(feedback=reports[0], by=UserFactory(username="nobody"), note="Done.")
    with pytest.raises(ValidationError):
        resolve_feedback(feedback=reports[0], by=editor, note="  ")
    assert resolve_feedback(feedback=reports[0], by=editor, note="Fixed.").is_done
