import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import TumourFactory, UserFactory
from tumours import services
from tumours.models import Tumour


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True)


def test_anonymous_cannot_use_the_markdown_preview(client, db):
    response = client.post("/admin/markdownx/markdownify/", {"content": "**hi**"})
    assert response.status_code == 403


def test_anonymous_cannot_upload(client, db):
    response = client.post("/admin/markdownx/upload/", {})
    assert response.status_code == 403


def test_package_endpoints_are_not_mounted_openly(client, db):
    assert client.post("/markdownx/markdownify/", {"content": "x"}).status_code == 404


def test_preview_renders_through_the_same_sanitizer(editor_client):
    response = editor_client.post(
        "/admin/markdownx/markdownify/", {"content": "**bold** <script>alert(1)</script> [x](javascript:alert(1))"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>bold</strong>" in html
    assert "<script" not in html
    assert '="javascript:' not in html


def test_preview_without_content_is_a_clear_400(editor_client):
    assert editor_client.post("/admin/markdownx/markdownify/", {}).status_code == 400


def test_editor_cannot_open_test_requests(editor_client):
    assert editor_client.get(reverse("admin:orders_testrequest_changelist")).status_code == 403


@pytest.mark.parametrize("published", [True, False])
def test_editor_gets_the_live_editor_on_any_page(editor_client, db, published):
    # Live or not, an editor's change goes to the page's draft, so every page is editable.
    tumour = TumourFactory(status=Tumour.Status.PUBLISHED if published else Tumour.Status.DRAFT)
    url = reverse("admin:tumours_tumour_change", args=[tumour.pk])
    response = editor_client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "markdownx-editor" in html  # the live markdown editor, not a read-only display
    assert 'name="_save"' in html


def test_sales_can_view_but_not_change_a_tumour(sales_client, demo_tumour):
    url = reverse("admin:tumours_tumour_change", args=[demo_tumour.pk])
    response = sales_client.get(url)
    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()
    response = sales_client.post(url, {"name": "Defaced", "slug": "defaced"})
    assert response.status_code == 403
    demo_tumour.refresh_from_db()
    assert demo_tumour.name == "Leiomyosarcoma"


def test_editor_adds_a_tumour_with_sections_through_the_admin_form(editor_client, kit):
    data = {
        "name": "Angiosarcoma",
        "slug": "angiosarcoma",
        "also_known_as": "",
        "summary": "A cancer of the inner lining of blood vessels.",
        "test_kits": [kit.pk],
        "sections-TOTAL_FORMS": "1",
        "sections-INITIAL_FORMS": "0",
        "sections-0-position": "1",
        "sections-0-heading": "Treatment",
        "sections-0-body": "Surgery.",
        "sources-TOTAL_FORMS": "0",
        "sources-INITIAL_FORMS": "0",
    }
    response = editor_client.post(reverse("admin:tumours_tumour_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    tumour = Tumour.objects.get(slug="angiosarcoma")
    assert response["Location"] == reverse("admin:tumours_tumour_change", args=[tumour.pk])
    content = services.draft_of(tumour).revision.content
    assert [s["heading"] for s in content["sections"]] == ["Treatment"]
    assert content["fields"]["test_kits"] == [kit.pk]
    assert not tumour.is_public and Client().get("/tumours/angiosarcoma/").status_code == 404


def test_superuser_sees_view_on_site(client, superuser, db):
    tumour = TumourFactory()
    client.force_login(superuser)
    html = client.get(reverse("admin:tumours_tumour_change", args=[tumour.pk])).content.decode()
    assert "View on site" in html


def test_sales_staff_may_neither_preview_nor_upload(sales_client):
    # Staff status alone is not enough: only those who may change pages or kits use the editor's endpoints.
    assert sales_client.post("/admin/markdownx/markdownify/", {"content": "**hi**"}).status_code == 403
    assert sales_client.post("/admin/markdownx/upload/", {}).status_code == 403


def test_reviewers_preview_like_editors(reviewer_client):
    response = reviewer_client.post("/admin/markdownx/markdownify/", {"content": "**hi**"})
    assert response.status_code == 200 and "<strong>hi</strong>" in response.content.decode()
