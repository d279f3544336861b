"""A kit's page in the admin, as editors and reviewers click it: the same editorial screens as a tumour page's."""

import datetime
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.admin_forms import read_form
from tests.tumours.test_public_pages import visible_text
from tumours import services
from tumours.editorial import Draft, Revision
from tumours.models import REVIEW_WARNING_DAYS, TestKit

# Real commits: e-mails and the page cache's invalidation happen after a commit, as in production.
pytestmark = pytest.mark.django_db(transaction=True)

SEED_DESCRIPTION = "The most comprehensive precision oncology test."
FORM = "testkit_form"


def url(name, kit, *args):
    return reverse(f"admin:tumours_testkit_{name}", args=[kit.pk, *args])


def kit_form(client, kit) -> dict:
    response = client.get(url("change", kit))
    assert response.status_code == 200
    return read_form(response.content.decode(), form_id=FORM)


def edit(client, kit, submit=False, sections=(), **changes):
    data = {**kit_form(client, kit), **changes}
    start = int(data["sections-TOTAL_FORMS"])
    for n, (heading, body) in enumerate(sections, start=start):
        data |= {f"sections-{n}-heading": heading, f"sections-{n}-body": body, f"sections-{n}-position": n + 1}
    data["sections-TOTAL_FORMS"] = start + len(sections)
    if submit:
        data["_submit"] = "Save and submit for review"
    return client.post(url("change", kit), data, follow=True)


def public(path="/tests/oncofocus/"):
    response = Client().get(path)
    return response.status_code, visible_text(response.content.decode())


def test_an_editor_writes_the_kit_page_and_the_public_sees_nothing_yet(editor_client, kit, offering_page):
    html = editor_client.get(url("change", kit)).content.decode()
    assert "State: Not published" in html
    assert "the kit box of every tumour page that offers this kit shows its approved name and description" in html
    response = edit(editor_client, kit, description="Profiles the tumour.", sections=[("How it works", "In a lab.")])
    assert "Saved as a draft. The live page is unchanged until a reviewer approves it." in response.content.decode()
    assert "State: Not published · Draft" in response.content.decode()
    assert public()[0] == 404
    assert SEED_DESCRIPTION in public(offering_page.get_absolute_url())[1]
    assert kit_form(editor_client, kit)["sections-0-heading"] == "How it works"


def test_the_reviewer_sees_the_kit_in_the_queue_reviews_the_diff_and_approves(
    editor_client, reviewer_client, kit, offering_page
):
    mail.outbox.clear()
    edit(editor_client, kit, submit=True, description="The most complete precision oncology test.")
    assert "the test kit page “Oncofocus” is awaiting your review" in mail.outbox[0].subject
    index = visible_text(reviewer_client.get(reverse("admin:index")).content.decode())
    assert "Awaiting review Page Submitted by Waiting Oncofocus (test kit page) editor" in index
    assert url("review", kit) in reviewer_client.get(reverse("admin:index")).content.decode()
    html = reviewer_client.get(url("review", kit)).content.decode()
    assert "compared with what the public sees now (its page has never been live)" in html
    diff = html[html.index('id="diff-heading"') : html.index('id="page-heading"')]
    strip = lambda parts: [re.sub(r"<[^>]+>|\[(removed|added): |\]", "", part) for part in parts]  # noqa: E731
    assert strip(re.findall(r"<del>(.*?)</del>", diff)) == ["comprehensive"]
    assert strip(re.findall(r"<ins>(.*?)</ins>", diff)) == ["complete"]
    rendered = visible_text(html[html.index('id="page-heading"') :])
    assert "Our test Oncofocus" in rendered and "Tumours Oncofocus is available for Leiomyosarcoma" in rendered
    response = reviewer_client.post(url("review", kit), {"when": "now", "clinical_review": "on", "_approve": "1"})
    assert response.status_code == 302
    status, text = public()
    assert status == 200 and "The most complete precision oncology test." in text
    assert "The most complete precision oncology test." in public(offering_page.get_absolute_url())[1]


def test_an_editor_cannot_approve_a_kit_page_through_the_review_screen(editor_client, editor, kit):
    edit(editor_client, kit, submit=True, description="Approved by nobody.")
    html = editor_client.get(url("review", kit)).content.decode()
    assert "Only clinical reviewers approve or send back a draft." in html
    editor_client.post(url("review", kit), {"when": "now", "clinical_review": "on", "_approve": "1"})
    assert TestKit.objects.get().description == SEED_DESCRIPTION
    assert services.draft_of(kit).state == Draft.State.IN_REVIEW


