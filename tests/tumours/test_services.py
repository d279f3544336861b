"""The editorial rules hold when the admin is bypassed: every call here is what a shell, a script or a management
command would make, and each refusal is the one the admin shows."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from tests.factories import UserFactory
from tumours import services
from tumours.content import live_content
from tumours.editorial import Draft, EditorialEvent, PreviewLink, Revision
from tumours.models import Section, Tumour

LIVE_TEXT = "A rare tumour of connective tissue."


def public_html(tumour) -> str:
    response = Client().get(f"/tumours/{tumour.slug}/")
    assert response.status_code == 200
    return response.content.decode()


def kinds(tumour) -> list[str]:
    return list(EditorialEvent.objects.of(tumour).order_by("at", "pk").values_list("kind", flat=True))


# Drafts of live pages leave the live page alone.


def test_an_edit_to_a_live_page_waits_as_a_draft(live, editor):
    draft = services.save_draft(tumour=live, by=editor, fields={"summary": "A rare tumor of connective tissue."})
    assert draft.state == Draft.State.EDITING
    live.refresh_from_db()
    assert live.summary == LIVE_TEXT and live.is_public
    html = public_html(live)
    assert LIVE_TEXT in html and "tumor of" not in html
    assert Client().get("/tumours/angiosarcoma/request-test/").status_code == 404  # no kit: no form, as before


def test_sections_and_sources_change_only_in_the_draft(live, editor):
    rows = live_content(live)["sections"]
    rows[0]["body"] = "Blood vessels."  # no citation left, so the source may go
    rows[1]["body"] = "Surgery, then radiotherapy."
    rows.append({"heading": "Outlook", "body": "Varies."})
    services.save_draft(tumour=live, by=editor, sections=rows, sources=[])
    assert [s.body for s in live.sections.all()] == ["Blood vessels. [@wikipedia]", "Surgery first. [@wikipedia]"]
    assert live.sources.count() == 1
    content = services.draft_of(live).revision.content
    assert [s["heading"] for s in content["sections"]] == ["Location", "Treatment", "Outlook"]
    assert content["sources"] == []


def test_an_untouched_save_records_nothing(live, editor):
    content = live_content(live)
    assert services.save_draft(tumour=live, by=editor, fields=content["fields"], sections=content["sections"]) is None
    assert Draft.objects.count() == 0
    draft = services.save_draft(tumour=live, by=editor, fields={"summary": "Changed."})
    revisions = Revision.objects.count()
    again = services.save_draft(
        tumour=live, by=editor, fields={"summary": "Changed.\r\n"}, sections=content["sections"]
    )
    assert again.revision_id == draft.revision_id
    assert Revision.objects.count() == revisions


def test_browser_line_endings_are_not_a_change(live, editor):
    live_sections = live_content(live)["sections"]
    crlf = [{**row, "body": row["body"].replace("\n", "\r\n") + "\r\n"} for row in live_sections]
    assert services.save_draft(tumour=live, by=editor, sections=crlf) is None


def test_a_new_page_is_created_as_a_draft_that_the_public_cannot_see(editor, client):
    tumour = Tumour()
    fields = {"name": "Chordoma", "slug": "chordoma", "summary": "x"}
    draft = services.save_draft(tumour=tumour, by=editor, fields=fields)
    assert tumour.pk and tumour.status == Tumour.Status.DRAFT
    assert draft.page == tumour
    assert client.get("/tumours/chordoma/").status_code == 404
    assert kinds(tumour) == ["created"]


def test_bad_content_is_refused_with_field_messages_and_nothing_is_stored(live, editor):
    with pytest.raises(ValidationError) as refused:
        services.save_draft(
            tumour=live,
            by=editor,
            fields={"slug": "not a slug!", "name": ""},
            sections=[{"heading": "", "body": "Text."}],
            sources=[{"title": "A source", "url": "not a url"}],
        )
    errors = refused.value.message_dict
    assert set(errors) >= {"slug", "name", "sections", "sources"}
    assert any("Section 1" in message and "heading" in message for message in errors["sections"])
    assert any("Source 1" in message and "URL" in message for message in errors["sources"])
    assert Draft.objects.count() == 0 and Revision.objects.of(live).count() == 1


def test_only_staff_with_change_permission_may_save(live, sales, db):
    for user in (sales, UserFactory(username="nobody", is_staff=False)):
        with pytest.raises(PermissionDenied):
            services.save_draft(tumour=live, by=user, fields={"summary": "Defaced."})
    with pytest.raises(PermissionDenied):
        services.save_draft(tumour=Tumour(), by=sales, fields={"name": "New", "slug": "new", "summary": "x"})
    assert Draft.objects.count() == 0


def test_a_stale_save_is_refused_naming_who_changed_the_draft(live, editor, db):
    colleague = UserFactory(username="priya", first_name="Priya", last_name="Shah", groups=["Clinical editors"])
    opened = services.edit_token(live, services.draft_of(live))
    services.save_draft(tumour=live, by=colleague, fields={"summary": "Priya's correction."}, based_on=opened)
    with pytest.raises(ValidationError) as refused:
        services.save_draft(tumour=live, by=editor, fields={"summary": "Mine."}, based_on=opened)
    assert "This page was changed by Priya Shah on" in refused.value.messages[0]
    assert services.draft_of(live).revision.content["fields"]["summary"] == "Priya's correction."


# Review: submit, withdraw, request changes, approve.


def test_submitting_needs_a_draft_and_a_publishable_page(live, editor, draft):
    with pytest.raises(ValidationError, match="There is no draft to submit"):
        services.submit_for_review(tumour=live, by=editor)
    services.save_draft(tumour=draft, by=editor, sections=[], sources=[])
    with pytest.raises(ValidationError) as refused:
        services.submit_for_review(tumour=draft, by=editor)
    assert refused.value.message_dict == {
        "sections": ["A published page needs at least one section."],
        "sources": ["A published page needs at least one source."],
    }
    assert services.draft_of(draft).state == Draft.State.EDITING


def test_a_draft_awaiting_review_is_read_only_until_withdrawn(draft, editor):
    services.submit_for_review(tumour=draft, by=editor)
    with pytest.raises(ValidationError, match="awaiting review"):
        services.save_draft(tumour=draft, by=editor, fields={"summary": "Sneaked in."})
    services.withdraw(tumour=draft, by=editor)
    assert services.save_draft(tumour=draft, by=editor, fields={"summary": "Fixed."}).state == Draft.State.EDITING
    assert kinds(draft) == ["created", "submitted", "withdrawn"]


def test_only_reviewers_approve_or_send_back(draft, editor, sales):
    services.submit_for_review(tumour=draft, by=editor)
    for user in (editor, sales):
        with pytest.raises(PermissionDenied):
            services.approve(tumour=draft, by=user)
        with pytest.raises(PermissionDenied):
            services.request_changes(tumour=draft, by=user, comment="No.")
    assert services.draft_of(draft).state == Draft.State.IN_REVIEW


def test_four_eyes_the_last_editor_may_not_approve(live, reviewer, second_reviewer):
    services.save_draft(tumour=live, by=reviewer, fields={"summary": "Reviewer's own edit."})
    services.submit_for_review(tumour=live, by=reviewer)
    with pytest.raises(PermissionDenied, match="another clinical reviewer must approve it"):
        services.approve(tumour=live, by=reviewer)
    live.refresh_from_db()
    assert live.summary == LIVE_TEXT
    assert services.approve(tumour=live, by=second_reviewer) is None
    live.refresh_from_db()
    assert live.summary == "Reviewer's own edit."


def test_a_reviewer_cannot_create_and_publish_a_page_alone(reviewer):
    tumour = Tumour()
    services.save_draft(
        tumour=tumour,
        by=reviewer,
        fields={"name": "Chordoma", "slug": "chordoma", "summary": "x"},
        sections=[{"heading": "Treatment", "body": "Surgery."}],
        sources=[{"title": "Chordoma", "url": "https://example.org/chordoma"}],
    )
    services.submit_for_review(tumour=tumour, by=reviewer)
    with pytest.raises(PermissionDenied):
        services.approve(tumour=tumour, by=reviewer)
    assert not Tumour.objects.published().exists()


def test_with_four_eyes_off_a_self_approval_is_marked(live, reviewer, settings):
    settings.EDITORIAL_FOUR_EYES = False
    services.save_draft(tumour=live, by=reviewer, fields={"summary": "Typo fixed."})
    services.submit_for_review(tumour=live, by=reviewer)
    services.approve(tumour=live, by=reviewer, clinical_review=False)
    live.refresh_from_db()
    assert live.summary == "Typo fixed."
    assert live.live_revision.self_approved is True
    approved = EditorialEvent.objects.of(live).get(kind="approved", revision=live.live_revision)
    assert "self-approved" in approved.comment


def test_a_clinical_review_needs_the_approvers_reviewer_profile(draft, editor, db):
    anonymous = UserFactory(username="noprofile", groups=["Clinical reviewers"])
    services.submit_for_review(tumour=draft, by=editor)
    with pytest.raises(ValidationError, match="reviewer profile"):
        services.approve(tumour=draft, by=anonymous)
    assert services.approve(tumour=draft, by=anonymous, clinical_review=False) is None


def test_request_changes_needs_a_comment_and_reopens_the_draft(draft, editor, reviewer):
    services.submit_for_review(tumour=draft, by=editor)
    with pytest.raises(ValidationError) as refused:
        services.request_changes(tumour=draft, by=reviewer, comment="  ")
    assert "comment" in refused.value.message_dict
    services.request_changes(tumour=draft, by=reviewer, comment="Cite a source for the 5–10% figure.")
    pending = services.draft_of(draft)
    assert pending.state == Draft.State.CHANGES_REQUESTED
    assert (pending.review_comment, pending.review_comment_by) == ("Cite a source for the 5–10% figure.", reviewer)
    assert services.save_draft(tumour=draft, by=editor, fields={"summary": "Fixed."}).is_editable


def test_approving_now_puts_the_draft_live_and_ends_it(live, editor, reviewer):
    services.save_draft(tumour=live, by=editor, fields={"name": "Angiosarcoma (AS)"})
    services.submit_for_review(tumour=live, by=editor)
    services.approve(tumour=live, by=reviewer)
    live.refresh_from_db()
    assert live.name == "Angiosarcoma (AS)" and services.draft_of(live) is None
    assert live.live_revision.went_live_at is not None and live.live_revision.approved_by == reviewer
    assert "Angiosarcoma (AS)" in public_html(live)
    assert kinds(live)[-3:] == ["submitted", "approved", "went_live"]


def test_approval_keeps_section_rows_so_their_anchors_stay(live, editor, reviewer):
    before = list(live.sections.values_list("pk", flat=True))
    rows = live_content(live)["sections"]
    rows[0]["body"] = "Blood vessels and lymph vessels. [@wikipedia]"
    new = {"heading": "New", "body": "New. [@wikipedia]"}
    services.save_draft(tumour=live, by=editor, sections=[rows[1], rows[0], new])
    services.submit_for_review(tumour=live, by=editor)
    services.approve(tumour=live, by=reviewer)
    after = list(live.sections.values_list("pk", "heading", "position"))
    assert after[:2] == [(before[1], "Treatment", 1), (before[0], "Location", 2)]
    assert after[2][1:] == ("New", 3)
    assert Section.objects.get(pk=before[0]).body == "Blood vessels and lymph vessels. [@wikipedia]"


def test_a_draft_the_same_as_the_live_page_cannot_be_submitted(live, editor):
    services.save_draft(tumour=live, by=editor, fields={"summary": "Changed."})
    services.save_draft(tumour=live, by=editor, fields={"summary": LIVE_TEXT})
    with pytest.raises(ValidationError, match="same as the live page"):
        services.submit_for_review(tumour=live, by=editor)


# Scheduled changes.


def test_a_scheduled_change_keeps_the_live_page_until_its_time(live, editor, reviewer):
    services.save_draft(tumour=live, by=editor, fields={"summary": "From Monday."})
    services.submit_for_review(tumour=live, by=editor)
    at = timezone.now() + datetime.timedelta(hours=2)
    draft = services.approve(tumour=live, by=reviewer, go_live_at=at)
    assert draft.state == Draft.State.SCHEDULED and draft.go_live_at == at
    assert services.publish_due_changes() == 0
    assert LIVE_TEXT in public_html(live)
    assert services.publish_due_changes(now=at + datetime.timedelta(seconds=1)) == 1
    live.refresh_from_db()
    assert live.summary == "From Monday." and live.published_at == at
    assert services.publish_due_changes(now=at + datetime.timedelta(seconds=2)) == 0


def test_a_scheduled_draft_is_read_only_and_withdrawing_cancels_it(live, editor, reviewer):
    services.save_draft(tumour=live, by=editor, fields={"summary": "Later."})
    services.submit_for_review(tumour=live, by=editor)
    services.approve(tumour=live, by=reviewer, go_live_at=timezone.now() + datetime.timedelta(days=1))
    with pytest.raises(ValidationError):
        services.save_draft(tumour=live, by=editor, fields={"summary": "Sneaked in after approval."})
    draft = services.withdraw(tumour=live, by=editor)
    assert (draft.state, draft.go_live_at, draft.approved_by) == (Draft.State.EDITING, None, None)
    assert draft.revision.approved_by is None
    assert services.publish_due_changes(now=timezone.now() + datetime.timedelta(days=2)) == 0


# Taking a page offline.


def test_unpublishing_is_a_reviewers_deliberate_recorded_act(live, editor, reviewer, client):
    with pytest.raises(PermissionDenied):
        services.unpublish(tumour=live, by=editor, reason="Wrong.")
    with pytest.raises(ValidationError) as refused:
        services.unpublish(tumour=live, by=reviewer, reason="")
    assert "reason" in refused.value.message_dict
    services.unpublish(tumour=live, by=reviewer, reason="A figure is under correction.")
    assert client.get("/tumours/angiosarcoma/").status_code == 404
    event = EditorialEvent.objects.of(live).first()
    assert (event.kind, event.by, event.comment) == ("unpublished", reviewer, "A figure is under correction.")


def test_an_unpublished_page_comes_back_only_through_approval(live, editor, reviewer, second_reviewer, client):
    services.unpublish(tumour=live, by=reviewer, reason="Under correction.")
    services.save_draft(tumour=live, by=editor, fields={"summary": "Corrected."})
    services.submit_for_review(tumour=live, by=editor)
    services.approve(tumour=live, by=second_reviewer)
    assert "Corrected." in public_html(live)


# History.


def test_restoring_makes_a_draft_and_the_live_page_waits_for_review(live, editor, reviewer, second_reviewer):
    first = live.live_revision
    services.save_draft(tumour=live, by=editor, fields={"summary": "Vandalised."})
    services.submit_for_review(tumour=live, by=editor)
    services.approve(tumour=live, by=reviewer)
    draft = services.restore_version(tumour=live, version_id=first.pk, by=reviewer)
    assert draft.revision.content["fields"]["summary"] == LIVE_TEXT
    assert "Restored the version saved on" in draft.revision.comment
    live.refresh_from_db()
    assert live.summary == "Vandalised."
    services.submit_for_review(tumour=live, by=reviewer)
    with pytest.raises(PermissionDenied):
        services.approve(tumour=live, by=reviewer)  # their own restore
    services.approve(tumour=live, by=second_reviewer)
    live.refresh_from_db()
    assert live.summary == LIVE_TEXT
    assert "restored" in kinds(live)


def test_a_restore_touches_only_its_own_page(live, editor, demo_tumour):
    other_version = demo_tumour.live_revision
    with pytest.raises(ValidationError, match="No such version of this page"):
        services.restore_version(tumour=live, version_id=other_version.pk, by=editor)
    assert services.draft_of(live) is None and services.draft_of(demo_tumour) is None


# Sharing a draft outside the company.


def test_a_preview_link_shows_the_draft_to_anyone_until_revoked(live, editor, reviewer, client):
    services.save_draft(tumour=live, by=editor, fields={"summary": "Proposed wording."})
    with pytest.raises(PermissionDenied):
        services.create_preview_link(tumour=live, by=editor)
    path = services.create_preview_link(tumour=live, by=reviewer)
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Proposed wording." in html and "Draft preview, not published" in html
    assert {"private", "no-store"} <= {d.strip() for d in response["Cache-Control"].split(",")}
    assert response["X-Robots-Tag"] == "noindex" and '<meta name="robots" content="noindex">' in html
    assert "/admin/" not in html  # read-only: no way into the admin from here
    assert services.revoke_preview_links(tumour=live, by=reviewer) == 1
    assert client.get(path).status_code == 404


def test_a_preview_link_expires_ends_with_approval_and_cannot_be_forged(live, editor, reviewer, second_reviewer,
                                                                         client):  # fmt: skip
    services.save_draft(tumour=live, by=editor, fields={"summary": "Proposed."})
    path = services.create_preview_link(tumour=live, by=reviewer, days=1)
    assert client.get(path[:-3] + "xx/").status_code == 404  # an altered token fails its signature
    PreviewLink.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get(path).status_code == 404
    fresh = services.create_preview_link(tumour=live, by=reviewer)
    services.submit_for_review(tumour=live, by=editor)
    services.approve(tumour=live, by=second_reviewer)
    assert client.get(fresh).status_code == 404
    with pytest.raises(ValidationError):
        services.create_preview_link(tumour=live, by=reviewer, days=31)
