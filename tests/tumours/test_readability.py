"""Plain language: the figures an editor sees beside the preview, the reviewer on the review screen, and the list."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import TumourFactory, UserFactory
from tumours import services
from tumours.readability import readability

LONG = (
    "Leiomyosarcoma is a relatively rare form of cancer, and accounts for a small proportion of soft tissue "
    "sarcomas, which are in themselves relatively uncommon, and its management generally requires coordinated "
    "multidisciplinary consultation."
)
SHORT = "Leiomyosarcoma is a rare cancer. It is one kind of soft tissue sarcoma. A team of doctors plans its care."
PREVIEW = "/admin/markdownx/markdownify/"


def test_shorter_sentences_lower_the_grade_and_raise_the_ease():
    hard, plain = readability(LONG), readability(SHORT)
    assert hard.grade > 9 >= plain.grade
    assert hard.reading_ease < plain.reading_ease
    assert hard.above_target and not plain.above_target
    assert hard.longest_sentences == ((len(LONG.split()), LONG),)
    assert "multidisciplinary" in hard.long_words and "coordinated" in hard.long_words


def test_only_the_words_a_visitor_reads_are_measured():
    figures = readability("Read the [guidance](https://www.example.org/a-very-long-address-indeed) **now**.")
    assert figures.words == 4
    # Headings and unpunctuated list items are sentences of their own, not one endless sentence.
    listed = readability("## Symptoms\n\n- a lump\n- pain in the tummy\n- feeling sick")
    assert listed.sentences == 4 and listed.longest_sentences == ()
    assert readability("") is None and readability("![](/media/x.png)") is None


def test_the_target_comes_from_the_setting(settings):
    settings.READABILITY_TARGET_GRADE = 30
    assert not readability(LONG).above_target


def test_the_live_preview_shows_the_figures_to_editors(editor_client):
    html = editor_client.post(PREVIEW, {"content": LONG}).content.decode()
    assert "<p>Leiomyosarcoma is a relatively rare" in html  # the preview itself, first
    assert "data-readability" in html and "above the target of 9" in html
    assert "Longest sentences" in html and "multidisciplinary" in html
    plain = editor_client.post(PREVIEW, {"content": SHORT}).content.decode()
    assert "above the target" not in plain and "(target: 9 or below)" in plain


@pytest.mark.parametrize("who", ["anonymous", "sales"])
def test_nobody_else_gets_the_figures(who, sales):
    client = Client()
    if who == "sales":
        client.force_login(sales)
    assert client.post(PREVIEW, {"content": LONG}).status_code == 403


def test_going_live_records_the_hardest_texts_grade_for_the_list(editor, reviewer, editor_client, db):
    tumour = TumourFactory(name="Plain page", summary=SHORT, reading_grade=None)
    services.save_draft(tumour=tumour, by=editor, sections=[{"heading": "About", "body": LONG + " [@s]"}],
                        sources=[{"title": "S", "key": "s", "url": "https://example.org/s"}])  # fmt: skip
    services.submit_for_review(tumour=tumour, by=editor)
    services.approve(tumour=tumour, by=reviewer)
    tumour.refresh_from_db()
    assert tumour.reading_grade == readability(LONG).grade
    TumourFactory(name="Easy page", reading_grade=5.0)
    url = reverse("admin:tumours_tumour_changelist")
    above = editor_client.get(url + "?reading=above").content.decode()
    assert "Plain page" in above and "Easy page" not in above and "above target" in above
    within = editor_client.get(url + "?reading=within").content.decode()
    assert "Easy page" in within and "Plain page" not in within


def test_the_review_screen_compares_the_draft_with_the_live_page(live, editor, reviewer_client):
    services.save_draft(
        tumour=live,
        by=editor,
        fields={"summary": LONG},
        sections=[{**live.sections.values("id", "heading", "body")[0]}],
    )
    services.submit_for_review(tumour=live, by=editor)
    html = reviewer_client.get(reverse("admin:tumours_tumour_review", args=[live.pk])).content.decode()
    assert "Plain language: the draft against the live page" in html
    live_grade = readability("A rare tumour of connective tissue.").grade
    draft_grade = readability(LONG).grade
    assert f"{draft_grade:.1f} · above target" in html
    assert f"harder by {draft_grade - live_grade:.1f}" in html
    assert "Section: Treatment (removed)" in html


def test_staff_without_page_rights_cannot_reach_the_preview(client, db):
    client.force_login(UserFactory(username="nobody"))
    assert client.post(PREVIEW, {"content": LONG}).status_code == 403
