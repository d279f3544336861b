"""Citations: [@key] in a page's text becomes a numbered link to its source, the same on the public page, in every
preview, in search snippets and in the structured data; a key the page lacks is refused, naming it."""

import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.admin_forms import change_form
from tests.conftest import ANGIOSARCOMA
from tumours import services
from tumours.citations import Citations, page_citations, validate_source_key
from tumours.markdown import render_markdown
from tumours.models import Source, Tumour

PREVIEW = "/admin/markdownx/markdownify/"


def numbered(text: str, keys=("a", "b", "c"), scope="summary") -> tuple[str, Citations]:
    citations = Citations(numbers={key: n for n, key in enumerate(keys, start=1)}, scope=scope)
    return render_markdown(text, citations=citations), citations


def sup_numbers(html: str) -> list[str]:
    return re.findall(r'<a href="#source-(\d+)" id="[^"]+"><span class="visually-hidden">Source </span>\1</a>', html)


def test_citations_are_numbered_by_the_source_list_the_same_each_time():
    html, citations = numbered("Rare [@b]. Common [@a; @c]. Rare again [@b].")
    assert sup_numbers(html) == ["2", "1", "3", "2"]
    assert html.startswith('<p>Rare<sup class="citation"><a href="#source-2" id="cite-summary-1">')
    assert citations.anchors == [("b", "cite-summary-1"), ("a", "cite-summary-2"), ("c", "cite-summary-3"),
                                 ("b", "cite-summary-4")]  # fmt: skip


def test_what_is_not_a_citation_stays_as_typed():
    html, citations = numbered("`[@a]` and [@a](https://example.org/) and [see @a] and [@] and \\[@a]")
    assert sup_numbers(html) == [] and citations.cited == []
    assert "<code>[@a]</code>" in html and '<a href="https://example.org/"' in html and "[see @a]" in html


def test_without_a_source_list_nothing_is_numbered():
    assert render_markdown("Rare [@a].") == "<p>Rare [@a].</p>\n"  # a kit's description has no sources


def test_a_key_the_page_lacks_is_shown_as_typed_to_visitors_and_marked_in_the_preview():
    html, citations = numbered("Rare [@nope].")
    assert "[@nope]" in html and citations.unknown == ["nope"]
    marked = render_markdown("Rare [@nope].", citations=Citations(numbers={}, show_unknown=True))
    assert '<mark class="citation--unknown"' in marked and "[@nope?]" in marked


def test_the_marks_the_renderer_uses_cannot_be_typed():
    html, _ = numbered("A \ue0000\ue001 B [@a]")
    assert "\ue000" not in html and sup_numbers(html) == ["1"]


def test_a_page_links_each_source_back_to_its_first_citation():
    cited = page_citations(texts=[("summary", "No claim."), ("section-1", "X [@b]."), ("section-2", "Y [@b; @a].")],
                           keys=["a", "b"])  # fmt: skip
    assert cited.first_anchor == {"b": "cite-section-1-1", "a": "cite-section-2-2"}
    assert 'href="#source-2" id="cite-section-1-1"' in cited.html["section-1"]


@pytest.mark.parametrize("key", ["wikipedia-lms", "WHO:2021/guide", "nice_ng12", "a.b", "x1"])
def test_good_keys(key):
    validate_source_key(key)


@pytest.mark.parametrize("key", ["<script>", 'a"b', "a b", "-lead", "trail-", "a--b", "é", "k" * 61, "a;b"])
def test_keys_that_could_not_be_cited_safely_are_refused(key):
    with pytest.raises(ValidationError, match="cannot be a key"):
        validate_source_key(key)


# Saving and approving.


def test_citing_a_key_the_page_lacks_is_refused_naming_it(editor, db):
    with pytest.raises(ValidationError) as refused:
        services.save_draft(
            tumour=Tumour(), by=editor,
            **{**ANGIOSARCOMA, "fields": {**ANGIOSARCOMA["fields"], "summary": "Rare [@nice-ng12; @wikipedia]."}},
        )  # fmt: skip
    assert refused.value.message_dict["summary"] == [
        "The summary cites [@nice-ng12], but no source of this page has that key. Add the source or correct the key."
    ]
    assert not Tumour.objects.exists()


