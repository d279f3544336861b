"""A kit's page (its description, shown in every kit box, and its sections) follows the rules of a tumour page:
each call here is what a shell, a script or a command would make, past the admin."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from tests.factories import TestKitFactory
from tests.tumours.conftest import KIT_SECTIONS
from tests.tumours.test_public_pages import visible_text
from tumours import services
from tumours.content import live_content
from tumours.diff import page_diff
from tumours.editorial import Draft, EditorialEvent, Revision
from tumours.models import KitSection, TestKit
from tumours.page_kinds import KIT

SEED_DESCRIPTION = "The most comprehensive precision oncology test."


def kit_box(tumour) -> str:
    text = visible_text(Client().get(tumour.get_absolute_url()).content.decode())
    return text[text.index("Test Kit is available") : text.index("Request a test")]


def kinds(kit) -> list[str]:
    return list(EditorialEvent.objects.of(kit).order_by("at", "pk").values_list("kind", flat=True))


def test_an_editors_change_to_the_description_waits_as_a_draft(kit, offering_page, editor, client):
    draft = services.save_draft(kit=kit, by=editor, fields={"description": "A defaced description."})
    assert draft.state == Draft.State.EDITING and draft.page == kit
    assert TestKit.objects.get().description == SEED_DESCRIPTION
    assert SEED_DESCRIPTION in kit_box(offering_page) and "defaced" not in kit_box(offering_page)
    assert client.get("/tests/oncofocus/").status_code == 404  # the page itself was never approved


def test_approval_by_a_second_person_puts_the_page_and_the_kit_box_live(kit, offering_page, editor, reviewer, client):
    services.save_draft(kit=kit, by=editor, fields={"description": "Profiles the tumour."}, sections=KIT_SECTIONS)
    services.submit_for_review(kit=kit, by=editor)
    assert client.get("/tests/oncofocus/").status_code == 404
    assert services.approve(kit=kit, by=reviewer) is None
    kit.refresh_from_db()
    assert kit.is_public and kit.description == "Profiles the tumour."
    assert kit.reviewed_by == "Dr Helen Marsh, Consultant Medical Oncologist"
    assert kit.last_reviewed_on == timezone.localdate() and kit.reviewer == reviewer
    assert [s.heading for s in kit.sections.all()] == ["How it works", "The sample we need"]
    text = visible_text(client.get("/tests/oncofocus/").content.decode())
    assert "Profiles the tumour. How it works A sample of the tumour" in text
    assert "Profiles the tumour." in kit_box(offering_page)
    assert kinds(kit) == ["submitted", "approved", "went_live"]
    assert services.draft_of(kit) is None and kit.live_revision.went_live_at


def test_only_editors_and_reviewers_draft_and_only_reviewers_approve(kit, editor, sales, reviewer, second_reviewer):
    with pytest.raises(PermissionDenied, match="You may not edit test kit pages."):
        services.save_draft(kit=kit, by=sales, fields={"description": "Sales copy."})
    services.save_draft(kit=kit, by=editor, fields={"description": "New."})
    services.submit_for_review(kit=kit, by=editor)
    with pytest.raises(PermissionDenied):
        services.approve(kit=kit, by=editor)
    with pytest.raises(PermissionDenied):
        services.request_changes(kit=kit, by=editor, comment="Mine.")
    assert services.approve(kit=kit, by=reviewer) is None


def test_four_eyes_the_last_editor_of_a_kit_page_may_not_approve(kit, reviewer, second_reviewer, settings):
    services.save_draft(kit=kit, by=reviewer, fields={"description": "My own change."})
    services.submit_for_review(kit=kit, by=reviewer)
    with pytest.raises(PermissionDenied, match="another clinical reviewer must approve"):
        services.approve(kit=kit, by=reviewer)
    assert TestKit.objects.get().description == SEED_DESCRIPTION
    services.approve(kit=kit, by=second_reviewer)
    assert TestKit.objects.get().description == "My own change."


def test_bad_kit_content_is_refused_with_field_messages_and_nothing_is_stored(kit, editor):
    TestKitFactory(name="Other test", slug="other-test")
    with pytest.raises(ValidationError) as caught:
        services.save_draft(
            kit=kit, by=editor, fields={"description": "  ", "slug": "other-test"}, sections=[{"heading": ""}]
        )
    errors = caught.value.message_dict
    assert "description" in errors and "slug" in errors
    assert any(message.startswith("Section 1, heading:") for message in errors["sections"])
    assert Draft.objects.count() == 0 and Revision.objects.of(kit).count() == 0


def test_a_kit_page_has_no_sources_and_a_page_is_named_once(kit, live, editor):
    with pytest.raises(TypeError):
        services.save_draft(kit=kit, by=editor, sources=[{"title": "A", "url": "https://example.org/"}])
    with pytest.raises(TypeError):
        services.save_draft(by=editor, fields={"description": "Which page?"})
    with pytest.raises(TypeError):
        services.save_draft(kit=kit, tumour=live, by=editor, fields={"description": "Both?"})
    with pytest.raises(TypeError):
        services.save_draft(kit=live, by=editor, fields={"summary": "A tumour given as a kit."})


def test_a_new_kit_is_named_by_its_draft_and_shows_nothing_until_approved(editor, reviewer, offering_page, client):
    kit = TestKit()
    services.save_draft(kit=kit, by=editor, fields={"name": "Sarcofocus", "slug": "sarcofocus", "description": "New."})
    assert kit.pk and (kit.name, kit.slug, kit.description) == ("Sarcofocus", "sarcofocus", "")
    assert kinds(kit) == ["created"]
    assert client.get("/tests/sarcofocus/").status_code == 404
    # A kit that exists is renamed only by an approval: its name shows in every kit box that offers it.
    services.save_draft(kit=kit, by=editor, fields={"name": "Sarcofocus Plus"})
    assert TestKit.objects.get(pk=kit.pk).name == "Sarcofocus"
    services.submit_for_review(kit=kit, by=editor)
    services.approve(kit=kit, by=reviewer)
    assert TestKit.objects.get(pk=kit.pk).name == "Sarcofocus Plus"
    assert client.get("/tests/sarcofocus/").status_code == 200


def test_a_published_kit_page_keeps_its_address(kit_page, editor):
    with pytest.raises(ValidationError) as caught:
        services.save_draft(kit=kit_page, by=editor, fields={"slug": "oncofocus-2"})
    assert "/tests/oncofocus/" in caught.value.message_dict["slug"][0]


def test_an_untouched_save_of_a_kit_page_records_nothing(kit_page, editor):
    content = live_content(kit_page)
    assert services.save_draft(kit=kit_page, by=editor, fields=content["fields"], sections=content["sections"]) is None
    crlf = [{**row, "body": row["body"] + "\r\n"} for row in content["sections"]]
    assert services.save_draft(kit=kit_page, by=editor, sections=crlf) is None
    assert Draft.objects.count() == 0


def test_approval_keeps_kit_section_rows_and_only_this_kits_rows(kit_page, editor, reviewer, second_reviewer):
    other = TestKitFactory(name="Other test", slug="other-test")
    other_section = KitSection.objects.create(kit=other, heading="Theirs", body="Not yours.", position=1)
    ids = [s.pk for s in kit_page.sections.all()]
    rows = live_content(kit_page)["sections"]
    rows.reverse()
    rows.append({"id": other_section.pk, "heading": "Copied", "body": "From another kit's draft."})
    services.save_draft(kit=kit_page, by=editor, sections=rows)
    services.submit_for_review(kit=kit_page, by=editor)
    services.approve(kit=kit_page, by=second_reviewer)
    assert [s.pk for s in kit_page.sections.all()][:2] == ids[::-1]
    assert KitSection.objects.get(pk=other_section.pk).body == "Not yours."


def test_a_scheduled_kit_change_keeps_the_live_page_until_its_time(kit_page, editor, reviewer, client):
    at = timezone.now() + datetime.timedelta(hours=1)
    services.save_draft(kit=kit_page, by=editor, fields={"description": "From the scheduled time."})
    services.submit_for_review(kit=kit_page, by=editor)
    draft = services.approve(kit=kit_page, by=reviewer, go_live_at=at)
    assert draft.state == Draft.State.SCHEDULED
    assert "From the scheduled time." not in client.get("/tests/oncofocus/").content.decode()
    assert services.next_scheduled_change() == at
    assert services.publish_due_changes(now=at) == 1
    assert TestKit.objects.get().description == "From the scheduled time."


def test_unpublishing_a_kit_page_keeps_its_kit_box(kit_page, offering_page, reviewer, editor, client):
    with pytest.raises(PermissionDenied):
        services.unpublish(kit=kit_page, by=editor, reason="No.")
    with pytest.raises(ValidationError):
        services.unpublish(kit=kit_page, by=reviewer, reason=" ")
    services.unpublish(kit=kit_page, by=reviewer, reason="Being rewritten.")
    assert client.get("/tests/oncofocus/").status_code == 404
    html = client.get(offering_page.get_absolute_url()).content.decode()
    assert SEED_DESCRIPTION in html and 'href="/tests/oncofocus/"' not in html
    assert "Request a test" in html
    assert EditorialEvent.objects.of(kit_page).first().comment == "Being rewritten."


def test_restoring_an_old_kit_version_makes_a_draft(kit_page, editor, reviewer, second_reviewer):
    first = kit_page.live_revision
    services.save_draft(kit=kit_page, by=editor, fields={"description": "Second wording."})
    services.submit_for_review(kit=kit_page, by=editor)
    services.approve(kit=kit_page, by=reviewer)
    draft = services.restore_version(kit=kit_page, version_id=first.pk, by=editor)
    assert draft.revision.content["fields"]["description"] == SEED_DESCRIPTION
    assert TestKit.objects.get().description == "Second wording."
    with pytest.raises(ValidationError, match="No such version"):
        services.restore_version(kit=kit_page, version_id=999999, by=editor)


def test_a_kit_preview_link_shows_the_draft_until_revoked(kit_page, editor, reviewer, client):
    services.save_draft(kit=kit_page, by=editor, fields={"description": "Not yet public."})
    path = services.create_preview_link(kit=kit_page, by=reviewer)
    response = client.get(path)
    assert response.status_code == 200 and "Not yet public." in response.content.decode()
    assert "Draft preview, not published" in response.content.decode()
    assert "no-store" in response["Cache-Control"] and response["X-Robots-Tag"] == "noindex"
    assert services.revoke_preview_links(kit=kit_page, by=reviewer) == 1
    assert client.get(path).status_code == 404


def test_kit_drafts_tell_reviewers_and_editors_by_email(kit, editor, reviewer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.save_draft(kit=kit, by=editor, fields={"description": "New."})
        services.submit_for_review(kit=kit, by=editor)
    assert [m.subject for m in mail.outbox] == ["Oncosite: the test kit page “Oncofocus” is awaiting your review"]
    assert f"/admin/tumours/testkit/{kit.pk}/review/" in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        services.request_changes(kit=kit, by=reviewer, comment="Say what the sample is.")
    assert mail.outbox[-1].to == [editor.email] and "Say what the sample is." in mail.outbox[-1].body


def test_the_diff_of_a_kit_page_names_its_fields_and_sections(kit_page):
    old = live_content(kit_page)
    new = {**old, "fields": {**old["fields"], "description": old["fields"]["description"].replace("most", "more")}}
    new["sections"] = [*old["sections"], {"id": None, "heading": "How long it takes", "body": "About two weeks."}]
    changes = {change.label: change for change in page_diff(old, new, KIT)}
    assert [(p.op, p.text) for p in changes["Description"].parts if p.op != "="] == [("-", "most"), ("+", "more")]
    assert changes["Section 3: How long it takes"].kind == "added"
