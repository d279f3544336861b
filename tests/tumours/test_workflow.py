"""Draft → in review → published, who may do each step, and what a page needs before it goes out."""

from unittest import mock

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from tests.admin_forms import change_form, read_form
from tests.factories import TumourFactory, UserFactory
from tumours.models import StatusChange, Tumour


def change_url(tumour):
    return reverse("admin:tumours_tumour_change", args=[tumour.pk])


def save_status(client, tumour, status, **changes):
    data = change_form(client, tumour)
    data.update(status=status, **changes)
    return client.post(change_url(tumour), data)


def test_clinical_reviewers_hold_the_publish_permission_and_editors_do_not(db):
    reviewers = set(Group.objects.get(name="Clinical reviewers").permissions.values_list("codename", flat=True))
    editors = set(Group.objects.get(name="Clinical editors").permissions.values_list("codename", flat=True))
    assert "publish_tumour" in reviewers
    assert editors < reviewers  # reviewers can do everything editors can
    assert "publish_tumour" not in editors


def test_editor_submits_for_review_but_cannot_publish(editor_client, editor, draft):
    response = save_status(editor_client, draft, "in_review")
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "in_review"

    response = save_status(editor_client, draft, "published")
    assert response.status_code == 200
    assert "Only clinical reviewers can publish a page" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == "in_review"
    assert editor_client.get("/tumours/angiosarcoma/").status_code == 200  # the editor may still preview it
    change = StatusChange.objects.get(tumour=draft)
    assert (change.from_status, change.to_status, change.changed_by) == ("draft", "in_review", editor)


def test_reviewer_publishes_and_every_step_is_shown_with_who_and_when(editor_client, reviewer_client, draft, client):
    save_status(editor_client, draft, "in_review")
    response = save_status(reviewer_client, draft, "published")
    assert response.status_code == 302, response.content.decode()[:3000]
    draft.refresh_from_db()
    assert draft.status == "published" and draft.published_at is not None
    assert list(StatusChange.objects.filter(tumour=draft).values_list("to_status", "changed_by__username")) == [
        ("published", "reviewer"),
        ("in_review", "editor"),
    ]
    html = reviewer_client.get(change_url(draft)).content.decode()
    assert "In review → Published by reviewer on" in html
    assert "Draft → In review by editor on" in html
    client.logout()
    assert client.get("/tumours/angiosarcoma/").status_code == 200


def test_superuser_can_publish(client, draft):
    client.force_login(UserFactory(username="root", is_superuser=True))
    save_status(client, draft, "in_review")
    assert save_status(client, draft, "published").status_code == 302
    draft.refresh_from_db()
    assert draft.status == "published"


def test_publishing_must_go_through_review(reviewer_client, draft):
    response = save_status(reviewer_client, draft, "published")
    assert "A page that is Draft can only move to In review." in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_published_page_is_read_only_for_editors(editor_client, db):
    tumour = TumourFactory(name="Live page")
    html = editor_client.get(change_url(tumour)).content.decode()
    assert 'name="_save"' not in html
    response = editor_client.post(change_url(tumour), {"name": "Defaced"})
    assert response.status_code == 403
    tumour.refresh_from_db()
    assert tumour.name == "Live page"


def test_reviewer_unpublishes_back_to_draft(reviewer_client, client, draft):
    draft.status = "in_review"
    draft.save()
    save_status(reviewer_client, draft, "published")
    assert save_status(reviewer_client, draft, "draft").status_code == 302
    client.logout()
    assert client.get("/tumours/angiosarcoma/").status_code == 404


def test_publishing_an_incomplete_page_says_exactly_what_is_missing(reviewer_client, db):
    tumour = TumourFactory(name="Empty", slug="empty", status="in_review", published_at=None, summary="x")
    data = change_form(reviewer_client, tumour)
    data.update(status="published", summary="  ")
    response = reviewer_client.post(change_url(tumour), data)
    html = response.content.decode()
    for message in [
        "This field is required.",  # the summary, blank
        "A published page needs the date of its last clinical review.",
        "A published page needs the name and role of its clinical reviewer.",
        "A published page needs at least one section.",
        "A published page needs at least one source.",
    ]:
        assert message in html, message
    tumour.refresh_from_db()
    assert tumour.status == "in_review"


def test_deleting_the_last_section_of_a_published_page_is_refused(reviewer_client, draft):
    draft.status = "in_review"
    draft.save()
    save_status(reviewer_client, draft, "published")
    data = change_form(reviewer_client, draft)
    data["sections-0-DELETE"] = "on"
    data["sections-1-DELETE"] = "on"
    response = reviewer_client.post(change_url(draft), data)
    assert "A published page needs at least one section." in response.content.decode()
    assert draft.sections.count() == 2


def test_new_page_cannot_start_published(editor_client, kit):
    response = editor_client.get(reverse("admin:tumours_tumour_add"))
    data = read_form(response.content.decode())
    data.update(name="Chondrosarcoma", slug="chondrosarcoma", summary="Cartilage.", status="published")
    response = editor_client.post(reverse("admin:tumours_tumour_add"), data)
    assert "A new page starts as Draft or In review" in response.content.decode()
    assert not Tumour.objects.filter(slug="chondrosarcoma").exists()


def test_scheduled_page_appears_at_its_time_without_any_job(client, db):
    go_live = timezone.now() + timezone.timedelta(hours=2)
    tumour = TumourFactory(published_at=go_live)
    assert client.get(tumour.get_absolute_url()).status_code == 404
    assert tumour not in Tumour.objects.published()
    with mock.patch("django.utils.timezone.now", return_value=go_live + timezone.timedelta(seconds=1)):
        assert client.get(tumour.get_absolute_url()).status_code == 200
        assert tumour in Tumour.objects.published()


@pytest.mark.parametrize("status", ["draft", "in_review"])
def test_editor_without_publish_permission_can_edit_unpublished_pages(editor_client, draft, status):
    draft.status = status
    draft.save()
    data = change_form(editor_client, draft)
    data["sections-0-body"] = "Blood vessels, edited."
    assert editor_client.post(change_url(draft), data).status_code == 302
    assert draft.sections.get(heading="Location").body == "Blood vessels, edited."
