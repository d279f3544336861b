"""The editorial workflow as editors and reviewers click it in the admin: edit a live page, submit, review the
diff, send back, fix, approve now or later, unpublish, history, compare and restore."""

import datetime
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.admin_forms import change_form, read_form
from tests.factories import UserFactory
from tests.tumours.test_public_pages import visible_text
from tumours import services
from tumours.editorial import Draft, EditorialEmail, Revision
from tumours.emails import send_pending

# Real commits: e-mails and the page cache's invalidation happen after a commit, as in production.
pytestmark = pytest.mark.django_db(transaction=True)

LIVE_TEXT = "A rare tumour of connective tissue."


def url(name, tumour, *args):
    return reverse(f"admin:tumours_tumour_{name}", args=[tumour.pk, *args])


def edit(client, tumour, submit=False, **changes):
    data = change_form(client, tumour)
    data.update(changes)
    if submit:
        data["_submit"] = "Save and submit for review"
    return client.post(url("change", tumour), data, follow=True)


def public(tumour):
    response = Client().get(f"/tumours/{tumour.slug}/")
    return response.status_code, visible_text(response.content.decode())


def test_an_editor_changes_a_live_page_and_it_stays_online_unchanged(editor_client, live):
    response = edit(editor_client, live, summary="A rare tumor of connective tissue.")
    html = response.content.decode()
    assert "Saved as a draft. The live page is unchanged until a reviewer approves it." in html
    assert "State: Live · Draft changes not yet live" in html
    status, text = public(live)
    assert status == 200 and LIVE_TEXT in text and "tumor of" not in text
    # The editor reopens the page and sees their draft, not the live text.
    assert change_form(editor_client, live)["summary"] == "A rare tumor of connective tissue."


def test_the_changelist_shows_each_pages_state_and_filters_by_it(editor_client, editor, live, demo_tumour):
    services.save_draft(tumour=live, by=editor, fields={"summary": "Draft."})
    services.submit_for_review(tumour=live, by=editor)
    changelist = reverse("admin:tumours_tumour_changelist")
    text = visible_text(editor_client.get(changelist).content.decode())
    assert "Angiosarcoma Live · Awaiting review" in text
    assert "Leiomyosarcoma Live" in text
    awaiting = visible_text(editor_client.get(changelist, {"state": "in_review"}).content.decode())
    assert "Angiosarcoma" in awaiting and "Leiomyosarcoma" not in awaiting


def test_submit_tells_the_reviewers_and_the_draft_becomes_read_only(editor_client, reviewer, live):
    mail.outbox.clear()
    response = edit(editor_client, live, submit=True, summary="A rare tumor of connective tissue.")
    assert "Submitted for review. Clinical reviewers have been told." in response.content.decode()
    assert [m.to for m in mail.outbox] == [["helen@oncosite.invalid"]]
    assert "“Angiosarcoma” is awaiting your review" in mail.outbox[0].subject
    assert url("review", live) in mail.outbox[0].body
    html = editor_client.get(url("change", live)).content.decode()
    assert 'name="_save"' not in html and "Withdraw from review" in html
    assert read_form(html)["summary"] == "A rare tumor of connective tissue."
    data = change_form(editor_client, live)
    data["summary"] = "Changed while in review."
    assert editor_client.post(url("change", live), data).status_code == 403


def test_the_reviewer_sees_the_queue_and_a_word_level_diff(editor_client, reviewer_client, live):
    edit(editor_client, live, submit=True, summary="A rare tumor of connective tissue.")
    index = visible_text(reviewer_client.get(reverse("admin:index")).content.decode())
    assert "Awaiting review Page Submitted by Waiting Angiosarcoma editor" in index
    html = reviewer_client.get(url("review", live)).content.decode()
    diff = html[html.index('id="diff-heading"') : html.index('id="page-heading"')]
    removed = re.findall(r"<del>(.*?)</del>", diff)
    added = re.findall(r"<ins>(.*?)</ins>", diff)
    strip = lambda parts: [re.sub(r"<[^>]+>|\[(removed|added): |\]", "", part) for part in parts]  # noqa: E731
    assert strip(removed) == ["tumour"] and strip(added) == ["tumor"]
    assert "The page as it will go out" in html and "A rare tumor of connective tissue." in html


