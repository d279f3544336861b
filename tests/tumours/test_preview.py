"""Editors see drafts and unsaved changes as the public would; nobody else does, and no cache keeps them."""

from django.urls import reverse

from tests.admin_forms import change_form
from tests.factories import SectionFactory, TumourFactory
from tumours import services
from tumours.models import Tumour


def preview_url(tumour):
    return reverse("admin:tumours_tumour_preview", args=[tumour.pk])


def assert_never_cached(response):
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives
    assert "public" not in directives


def test_anonymous_visitor_gets_404_for_a_draft(client, draft):
    assert client.get("/tumours/angiosarcoma/").status_code == 404


def test_sales_cannot_see_a_draft(sales_client, draft):
    assert sales_client.get("/tumours/angiosarcoma/").status_code == 404


def test_editor_opens_a_draft_at_its_public_address_with_a_banner(editor_client, draft):
    response = editor_client.get("/tumours/angiosarcoma/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Draft — not visible to the public" in html
    assert "Blood vessels." in html
    assert_never_cached(response)


def test_editor_sees_a_page_scheduled_for_first_publication_but_the_public_does_not(editor_client, client, draft,
                                                                                    editor, reviewer):  # fmt: skip
    from django.utils import timezone

    services.submit_for_review(tumour=draft, by=editor)
    services.approve(tumour=draft, by=reviewer, go_live_at=timezone.now() + timezone.timedelta(days=1))
    response = editor_client.get("/tumours/angiosarcoma/")
    assert response.status_code == 200
    assert "not visible to the public" in response.content.decode()
    client.logout()
    assert client.get("/tumours/angiosarcoma/").status_code == 404


def test_staff_see_a_live_page_as_the_public_does_while_its_draft_waits(editor_client, editor, live):
    services.save_draft(tumour=live, by=editor, fields={"summary": "Draft wording."})
    html = editor_client.get("/tumours/angiosarcoma/").content.decode()
    assert "A rare tumour of connective tissue." in html
    assert "Draft wording." not in html
    assert "not visible to the public" not in html


def test_published_page_has_no_draft_banner(editor_client, demo_tumour):
    html = editor_client.get("/tumours/leiomyosarcoma/").content.decode()
    assert "not visible to the public" not in html


def test_admin_change_page_links_to_preview(editor_client, draft):
    html = editor_client.get(reverse("admin:tumours_tumour_change", args=[draft.pk])).content.decode()
    assert f'href="{preview_url(draft)}"' in html
    assert f'formaction="{preview_url(draft)}"' in html


def test_preview_of_the_saved_draft(editor_client, draft):
    response = editor_client.get(preview_url(draft))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Draft — not visible to the public" in html
    assert "Surgery first." in html
    assert_never_cached(response)


def test_preview_shows_unsaved_changes_to_sections_and_saves_nothing(editor_client, draft):
    data = change_form(editor_client, draft)
    data["sections-1-body"] = "Radiotherapy after surgery (unsaved)."
    data["sections-0-DELETE"] = "on"
    data["summary"] = "A new lead paragraph."
    data["sections-TOTAL_FORMS"] = "3"
    data.update({"sections-2-position": "3", "sections-2-heading": "Outlook", "sections-2-body": "Varies."})
    response = editor_client.post(preview_url(draft), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Radiotherapy after surgery (unsaved)." in html
    assert "A new lead paragraph." in html
    assert "Outlook" in html and "Varies." in html
    assert "Blood vessels." not in html  # the section marked for deletion
    assert "Preview of unsaved changes" in html
    assert_never_cached(response)
    content = services.draft_of(draft).revision.content
    assert content["fields"]["summary"] == "A rare tumour of connective tissue."
    assert [s["body"] for s in content["sections"]] == ["Blood vessels. [@wikipedia]", "Surgery first. [@wikipedia]"]


def test_a_new_page_can_be_previewed_before_its_first_save(editor_client, kit):
    from tests.admin_forms import read_form

    data = read_form(editor_client.get(reverse("admin:tumours_tumour_add")).content.decode())
    data.update(name="Chondrosarcoma", slug="chondrosarcoma", summary="A cancer of *cartilage* cells.")
    data.update({"sections-TOTAL_FORMS": "1", "sections-0-position": "1", "sections-0-heading": "Treatment"})
    data["sections-0-body"] = "Surgery."
    response = editor_client.post(reverse("admin:tumours_tumour_add_preview"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "A cancer of <em>cartilage</em> cells." in html and "Surgery." in html
    assert_never_cached(response)
    assert not Tumour.objects.exists()


def test_preview_is_the_public_template(editor_client, client, db):
    tumour = TumourFactory(slug="same")
    SectionFactory(tumour=tumour, heading="Staging")
    preview = editor_client.get(preview_url(tumour)).content.decode()
    client.logout()
    public = client.get("/tumours/same/").content.decode()
    article = public[public.index("<article") : public.index("</article>")]
    assert article in preview


def test_preview_is_refused_without_change_permission(client, sales_client, draft):
    assert sales_client.get(preview_url(draft)).status_code == 403
    client.logout()
    response = client.get(preview_url(draft))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_draft_preview_uses_a_fixed_number_of_queries(editor_client, draft, django_assert_max_num_queries):
    SectionFactory.create_batch(10, tumour=draft)
    # session, user, the second-factor device, permissions, the page and its three prefetches
    with django_assert_max_num_queries(10):
        assert editor_client.get("/tumours/angiosarcoma/").status_code == 200
