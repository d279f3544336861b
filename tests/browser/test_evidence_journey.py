"""In a real browser: an editor cites a source and sees the number in the live preview, and a readability figure
change as they shorten a sentence; a visitor follows citation 1 to the source and back, reports a problem without
any script; the editor sees the report and marks it done. Screenshots at 375 and 1280 px to look at."""

import pytest
from playwright.sync_api import expect

from oncosite.roles import CLINICAL_EDITORS
from tests.browser.conftest import SCREENSHOTS, log_in, run_axe
from tumours.feedback import PageFeedback

pytestmark = pytest.mark.browser

LONG_SENTENCE = (
    "Surgery, with as wide a margin of removal as possible, has generally been the most effective and preferred "
    "way to attack leiomyosarcoma, although considerable multidisciplinary coordination is typically required."
)
SHORT_SENTENCES = "Surgery is the main treatment. The surgeon takes out the tumour and some healthy tissue around it."


def grade(page, editor_id: str) -> float:
    figures = page.locator(f"#{editor_id}").locator("xpath=..").locator(".markdownx-figures [data-grade]")
    return float(figures.inner_text())


def wait_for_grade_change(page, editor_id: str, before: float) -> float:
    page.wait_for_function(
        """([id, before]) => {
            const grade = document.getElementById(id).parentElement.querySelector(".markdownx-figures [data-grade]");
            return grade && parseFloat(grade.textContent) !== before;
        }""",
        arg=[editor_id, before],
    )
    return grade(page, editor_id)


def test_editor_cites_and_simplifies_then_a_visitor_follows_the_citation_and_reports_a_problem(
    site, visit, staff_user, browser, live_server
):
    SCREENSHOTS.mkdir(exist_ok=True)
    staff_user("editor", CLINICAL_EDITORS)
    editor = visit(1280)
    page = editor.page
    log_in(page, "editor")
    page.goto(f"/admin/tumours/tumour/{site.pk}/change/")
    body = "id_sections-1-body"  # Treatment

    # The editor cites the page's Wikipedia source in a section: the live preview shows its number.
    page.fill(f"#{body}", f"{LONG_SENTENCE} [@wikipedia-lms]")
    preview = page.locator(f"#{body}").locator("xpath=..").locator(".markdownx-preview")
    expect(preview.locator("sup.citation a[href='#source-1']")).to_have_count(1)  # the section's 3 became 1
    assert preview.locator("sup.citation a").text_content() == "Source 1"  # "Source" is for screen readers
    long_grade = grade(page, body)
    assert long_grade > 9
    figures = page.locator(f"#{body}").locator("xpath=..").locator(".markdownx-figures")
    assert "above the target of 9" in figures.inner_text() and "Longest sentences" in figures.inner_text()

    # A key the page does not have is named in the preview, not a failure.
    page.fill(f"#{body}", f"{LONG_SENTENCE} [@nice-ng12]")
    preview.locator(".citation-problems").wait_for()
    assert "[@nice-ng12]" in preview.inner_text()

    # Shorter sentences: the grade drops while they type.
    page.fill(f"#{body}", f"{SHORT_SENTENCES} [@wikipedia-lms]")
    short_grade = wait_for_grade_change(page, body, long_grade)
    assert short_grade < long_grade and short_grade <= 9
    page.locator(f"#{body}").scroll_into_view_if_needed()
    page.screenshot(path=SCREENSHOTS / "evidence-editor-figures-1280.png", full_page=False)
    assert editor.errors == [], editor.errors
    assert run_axe(page) == []

    # A visitor on a phone follows citation 1 to the source list and back.
    visitor = visit(375)
    public = visitor.page
    public.goto("/tumours/leiomyosarcoma/")
    public.screenshot(path=SCREENSHOTS / "evidence-public-375.png", full_page=True)
    first = public.locator("sup.citation a").first
    assert first.get_attribute("href") == "#source-1"
    first.click()
    assert public.url.endswith("#source-1")
    assert public.locator("#source-1").evaluate("el => el.matches(':target')")
    public.locator("#source-1 a.sources__back").click()
    assert public.url.endswith("#cite-summary-1")
    assert run_axe(public) == []

    # ...and reports a problem: "No", then what is wrong, with no script at all.
    no_script = browser.new_context(
        viewport={"width": 375, "height": 900}, base_url=live_server.url, java_script_enabled=False
    )
    report = no_script.new_page()
    report.goto("/tumours/leiomyosarcoma/")
    report.get_by_role("button", name="No, this page is not helpful").click()
    report.get_by_label("What is wrong with this page, or what is missing?").fill(
        "The Treatment section does not mention hormone therapy for uterine LMS."
    )
    report.screenshot(path=SCREENSHOTS / "evidence-report-375.png", full_page=True)
    report.get_by_role("button", name="Send").click()
    assert "Thank you for your feedback" in report.inner_text("main")
    no_script.close()
    stored = PageFeedback.objects.get()
    assert stored.helpful is False and "hormone therapy" in stored.comment

    # The editor sees it on the page's edit screen and in the open list, and marks it done with a note.
    page.goto(f"/admin/tumours/tumour/{site.pk}/change/")
    assert "hormone therapy" in page.inner_text(".evidence-feedback")
    page.goto("/admin/tumours/pagefeedback/")
    assert "Open feedback" in page.inner_text("#content")
    page.screenshot(path=SCREENSHOTS / "evidence-open-feedback-1280.png", full_page=True)
    assert run_axe(page) == []
    page.locator("#result_list tr", has_text="hormone therapy").locator("a").first.click()
    page.get_by_label("Done").check()
    page.get_by_label("Note").fill("Added hormone therapy to the Treatment draft; submitted for review.")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url("**/admin/tumours/pagefeedback/")
    assert "hormone therapy" not in page.inner_text("#changelist")
    stored.refresh_from_db()
    assert stored.is_done and stored.note.startswith("Added hormone therapy")


@pytest.mark.parametrize("width", [375, 1280])
def test_public_page_with_citations_screenshotted(site, visit, width):
    SCREENSHOTS.mkdir(exist_ok=True)
    v = visit(width)
    v.page.goto("/tumours/leiomyosarcoma/")
    v.page.screenshot(path=SCREENSHOTS / f"evidence-public-citations-{width}.png", full_page=True)
    assert v.page.locator("sup.citation").count() == 8 + 3  # the seed's paragraphs and the fixture's sections
    assert run_axe(v.page) == []
    assert v.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", [375, 1280])
def test_editor_view_with_figures_screenshotted(site, visit, staff_user, width):
    SCREENSHOTS.mkdir(exist_ok=True)
    staff_user("editor", CLINICAL_EDITORS)
    v = visit(width)
    log_in(v.page, "editor")
    v.page.goto(f"/admin/tumours/tumour/{site.pk}/change/")
    summary_figures = v.page.locator("#id_summary").locator("xpath=..").locator(".markdownx-figures [data-grade]")
    summary_figures.wait_for()
    assert v.page.locator("#id_sources-0-key").input_value() == "wikipedia-lms"
    v.page.screenshot(path=SCREENSHOTS / f"evidence-editor-{width}.png", full_page=True)
    assert v.errors == []
