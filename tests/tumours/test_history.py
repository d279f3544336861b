"""Versions of a page and its sections: listed, compared, restored; and no silent overwrite between editors."""

from django.test import Client
from django.urls import reverse
from reversion.models import Revision, Version

from tests.admin_forms import change_form, read_form
from tests.factories import UserFactory
from tumours.models import Section, Tumour


def change_url(tumour):
    return reverse("admin:tumours_tumour_change", args=[tumour.pk])


def save(client, tumour, **changes):
    data = change_form(client, tumour)
    data.update(changes)
    response = client.post(change_url(tumour), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return response


def versions(tumour):
    return Version.objects.get_for_object(tumour)


def test_each_admin_save_is_one_version_of_the_page_and_all_its_sections(editor_client, editor, draft):
    save(editor_client, draft, **{"sections-0-body": "Blood vessels and lymph vessels."})
    save(editor_client, draft, summary="A rare cancer of the vessel lining.")
    assert versions(draft).count() == 2
    revision = versions(draft).first().revision
    assert revision.user == editor
    saved = {(v.content_type.model, v.field_dict.get("body")) for v in revision.version_set.all()}
    assert ("section", "Blood vessels and lymph vessels.") in saved
    assert ("section", "Surgery first.") in saved
    assert revision.version_set.filter(content_type__model="source").count() == 1
    assert Revision.objects.count() == 2


def test_history_lists_versions_with_who_and_links_to_compare(editor_client, draft):
    save(editor_client, draft, summary="Second text.")
    response = editor_client.get(reverse("admin:tumours_tumour_history", args=[draft.pk]))
    html = response.content.decode()
    assert "editor" in html
    version = versions(draft).first()
    revision_url = reverse("admin:tumours_tumour_revision", args=[draft.pk, version.pk])
    assert revision_url in html
    followed = editor_client.get(revision_url)
    assert followed.status_code == 302
    assert followed["Location"] == reverse("admin:tumours_tumour_compare", args=[draft.pk, version.pk])


def test_compare_shows_a_readable_diff_of_page_and_sections(editor_client, draft):
    save(editor_client, draft)  # version 1: as created
    first = versions(draft).first()
    save(editor_client, draft, summary="Rewritten summary.", **{"sections-1-body": "Surgery, then radiotherapy."})
    response = editor_client.get(reverse("admin:tumours_tumour_compare", args=[draft.pk, first.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<del>− A rare tumour of connective tissue.</del>" in html
    assert "<ins>+ Rewritten summary.</ins>" in html
    assert "<del>− Surgery first.</del>" in html
    assert "<ins>+ Surgery, then radiotherapy.</ins>" in html
    assert "Restore this version" in html


def test_restore_brings_back_page_and_sections_together_in_one_step(editor_client, editor, draft):
    save(editor_client, draft)
    first = versions(draft).first()
    data = change_form(editor_client, draft)
    data.update({"summary": "Vandalised.", "sections-0-DELETE": "on", "sections-1-heading": "Therapy"})
    data.update({"sections-TOTAL_FORMS": "3", "sections-2-position": "9", "sections-2-heading": "Extra"})
    data["sections-2-body"] = "Added later."
    assert editor_client.post(change_url(draft), data).status_code == 302
    assert sorted(draft.sections.values_list("heading", flat=True)) == ["Extra", "Therapy"]

    compare_url = reverse("admin:tumours_tumour_compare", args=[draft.pk, first.pk])
    form = read_form(editor_client.get(compare_url).content.decode(), form_id="restore-form")
    response = editor_client.post(compare_url, form)
    assert response.status_code == 302
    assert response["Location"] == change_url(draft)

    draft.refresh_from_db()
    assert draft.summary == "A rare tumour of connective tissue."
    assert [(s.heading, s.body) for s in draft.sections.all()] == [
        ("Location", "Blood vessels."),
        ("Treatment", "Surgery first."),
    ]
    assert not Section.objects.filter(heading="Extra").exists()
    assert draft.status == "draft"
    latest = versions(draft).first()
    assert latest.revision.user == editor
    assert "Restored the version saved on" in latest.revision.get_comment()
    assert versions(draft).count() == 3


def test_restore_never_publishes_or_unpublishes(reviewer_client, draft):
    save(reviewer_client, draft, status="in_review")
    in_review = versions(draft).first()
    save(reviewer_client, draft, status="published")
    reviewer_client.post(reverse("admin:tumours_tumour_compare", args=[draft.pk, in_review.pk]))
    draft.refresh_from_db()
    assert draft.status == "published"


def test_editor_cannot_restore_a_published_page(editor_client, reviewer_client, draft):
    save(reviewer_client, draft, status="in_review")
    version = versions(draft).first()
    save(reviewer_client, draft, status="published", summary="Signed-off text.")
    compare_url = reverse("admin:tumours_tumour_compare", args=[draft.pk, version.pk])
    assert "Restore this version" not in editor_client.get(compare_url).content.decode()
    assert editor_client.post(compare_url).status_code == 403
    draft.refresh_from_db()
    assert draft.summary == "Signed-off text."


def test_a_stale_save_is_refused_naming_who_changed_it_and_keeps_the_text(editor_client, draft):
    colleague = UserFactory(username="priya", first_name="Priya", last_name="Shah", groups=["Clinical editors"])
    other = Client()
    other.force_login(colleague)
    mine = change_form(editor_client, draft)  # I open the form ...
    save(other, draft, summary="Priya's correction.")  # ... Priya saves first
    mine["summary"] = "My long rewrite that must not be lost."
    mine["sections-0-body"] = "My edited section."
    response = editor_client.post(change_url(draft), mine)
    assert response.status_code == 200
    html = response.content.decode()
    assert "This page was changed by Priya Shah on" in html
    assert "My long rewrite that must not be lost." in html
    assert "My edited section." in html
    draft.refresh_from_db()
    assert draft.summary == "Priya's correction."
    assert draft.sections.get(heading="Location").body == "Blood vessels."


def test_a_fresh_form_saves_after_a_colleague_change(editor_client, draft):
    save(editor_client, draft, summary="First.")
    save(editor_client, draft, summary="Second.")  # reopened form: a new token
    assert Tumour.objects.get(pk=draft.pk).summary == "Second."


def test_restore_is_refused_when_the_old_slug_now_belongs_to_another_page(editor_client, draft):
    save(editor_client, draft)
    first = versions(draft).first()
    save(editor_client, draft, slug="angiosarcoma-renamed")
    from tests.factories import TumourFactory

    TumourFactory(slug="angiosarcoma", status="draft", published_at=None)
    compare_url = reverse("admin:tumours_tumour_compare", args=[draft.pk, first.pk])
    response = editor_client.post(compare_url, follow=True)
    assert "Cannot restore: the address “angiosarcoma” now belongs to" in response.content.decode()
    draft.refresh_from_db()
    assert draft.slug == "angiosarcoma-renamed"


def test_restore_is_refused_when_the_old_slug_is_another_pages_old_address(editor_client, draft):
    from tests.factories import TumourFactory

    save(editor_client, draft)
    first = versions(draft).first()
    save(editor_client, draft, slug="angiosarcoma-renamed")
    other = TumourFactory(name="Other", slug="angiosarcoma")
    other.slug = "other"
    other.save()  # "angiosarcoma" is now Other's old address, redirecting there
    response = editor_client.post(reverse("admin:tumours_tumour_compare", args=[draft.pk, first.pk]), follow=True)
    assert "Cannot restore: the address “angiosarcoma” now belongs to “Other”." in response.content.decode()
    draft.refresh_from_db()
    assert draft.slug == "angiosarcoma-renamed"


def test_browser_line_endings_are_stored_as_in_the_history(editor_client, draft):
    save(editor_client, draft, summary="First line.\r\n\r\nSecond line.", **{"sections-0-body": "One.\r\nTwo."})
    draft.refresh_from_db()
    assert draft.summary == "First line.\n\nSecond line."
    assert draft.sections.get(heading="Location").body == "One.\nTwo."


def test_a_source_changed_on_its_own_admin_page_makes_a_version_of_its_page(editor_client, editor, draft):
    from tests.admin_forms import read_form

    source = draft.sources.get()
    url = reverse("admin:tumours_source_change", args=[source.pk])
    data = read_form(editor_client.get(url).content.decode(), form_id="source_form")
    data["title"] = "Leiomyosarcoma (revised)"
    assert editor_client.post(url, data).status_code == 302
    latest = versions(draft).first()
    assert latest.revision.user == editor
    titles = [v.field_dict["title"] for v in latest.revision.version_set.all() if v.content_type.model == "source"]
    assert titles == ["Leiomyosarcoma (revised)"]
    assert latest.revision.version_set.filter(content_type__model="section").count() == 2


def test_only_superusers_may_recover_deleted_pages(editor_client):
    assert editor_client.get(reverse("admin:tumours_tumour_recoverlist")).status_code == 403
    assert editor_client.get(reverse("admin:tumours_source_recoverlist")).status_code == 403