def test_request_changes_reaches_the_editor_on_the_page_and_by_email(editor_client, reviewer_client, live):
    edit(editor_client, live, submit=True, summary="A rare tumor of connective tissue.")
    mail.outbox.clear()
    review = url("review", live)
    empty = reviewer_client.post(review, {"comment": "", "_request_changes": "1"})
    assert "This field is required." in empty.content.decode()
    reviewer_client.post(review, {"comment": "Use British spelling: tumour.", "_request_changes": "1"})
    assert [m.to for m in mail.outbox] == [["editor@oncosite.invalid"]]
    assert "Use British spelling: tumour." in mail.outbox[0].body
    html = editor_client.get(url("change", live)).content.decode()
    assert "Changes requested by Helen Marsh" in html and "Use British spelling: tumour." in html
    assert 'name="_save"' in html  # editable again


def test_approve_now_puts_the_change_live_and_tells_the_editor(editor_client, reviewer_client, live):
    edit(editor_client, live, submit=True, summary="A rare tumour of soft tissue.")
    mail.outbox.clear()
    response = reviewer_client.post(url("review", live), {"when": "now", "clinical_review": "on", "_approve": "1"})
    assert response.status_code == 302
    status, text = public(live)
    assert status == 200 and "A rare tumour of soft tissue." in text
    assert "Reviewed by Dr Helen Marsh, Consultant Medical Oncologist" in text
    assert mail.outbox[0].to == ["editor@oncosite.invalid"] and "were approved" in mail.outbox[0].subject


def test_approve_for_a_later_time_keeps_the_old_page_until_then(editor_client, reviewer_client, live):
    edit(editor_client, live, submit=True, summary="From next week.")
    later = timezone.localtime() + datetime.timedelta(days=7)
    data = {"when": "later", "go_live_at": later.strftime("%Y-%m-%dT%H:%M"), "clinical_review": "on", "_approve": "1"}
    response = reviewer_client.post(url("review", live), data, follow=True)
    assert "the current page stays online until then" in response.content.decode()
    assert "Live · Scheduled for" in response.content.decode()
    assert LIVE_TEXT in public(live)[1]
    assert services.draft_of(live).go_live_at.replace(second=0) == later.replace(second=0, microsecond=0)


def test_the_last_editor_sees_why_they_cannot_approve(reviewer_client, reviewer, live):
    edit(reviewer_client, live, submit=True, summary="My own change.")
    html = reviewer_client.get(url("review", live)).content.decode()
    assert "You made the last change to this draft. Another clinical reviewer must approve it" in html
    response = reviewer_client.post(url("review", live), {"when": "now", "clinical_review": "on", "_approve": "1"})
    assert "another clinical reviewer must approve it" in response.content.decode()
    assert LIVE_TEXT in public(live)[1]


