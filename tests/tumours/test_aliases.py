from django.urls import reverse

from tests.admin_forms import change_form
from tests.factories import TumourFactory
from tests.tumours.test_public_pages import visible_text
from tumours import services
from tumours.models import Tumour


def test_admin_tidies_aliases(editor_client, draft):
    data = change_form(editor_client, draft)
    data["also_known_as"] = " AS ,,  haemangiosarcoma, as , Lymphangiosarcoma  "
    assert editor_client.post(reverse("admin:tumours_tumour_change", args=[draft.pk]), data).status_code == 302
    saved = services.draft_of(draft).revision.content["fields"]["also_known_as"]
    assert saved == "AS, haemangiosarcoma, Lymphangiosarcoma"
    assert Tumour.parse_aliases(saved) == ["AS", "haemangiosarcoma", "Lymphangiosarcoma"]


def test_each_alias_is_listed_under_its_own_letter(client, db):
    TumourFactory(name="Angiosarcoma", slug="angiosarcoma", also_known_as="Haemangiosarcoma, Lymphangiosarcoma")
    letter = lambda slug: visible_text(client.get(reverse("tumours:letter", args=[slug])).content.decode())  # noqa: E731
    assert "H Haemangiosarcoma, see Angiosarcoma" in letter("h")
    assert "L Lymphangiosarcoma, see Angiosarcoma" in letter("l")
    assert "Angiosarcoma" in letter("a") and "Haemangiosarcoma" not in letter("a")
