from django.core.management import call_command

from tumours.models import Section, Source, TestKit, Tumour


def test_loading_twice_leaves_one_copy(db):
    call_command("load_demo_content")
    call_command("load_demo_content")
    assert TestKit.objects.filter(name="Oncofocus").count() == 1
    tumour = Tumour.objects.published().get(slug="leiomyosarcoma")
    assert tumour.aliases == ["LMS"]
    assert [s.heading for s in Section.objects.filter(tumour=tumour)] == ["Location", "Treatment"]
    assert Source.objects.filter(tumour=tumour).count() == 1
    assert list(tumour.test_kits.values_list("name", flat=True)) == ["Oncofocus"]
