from django.core.management import call_command

from tests.tumours.test_public_pages import visible_text
from tumours import services
from tumours.demo_content import ONCOFOCUS
from tumours.editorial import EditorialEvent, Revision
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


def test_demo_page_has_a_review_record_and_its_wikipedia_source(client, db):
    import datetime

    from django.utils import timezone

    from tests.tumours.test_public_pages import visible_text

    call_command("load_demo_content")
    call_command("load_demo_content")
    tumour = Tumour.objects.get(slug="leiomyosarcoma")
    today = timezone.localdate()
    assert tumour.last_reviewed_on == today
    assert tumour.next_review_due == today.replace(year=today.year + 1) or (
        today.month == 2 and today.day == 29 and tumour.next_review_due == datetime.date(today.year + 1, 2, 28)
    )
    assert tumour.reviewed_by == "Dr Helen Marsh, Consultant Medical Oncologist"
    source = Source.objects.get(tumour=tumour)
    assert (source.publisher, source.licence) == ("Wikipedia", "CC BY-SA 4.0")
    assert Tumour.objects.count() == 1
    text = visible_text(client.get("/tumours/leiomyosarcoma/").content.decode())
    assert f"Page last reviewed: {today:%-d %B %Y} · Next review due: {tumour.next_review_due:%-d %B %Y}" in text
    assert "Reviewed by Dr Helen Marsh, Consultant Medical Oncologist" in text


def test_demo_page_goes_live_through_a_draft_approved_by_a_second_person(db):
    call_command("load_demo_content")
    tumour = Tumour.objects.get(slug="leiomyosarcoma")
    assert services.draft_of(tumour) is None
    assert Tumour.objects.review_needed().count() == 0
    events = {event.kind: event.by.username for event in EditorialEvent.objects.of(tumour)}
    assert events["submitted"] == "demo-editor"
    assert events["approved"] == events["went_live"] == "demo-reviewer"
    assert tumour.reviewer.username == "demo-reviewer"
    assert not tumour.reviewer.has_usable_password()
    assert tumour.live_revision.approved_by == tumour.reviewer


def test_loading_again_records_nothing_new(db):
    call_command("load_demo_content")
    tumour = Tumour.objects.get(slug="leiomyosarcoma")
    counts = Revision.objects.count(), EditorialEvent.objects.count(), tumour.updated_at
    call_command("load_demo_content")
    assert (Revision.objects.count(), EditorialEvent.objects.count(), Tumour.objects.get().updated_at) == counts


def test_the_oncofocus_page_goes_live_with_the_seeds_description_only(db, client):
    call_command("load_demo_content")
    kit = TestKit.objects.get(slug="oncofocus")
    assert kit.is_public and kit.sections.count() == 0
    assert kit.description == ONCOFOCUS["description"]
    assert kit.reviewed_by == "Dr Helen Marsh, Consultant Medical Oncologist"
    events = {event.kind: event.by.username for event in EditorialEvent.objects.of(kit)}
    assert events["submitted"] == "demo-editor" and events["approved"] == "demo-reviewer"
    text = visible_text(client.get("/tests/oncofocus/").content.decode())
    article = text[text.index("Our test Oncofocus") : text.index("Page last reviewed")]
    # Nothing the seed does not say: its description, the product notice, and the tumours that offer the kit.
    assert article == (
        "Our test Oncofocus Oncofocus is a test sold by Oncosite Ltd, the company that runs Oncosite. This page "
        f"describes our own product. {ONCOFOCUS['description']} Tumours Oncofocus is available for Leiomyosarcoma "
        "LMS, see Leiomyosarcoma Request Oncofocus Your tumour You go on to the request form for an Oncofocus test "
        "for that tumour. Choose your tumour Leiomyosarcoma Continue to the request form "
    )


def test_loading_again_leaves_the_sections_editors_wrote_on_the_kit_page(db):
    call_command("load_demo_content")
    kit = TestKit.objects.get(slug="oncofocus")
    kit.sections.create(heading="How it works", body="Written by an editor, approved by a reviewer.", position=1)
    counts = Revision.objects.count(), EditorialEvent.objects.count()
    call_command("load_demo_content")
    assert TestKit.objects.get().sections.count() == 1
    assert (Revision.objects.count(), EditorialEvent.objects.count()) == counts
