"""In a real browser: an editor previews unsaved changes from the admin form, and a draft shows its banner."""

import pytest

from oncosite.roles import CLINICAL_EDITORS
from tests.browser.conftest import log_in
from tumours import services
from tumours.models import Tumour

pytestmark = pytest.mark.browser


def test_editor_previews_unsaved_section_text_in_a_new_tab(visit, staff_user):
    editor = staff_user("editor", CLINICAL_EDITORS)
    tumour = Tumour()
    services.save_draft(
        tumour=tumour,
        by=editor,
        fields={"name": "Angiosarcoma", "slug": "angiosarcoma", "summary": "A rare cancer."},
        sections=[{"heading": "Treatment", "body": "Surgery first."}],
    )

    page = visit().page
    log_in(page, "editor")
    page.goto(f"/admin/tumours/tumour/{tumour.pk}/change/")
    page.fill("#id_sections-0-body", "Surgery, then radiotherapy (not saved yet).")
    with page.context.expect_page() as new_tab:
        page.click("input[name=_preview]")
    preview = new_tab.value
    preview.wait_for_load_state()
    assert "Surgery, then radiotherapy (not saved yet)." in preview.inner_text("article")
    assert "Preview of unsaved changes" in preview.inner_text(".draft-banner")

    page.goto("/tumours/angiosarcoma/")
    assert page.inner_text(".draft-banner").startswith("Draft — not visible to the public")
    page.context.clear_cookies()
    assert page.goto("/tumours/angiosarcoma/").status == 404
    assert services.draft_of(tumour).revision.content["sections"][0]["body"] == "Surgery first."
