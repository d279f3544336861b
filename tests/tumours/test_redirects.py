"""A page's old addresses keep working once it has been public; no two pages share an address."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.admin_forms import change_form
from tests.factories import TumourFactory
from tumours import services
from tumours.models import OldSlug, Tumour


def approve_slug(tumour, slug, editor, reviewer):
    services.save_draft(tumour=tumour, by=editor, fields={"slug": slug})
    services.submit_for_review(tumour=tumour, by=editor)
    services.approve(tumour=tumour, by=reviewer)
    tumour.refresh_from_db()


def rename_in_admin(client, tumour, slug):
    data = change_form(client, tumour)
    data["slug"] = slug
    return client.post(reverse("admin:tumours_tumour_change", args=[tumour.pk]), data)


def test_renamed_live_page_redirects_permanently_from_every_old_address(live, editor, reviewer, client):
    approve_slug(live, "angiosarcoma-of-the-skin", editor, reviewer)
    approve_slug(live, "cutaneous-angiosarcoma", editor, reviewer)
    for old in ("angiosarcoma", "angiosarcoma-of-the-skin"):
        response = client.get(f"/tumours/{old}/")
        assert response.status_code == 301
        assert response["Location"] == "/tumours/cutaneous-angiosarcoma/"
    assert client.get("/tumours/cutaneous-angiosarcoma/").status_code == 200


def test_a_new_address_waits_for_approval_like_any_change(live, editor_client, client):
    assert rename_in_admin(editor_client, live, "angiosarcoma-renamed").status_code == 302
    assert client.get("/tumours/angiosarcoma/").status_code == 200
    assert client.get("/tumours/angiosarcoma-renamed/").status_code == 404
    assert not OldSlug.objects.exists()


def test_a_slug_change_through_a_plain_save_is_remembered_too(client, db):
    tumour = TumourFactory(slug="old-name")
    tumour.slug = "new-name"
    tumour.save()
    assert client.get("/tumours/old-name/").status_code == 301


def test_renaming_back_drops_the_redirect_loop(live, editor, reviewer, client):
    approve_slug(live, "renamed", editor, reviewer)
    approve_slug(live, "angiosarcoma", editor, reviewer)
    assert list(OldSlug.objects.values_list("slug", flat=True)) == ["renamed"]
    assert client.get("/tumours/angiosarcoma/").status_code == 200
    assert client.get("/tumours/renamed/")["Location"] == "/tumours/angiosarcoma/"


def test_a_never_published_draft_takes_its_new_address_and_leaves_no_redirect(editor_client, client, draft):
    assert rename_in_admin(editor_client, draft, "angiosarcoma-draft").status_code == 302
    draft.refresh_from_db()
    assert draft.slug == "angiosarcoma-draft"  # its address is kept for it, though nobody sees it yet
    assert not OldSlug.objects.exists()
    assert client.get("/tumours/angiosarcoma/").status_code == 404


def test_old_address_of_an_unpublished_page_is_404_for_visitors(live, editor, reviewer, client):
    approve_slug(live, "second", editor, reviewer)
    services.unpublish(tumour=live, by=reviewer, reason="Being rewritten.")
    assert client.get("/tumours/angiosarcoma/").status_code == 404
    assert client.get("/tumours/second/").status_code == 404


def test_a_slug_that_is_another_pages_old_address_is_refused(editor_client, editor, db):
    moved = TumourFactory(name="Leiomyosarcoma", slug="lms")
    moved.slug = "leiomyosarcoma"
    moved.save()
    other = Tumour()
    services.save_draft(tumour=other, by=editor, fields={"name": "Other", "slug": "other", "summary": "x"})
    response = rename_in_admin(editor_client, other, "lms")
    assert response.status_code == 200
    assert "“lms” is an old address of “Leiomyosarcoma” and still redirects there." in response.content.decode()
    with pytest.raises(ValidationError):
        services.save_draft(tumour=other, by=editor, fields={"slug": "lms"})
    other.refresh_from_db()
    assert other.slug == "other"


def test_a_slug_already_in_use_is_refused(editor_client, draft, db):
    TumourFactory(slug="taken")
    response = rename_in_admin(editor_client, draft, "taken")
    assert "Tumour with this Slug already exists." in response.content.decode()


def test_change_page_lists_the_old_addresses(live, editor, reviewer, reviewer_client):
    approve_slug(live, "new-address", editor, reviewer)
    html = reviewer_client.get(reverse("admin:tumours_tumour_change", args=[live.pk])).content.decode()
    assert "/tumours/angiosarcoma/" in html
