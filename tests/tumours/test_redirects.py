"""A page's old addresses keep working once it has been public; no two pages share an address."""

from django.urls import reverse

from tests.admin_forms import change_form
from tests.factories import TumourFactory
from tumours.models import OldSlug


def rename(client, tumour, slug):
    data = change_form(client, tumour)
    data["slug"] = slug
    return client.post(reverse("admin:tumours_tumour_change", args=[tumour.pk]), data)


def test_renamed_published_page_redirects_permanently_from_every_old_address(reviewer_client, client, draft):
    draft.status = "published"
    draft.save()
    assert rename(reviewer_client, draft, "angiosarcoma-of-the-skin").status_code == 302
    draft.refresh_from_db()
    assert rename(reviewer_client, draft, "cutaneous-angiosarcoma").status_code == 302
    client.logout()
    for old in ("angiosarcoma", "angiosarcoma-of-the-skin"):
        response = client.get(f"/tumours/{old}/")
        assert response.status_code == 301
        assert response["Location"] == "/tumours/cutaneous-angiosarcoma/"
    assert client.get("/tumours/cutaneous-angiosarcoma/").status_code == 200


def test_a_slug_change_through_a_plain_save_is_remembered_too(client, db):
    tumour = TumourFactory(slug="old-name")
    tumour.slug = "new-name"
    tumour.save()
    assert client.get("/tumours/old-name/").status_code == 301


def test_renaming_back_drops_the_redirect_loop(reviewer_client, client, draft):
    draft.status = "published"
    draft.save()
    rename(reviewer_client, draft, "renamed")
    draft.refresh_from_db()
    rename(reviewer_client, draft, "angiosarcoma")
    assert list(OldSlug.objects.values_list("slug", flat=True)) == ["renamed"]
    client.logout()
    assert client.get("/tumours/angiosarcoma/").status_code == 200
    assert client.get("/tumours/renamed/")["Location"] == "/tumours/angiosarcoma/"


def test_a_never_published_draft_leaves_no_redirect(editor_client, client, draft):
    assert rename(editor_client, draft, "angiosarcoma-draft").status_code == 302
    assert not OldSlug.objects.exists()
    client.logout()
    assert client.get("/tumours/angiosarcoma/").status_code == 404


def test_old_address_of_an_unpublished_page_is_404_for_visitors(client, db):
    tumour = TumourFactory(slug="first")
    tumour.slug = "second"
    tumour.save()
    tumour.status = "draft"
    tumour.save()
    assert client.get("/tumours/first/").status_code == 404


def test_admin_refuses_a_slug_that_is_another_pages_old_address(editor_client, db):
    live = TumourFactory(name="Leiomyosarcoma", slug="lms")
    live.slug = "leiomyosarcoma"
    live.save()
    other = TumourFactory(name="Other", slug="other", status="draft", published_at=None)
    response = rename(editor_client, other, "lms")
    assert response.status_code == 200
    assert "“lms” is an old address of “Leiomyosarcoma” and still redirects there." in response.content.decode()
    other.refresh_from_db()
    assert other.slug == "other"


def test_admin_refuses_a_slug_already_in_use(editor_client, db):
    TumourFactory(slug="taken")
    other = TumourFactory(slug="mine", status="draft", published_at=None)
    response = rename(editor_client, other, "taken")
    assert "Tumour with this Slug already exists." in response.content.decode()


def test_change_page_lists_the_old_addresses(reviewer_client, draft):
    draft.status = "published"
    draft.save()
    rename(reviewer_client, draft, "new-address")
    draft.refresh_from_db()
    html = reviewer_client.get(reverse("admin:tumours_tumour_change", args=[draft.pk])).content.decode()
    assert "/tumours/angiosarcoma/" in html