def test_a_new_kit_is_added_as_a_draft(editor_client):
    form = read_form(editor_client.get(reverse("admin:tumours_testkit_add")).content.decode(), form_id=FORM)
    form |= {"name": "Sarcofocus", "slug": "sarcofocus", "description": "A new test."}
    response = editor_client.post(reverse("admin:tumours_testkit_add"), form, follow=True)
    assert "Saved as a draft." in response.content.decode()
    kit = TestKit.objects.get(slug="sarcofocus")
    assert kit.description == "" and services.draft_of(kit).revision.content["fields"]["description"] == "A new test."


def test_preview_of_unsaved_kit_changes_shows_the_typed_text(editor_client, kit):
    data = {**kit_form(editor_client, kit), "description": "Typed, not saved."}
    response = editor_client.post(url("preview", kit), data)
    html = response.content.decode()
    assert "Typed, not saved." in html and "Preview of unsaved changes — not visible to the public." in html
    assert "no-store" in response["Cache-Control"]
    assert TestKit.objects.get().description == SEED_DESCRIPTION


def test_history_compare_and_restore_of_a_kit_page(editor_client, editor, reviewer, second_reviewer, kit_page):
    services.save_draft(kit=kit_page, by=editor, fields={"description": "Second wording."})
    services.submit_for_review(kit=kit_page, by=editor)
    services.approve(kit=kit_page, by=second_reviewer)
    first = Revision.objects.of(kit_page).order_by("created_at", "pk").first()
    history = visible_text(editor_client.get(url("history", kit_page)).content.decode())
    assert "Live now" in history and "Was live from" in history
    compare = visible_text(editor_client.get(url("compare", kit_page, first.pk)).content.decode())
    assert "Description (changed) [removed: The ] [added: Second ]" in compare
    assert "the page's draft (its name, text, sections)" in compare
    response = editor_client.post(url("compare", kit_page, first.pk), follow=True)
    assert "That version is now the draft." in response.content.decode()
    assert services.draft_of(kit_page).revision.content["fields"]["description"] == SEED_DESCRIPTION
    assert TestKit.objects.get().description == "Second wording."


def test_unpublishing_a_kit_page_says_what_stays_and_needs_a_reason(reviewer_client, editor_client, kit_page):
    assert editor_client.get(url("unpublish", kit_page)).status_code == 403
    html = reviewer_client.get(url("unpublish", kit_page)).content.decode()
    assert "Tumour pages that offer the kit keep showing its name and description in their kit box" in html
    assert (
        "This field is required." in reviewer_client.post(url("unpublish", kit_page), {"reason": ""}).content.decode()
    )
    reviewer_client.post(url("unpublish", kit_page), {"reason": "Out of date."})
    assert public()[0] == 404


def test_a_reviewer_shares_a_kit_draft_by_link(reviewer_client, editor, kit_page):
    services.save_draft(kit=kit_page, by=editor, fields={"description": "For an outside clinician."})
    response = reviewer_client.post(url("preview_links", kit_page), {"days": "7", "_create": "1"}, follow=True)
    link = re.search(r"http://testserver(/preview/[^\s<]+)", response.content.decode()).group(1)
    assert "For an outside clinician." in Client().get(link).content.decode()


def test_the_kit_list_shows_each_kits_state(editor_client, kit_page, editor):
    other = TestKit()
    services.save_draft(kit=other, by=editor, fields={"name": "Sarcofocus", "slug": "sarcofocus", "description": "x"})
    text = visible_text(editor_client.get(reverse("admin:tumours_testkit_changelist")).content.decode())
    assert "Oncofocus Live" in text and "Sarcofocus Not published · Draft" in text
    live_only = editor_client.get(reverse("admin:tumours_testkit_changelist"), {"state": "live"}).content.decode()
    assert "Sarcofocus" not in visible_text(live_only)


@pytest.mark.parametrize("view", ["change", "history", "review"])
def test_kit_editorial_screens_cost_a_fixed_number_of_queries(editor_client, editor, kit_page, view,
                                                              django_assert_max_num_queries):  # fmt: skip
    for n in range(5):
        services.save_draft(kit=kit_page, by=editor, fields={"description": f"Version {n}."})
    with django_assert_max_num_queries(25):
        assert editor_client.get(url(view, kit_page)).status_code == 200


def test_kit_pages_due_for_review_are_listed_and_reviewers_reminded(editor_client, reviewer, kit_page):
    TestKit.objects.filter(pk=kit_page.pk).update(next_review_due=timezone.localdate() - datetime.timedelta(days=3))
    text = visible_text(editor_client.get(reverse("admin:tumours_tumour_review_due")).content.decode())
    heading = f"Test kit pages overdue or due within {REVIEW_WARNING_DAYS} days"
    assert f"{heading} Page Status Last reviewed Next review due Reviewed by Oncofocus Published" in text
    mail.outbox.clear()
    call_command("send_review_reminders")
    (message,) = mail.outbox
    assert "- Oncofocus (test kit page, Published): overdue since" in message.body
    assert f"/admin/tumours/testkit/{kit_page.pk}/change/" in message.body