def test_a_failed_email_never_blocks_the_approval_and_is_sent_later(editor_client, reviewer_client, live, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens on the discard port
    EditorialEmail.objects.all().delete()
    mail.outbox.clear()
    edit(editor_client, live, submit=True, summary="Approved while mail is down.")
    reviewer_client.post(url("review", live), {"when": "now", "clinical_review": "on", "_approve": "1"})
    assert "Approved while mail is down." in public(live)[1]
    queued = EditorialEmail.objects.filter(state="queued")
    assert queued.count() == 2 and all(email.attempts == 1 for email in queued)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_pending() == (2, 0)
    assert {tuple(m.to) for m in mail.outbox} == {("helen@oncosite.invalid",), ("editor@oncosite.invalid",)}


def test_unpublish_asks_for_a_reason_and_only_reviewers_may(editor_client, reviewer_client, live):
    assert editor_client.get(url("unpublish", live)).status_code == 403
    response = reviewer_client.post(url("unpublish", live), {"reason": ""})
    assert "This field is required." in response.content.decode()
    assert public(live)[0] == 200
    reviewer_client.post(url("unpublish", live), {"reason": "Outdated treatment advice."})
    assert public(live)[0] == 404
    assert "Outdated treatment advice." in editor_client.get(url("change", live)).content.decode()


def test_history_lists_every_version_with_who_when_and_which_is_live(editor_client, live):
    edit(editor_client, live, summary="Second text.")
    html = editor_client.get(url("history", live)).content.decode()
    text = visible_text(html)
    live_row = re.search(r"<tr>.*?Live now.*?</tr>", html, re.S).group(0)
    assert "editor" in live_row
    assert "Current draft" in text
    assert re.search(r"\d{1,2} \w{3} \d{4}, \d{2}:\d{2}:\d{2}", text)  # to the second


def test_compare_and_restore_make_a_draft_through_the_admin(editor_client, editor, reviewer, second_reviewer, live):
    first = live.live_revision
    services.save_draft(tumour=live, by=editor, fields={"summary": "Vandalised."})
    services.submit_for_review(tumour=live, by=editor)
    services.approve(tumour=live, by=reviewer)
    compare = url("compare", live, first.pk)
    html = editor_client.get(compare).content.decode()
    assert "A rare tumour of connective tissue" in html and "Vandalised" in html
    form = read_form(html, form_id="restore-form")
    response = editor_client.post(compare, form, follow=True)
    assert "That version is now the draft." in response.content.decode()
    assert "Vandalised." in public(live)[1]  # not live until approved
    assert services.draft_of(live).revision.content["fields"]["summary"] == LIVE_TEXT


def test_sales_may_look_but_not_act(sales_client, live):
    html = sales_client.get(url("change", live)).content.decode()
    assert 'name="_save"' not in html and "Submit the saved draft" not in html and "Unpublish" not in html
    for name in ("submit", "withdraw", "preview_links"):
        sales_client.post(url(name, live))
    assert sales_client.post(url("unpublish", live), {"reason": "x"}).status_code == 403
    assert sales_client.post(url("review", live), {"when": "now", "_approve": "1"}).status_code in (302, 200)
    assert Draft.objects.count() == 0 and public(live)[0] == 200


def test_new_rows_take_the_next_position_and_order_is_saved(editor_client, draft):
    data = change_form(editor_client, draft)
    assert (data["sections-0-position"], data["sections-1-position"]) == ("1", "2")
    data.update({"sections-TOTAL_FORMS": "3", "sections-2-position": "3", "sections-2-heading": "Outlook"})
    data.update({"sections-2-body": "Varies.", "sections-0-position": "2", "sections-1-position": "1"})
    assert editor_client.post(url("change", draft), data).status_code == 302
    sections = services.draft_of(draft).revision.content["sections"]
    assert [s["heading"] for s in sections] == ["Treatment", "Location", "Outlook"]


def test_the_edit_page_explains_fields_in_plain_words(editor_client, draft):
    html = editor_client.get(url("change", draft)).content.decode()
    assert "/tumours/&lt;slug&gt;/" in html  # shown as /tumours/<slug>/, not eaten as a tag
    for label in ("Move up", "Move down", "Add another section", "Remove this source"):
        assert label in html


def test_a_stale_admin_save_names_the_colleague_and_keeps_the_text(editor_client, live):
    colleague = UserFactory(username="priya", first_name="Priya", last_name="Shah", groups=["Clinical editors"])
    other = Client()
    other.force_login(colleague)
    mine = change_form(editor_client, live)
    edit(other, live, summary="Priya's correction.")
    mine["summary"] = "My long rewrite that must not be lost."
    response = editor_client.post(url("change", live), mine)
    html = response.content.decode()
    assert "This page was changed by Priya Shah on" in html
    assert "My long rewrite that must not be lost." in html
    assert services.draft_of(live).revision.content["fields"]["summary"] == "Priya's correction."


@pytest.mark.parametrize("view", ["change", "history", "review"])
def test_editorial_screens_cost_a_fixed_number_of_queries(editor_client, editor, live, view,
                                                          django_assert_max_num_queries):  # fmt: skip
    for n in range(5):
        services.save_draft(tumour=live, by=editor, fields={"summary": f"Version {n}."})
    with django_assert_max_num_queries(25):
        assert editor_client.get(url(view, live)).status_code == 200
    assert Revision.objects.of(live).count() == 6