def test_a_sections_unknown_key_and_a_duplicate_key_are_named(editor, db):
    sources = ANGIOSARCOMA["sources"] * 2
    sections = [{"heading": "Treatment", "body": "Surgery [@esmo-2021]."}]
    with pytest.raises(ValidationError) as refused:
        services.save_draft(tumour=Tumour(), by=editor, fields=ANGIOSARCOMA["fields"], sections=sections,
                            sources=sources)  # fmt: skip
    errors = refused.value.message_dict
    assert "Section 1 (Treatment) cites [@esmo-2021]" in errors["sections"][0]
    assert errors["sources"] == [
        "Source 2, key: “wikipedia” is already the key of source 1. Each source needs its own key."
    ]


def test_a_source_left_without_a_key_gets_one_from_its_title(editor, db):
    untitled = [{"title": "NICE guideline NG12", "url": "https://www.nice.org.uk/ng12"}] * 2
    services.save_draft(tumour=(page := Tumour()), by=editor, fields=ANGIOSARCOMA["fields"], sources=untitled)
    keys = [row["key"] for row in services.draft_of(page).revision.content["sources"]]
    assert keys == ["nice-guideline-ng12", "nice-guideline-ng12-2"]


def test_approval_refuses_sections_that_cite_nothing_naming_them(draft, editor, reviewer):
    services.save_draft(tumour=draft, by=editor, sections=[
        {"heading": "Location", "body": "Blood vessels. [@wikipedia]"},
        {"heading": "Outlook", "body": "It varies."},
        {"heading": "Support", "body": "Ask your team."},
    ])  # fmt: skip
    services.submit_for_review(tumour=draft, by=editor)
    with pytest.raises(ValidationError) as refused:
        services.approve(tumour=draft, by=reviewer)
    assert "These sections cite none: Outlook, Support." in refused.value.message_dict["sections"][0]
    assert not Tumour.objects.get(pk=draft.pk).is_public


def test_with_the_check_off_it_is_a_warning_on_the_review_screen(draft, editor, reviewer, reviewer_client, settings):
    settings.EDITORIAL_REQUIRE_CITATIONS = False
    services.save_draft(tumour=draft, by=editor, sections=[{"heading": "Outlook", "body": "It varies."}])
    services.submit_for_review(tumour=draft, by=editor)
    html = reviewer_client.get(reverse("admin:tumours_tumour_review", args=[draft.pk])).content.decode()
    assert "Warning: sections without citations" in html and "This section cites none: Outlook." in html
    services.approve(tumour=draft, by=reviewer)
    assert Tumour.objects.get(pk=draft.pk).is_public


def test_with_the_check_on_the_review_screen_says_approval_will_be_refused(draft, editor, reviewer_client):
    services.save_draft(tumour=draft, by=editor, sections=[{"heading": "Outlook", "body": "It varies."}])
    services.submit_for_review(tumour=draft, by=editor)
    url = reverse("admin:tumours_tumour_review", args=[draft.pk])
    html = reviewer_client.get(url).content.decode()
    assert "Approval will be refused until every section cites a source" in html
    response = reviewer_client.post(url, {"_approve": "1", "when": "now", "clinical_review": "on"})
    assert "This section cites none: Outlook." in response.content.decode()


def test_the_edit_form_saves_a_key_and_refuses_an_unknown_citation(editor_client, live):
    url = reverse("admin:tumours_tumour_change", args=[live.pk])
    form = change_form(editor_client, live)
    assert form["sources-0-key"] == "wikipedia"
    form["sections-0-body"] = "Blood vessels [@wikipedia]; often the scalp [@scalp-study]."
    response = editor_client.post(url, form)
    assert "Section 1 (Location) cites [@scalp-study]" in response.content.decode()
    assert services.draft_of(live) is None  # nothing saved
    form["sources-0-key"] = "scalp-study"
    form["sections-0-body"] = "Often the scalp [@scalp-study]."
    form["sections-1-body"] = "Surgery first [@scalp-study]."
    assert editor_client.post(url, form).status_code == 302
    assert services.draft_of(live).revision.content["sources"][0]["key"] == "scalp-study"
    assert Source.objects.get(tumour=live).key == "wikipedia"  # the live page keeps its key until approval


# The public page, previews, snippets and structured data agree.


