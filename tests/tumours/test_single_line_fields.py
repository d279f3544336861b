"""Names, headings and titles are one line of plain text: control characters are refused at input, clearly."""

import pytest
from django.core.exceptions import ValidationError

from tests.admin_forms import change_form
from tests.factories import SourceFactory, TumourFactory
from tumours.models import Tumour

MESSAGE = "Use one line of plain text: line breaks, tabs and other control characters are not allowed here."


@pytest.mark.django_db
def test_the_admin_form_refuses_a_line_break_in_a_name_or_a_heading(editor_client, draft):
    data = change_form(editor_client, draft)
    data["name"] = "Angio\r\nsarcoma"
    data["sections-0-heading"] = "Loca\ttion"
    response = editor_client.post(f"/admin/tumours/tumour/{draft.pk}/change/", data)
    assert response.status_code == 200
    assert response.content.decode().count(MESSAGE) == 2
    assert Tumour.objects.get(pk=draft.pk).name == "Angiosarcoma"


@pytest.mark.django_db
@pytest.mark.parametrize("character", ["\n", "\r", "\t", "\x00", "\x1b", "\x7f", "\x85", "\u2028"])
def test_full_clean_refuses_control_characters_whichever_path_saves(character):
    tumour = TumourFactory.build(name=f"Leio{character}myosarcoma", slug="leio")
    with pytest.raises(ValidationError) as refused:
        tumour.full_clean()
    assert refused.value.message_dict["name"] == [MESSAGE]
    source = SourceFactory.build(title=f"A{character}title", tumour=TumourFactory())
    with pytest.raises(ValidationError):
        source.full_clean()


@pytest.mark.django_db
def test_accents_dashes_and_non_latin_names_are_fine():
    TumourFactory.build(name="Sarcome d’Ewing – forme extra-osseuse, 尤文肉瘤", slug="ewing").full_clean()