def test_the_demo_page_cites_its_wikipedia_source_and_links_both_ways(client, demo_tumour):
    html = client.get("/tumours/leiomyosarcoma/").content.decode()
    assert 'do not arise from leiomyomas.<sup class="citation"><a href="#source-1" id="cite-summary-1">' in html
    assert html.count('href="#source-1"') == 8  # every paragraph of the seed cites it
    assert '<li id="source-1">' in html
    assert '<a class="sources__back" href="#cite-summary-1">Back to where source 1 is first cited' in html
    assert "[@" not in html


def test_structured_data_and_description_agree_with_the_page(client, demo_tumour):
    html = client.get("/tumours/leiomyosarcoma/").content.decode()
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html).group(1))
    assert [(c["position"], c["name"], c["url"]) for c in data["citation"]] == [
        (1, "Leiomyosarcoma", "https://en.wikipedia.org/wiki/Leiomyosarcoma")
    ]
    assert "[@" not in data["description"] and "wikipedia-lms" not in html.split("</head>")[0]


def test_search_snippets_show_no_citation_syntax(client, demo_tumour):
    html = client.get("/search/?q=dormant").content.decode()
    assert "<mark>dormant</mark>" in html and "[@" not in html and "wikipedia-lms" not in html


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite searches the raw text (icontains)")
def test_citation_keys_are_not_searched(client, demo_tumour):
    # "wikipedia" is only in the demo page's citation keys ([@wikipedia-lms]), never in its text.
    assert "No pages found for “wikipedia”" in client.get("/search/?q=wikipedia").content.decode()
    assert "Leiomyosarcoma" in client.get("/search/?q=dormant").content.decode()


def test_previews_number_citations_as_the_page_will(editor_client, live):
    services.save_draft(tumour=live, by=live.live_revision.created_by,
                        fields={"summary": "Rare [@wikipedia]."})  # fmt: skip
    html = editor_client.get(reverse("admin:tumours_tumour_preview", args=[live.pk])).content.decode()
    assert 'Rare<sup class="citation"><a href="#source-1" id="cite-summary-1">' in html
    assert '<a class="sources__back" href="#cite-summary-1">' in html


def test_the_live_preview_numbers_citations_by_the_keys_on_screen(editor_client):
    response = editor_client.post(PREVIEW + "?keys=nice,wikipedia", {"content": "Rare [@wikipedia; @nice]."})
    assert sup_numbers(response.content.decode()) == ["2", "1"]


def test_the_live_preview_names_an_unknown_key_without_failing(editor_client):
    response = editor_client.post(PREVIEW + "?keys=wikipedia", {"content": "Rare [@wikipedia; @esmo]."})
    html = response.content.decode()
    assert response.status_code == 200
    assert "No source of this page has the key [@esmo]" in html and "[@esmo?]" in html
    assert sup_numbers(html) == ["1"]


def test_the_live_preview_ignores_a_key_that_is_no_key(editor_client):
    response = editor_client.post(PREVIEW + "?keys=%3Cscript%3E,b", {"content": "X [@b]."})
    html = response.content.decode()
    assert sup_numbers(html) == ["2"] and "<script" not in html


def test_anonymous_visitors_get_no_preview(db):
    assert Client().post(PREVIEW + "?keys=a", {"content": "[@a]"}).status_code == 403


def test_the_editor_points_each_preview_at_the_pages_source_keys(editor_client, live):
    html = editor_client.get(reverse("admin:tumours_tumour_change", args=[live.pk])).content.decode()
    assert (
        html.count('data-markdownx-urls-path="/admin/markdownx/markdownify/?keys=wikipedia"') == 3
    )  # summary, 2 sections


def test_a_new_source_row_posted_without_a_key_gets_one_from_its_title(editor_client, live):
    form = change_form(editor_client, live)
    form.update({"sources-TOTAL_FORMS": "2", "sources-1-position": "2", "sources-1-title": "NICE guideline NG12",
                 "sources-1-url": "https://www.nice.org.uk/guidance/ng12"})  # fmt: skip
    assert editor_client.post(reverse("admin:tumours_tumour_change", args=[live.pk]), form).status_code == 302
    assert [row["key"] for row in services.draft_of(live).revision.content["sources"]] == [
        "wikipedia", "nice-guideline-ng12"
    ]  # fmt: skip
