"""In a real browser: a typo fix on the live page goes through review and goes live at its time, and every
editorial screen passes axe-core (WCAG 2.2 AA) at 1280 px."""

import datetime
import time

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from oncosite.roles import CLINICAL_EDITORS, CLINICAL_REVIEWERS
from tests.browser.conftest import SCREENSHOTS, log_in, run_axe
from tests.factories import UserFactory
from tumours import services
from tumours.editorial import ReviewerProfile
from tumours.models import TestKit

pytestmark = pytest.mark.browser

OLD, NEW = "usually hemorrhagic", "usually haemorrhagic"
PAGE = "/tumours/leiomyosarcoma/"


@pytest.fixture
def clinicians(staff_user):
    editor = staff_user("editor", CLINICAL_EDITORS)
    reviewer = staff_user("reviewer", CLINICAL_REVIEWERS)
    ReviewerProfile.objects.create(user=reviewer, display_name="Dr Amir Patel", role="Consultant Pathologist")
    return editor, reviewer


def edit_section_body(page, heading: str, old: str, new: str) -> None:
    row = page.locator(".editor-row").filter(has=page.locator(f"input[value='{heading}']"))
    body = row.locator("textarea.markdownx-editor")
    body.fill(body.input_value().replace(old, new))
    body.dispatch_event("input")


def shoot(page, name: str, locator=None) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    (locator or page).screenshot(path=SCREENSHOTS / f"{name}.png", **({} if locator else {"full_page": True}))


def assert_no_axe_violations(page) -> None:
    violations = run_axe(page)
    assert violations == [], "\n".join(f"{x['id']} ({x['impact']}): {x['help']}\n  " + "\n  ".join(x["nodes"])
                                       for x in violations)  # fmt: skip


def go_live_minute() -> datetime.datetime:
    # The next whole minute at least a minute away: the form takes minutes.
    soon = timezone.localtime() + datetime.timedelta(minutes=1, seconds=59)
    return soon.replace(second=0, microsecond=0)


def test_a_typo_fix_stays_a_draft_through_review_and_goes_live_at_its_time(site, visit, clinicians):
    reader = visit().page
    assert reader.goto(PAGE).status == 200
    expect(reader.locator("article")).to_contain_text(OLD)

    # The editor corrects one word on the live page and submits it.
    editor = visit().page
    log_in(editor, "editor")
    editor.goto(f"/admin/tumours/tumour/{site.pk}/change/")
    edit_section_body(editor, "Location", OLD, NEW)
    editor.get_by_role("button", name="Save and submit for review").click()
    expect(editor.locator(".messagelist")).to_contain_text("Submitted for review")
    expect(editor.locator("#state-heading")).to_have_text("State: Live · Awaiting review")

    # The public page is unchanged and online.
    assert reader.reload().status == 200
    expect(reader.locator("article")).to_contain_text(OLD)
    expect(reader.locator("article")).not_to_contain_text(NEW)

    # The reviewer finds it in the queue; the diff shows exactly that word.
    reviewer = visit().page
    log_in(reviewer, "reviewer")
    queue = reviewer.locator(".editorial-queue")
    expect(queue).to_contain_text("Leiomyosarcoma")
    shoot(reviewer, "editorial-queue-1280")
    queue.get_by_role("link", name="Leiomyosarcoma").click()
    diff = reviewer.locator(".review-columns__diff")
    expect(diff.locator("del")).to_have_count(1)
    expect(diff.locator("del")).to_have_text("[removed: hemorrhagic]")
    expect(diff.locator("ins")).to_have_text("[added: haemorrhagic]")
    expect(reviewer.locator(".review-page-render")).to_contain_text(NEW)
    shoot(reviewer, "editorial-review-1280")
    shoot(reviewer, "editorial-diff-1280", diff)
    assert_no_axe_violations(reviewer)

    # Sent back with a comment; the editor sees it, fixes the next word too and resubmits.
    reviewer.get_by_label("What needs to change").fill("Please also use British spelling for “tumors” here.")
    reviewer.get_by_role("button", name="Request changes").click()
    expect(reviewer.locator(".messagelist")).to_contain_text("Sent back to the editor")
    editor.reload()
    expect(editor.locator(".review-comment")).to_contain_text("British spelling for “tumors”")
    edit_section_body(editor, "Location", "The tumors are", "The tumours are")
    editor.get_by_role("button", name="Save and submit for review").click()
    expect(editor.locator(".messagelist")).to_contain_text("Submitted for review")

    # Approved for a time a minute or two ahead: the old page until then, the new one after.
    at = go_live_minute()
    reviewer.goto(f"/admin/tumours/tumour/{site.pk}/review/")
    expect(reviewer.locator(".review-columns__diff del")).to_have_count(2)
    reviewer.get_by_label("At a time I choose").check()
    reviewer.get_by_label("Go-live time").fill(at.strftime("%Y-%m-%dT%H:%M"))
    reviewer.get_by_role("button", name="Approve").click()
    expect(reviewer.locator(".messagelist")).to_contain_text("the current page stays online until then")
    while timezone.now() < at - datetime.timedelta(seconds=3):
        assert reader.reload().status == 200
        if timezone.now() < at:  # answered before the time (a busy machine can make a reload slow)
            assert OLD in reader.locator("article").inner_text()
        time.sleep(5)
    time.sleep(max(0.0, (at - timezone.now()).total_seconds()) + 1)
    assert reader.reload().status == 200
    expect(reader.locator("article")).to_contain_text(NEW)
    expect(reader.locator("article")).to_contain_text("The tumours are usually haemorrhagic")
    expect(reader.locator(".page-review")).to_contain_text("Reviewed by Dr Amir Patel, Consultant Pathologist")


@pytest.fixture
def editorial_screens(site, clinicians):
    editor, reviewer = clinicians
    UserFactory(username="chief", is_superuser=True)
    services.save_draft(tumour=site, by=editor, fields={"summary": site.summary.replace("malignant", "cancerous")})
    services.submit_for_review(tumour=site, by=editor)
    revision = site.revisions.order_by("created_at").first()
    # The kit's page, with a draft awaiting review: its screens are the same ones, for a kit.
    kit = TestKit.objects.get(slug="oncofocus")
    services.save_draft(kit=kit, by=editor, sections=[{"heading": "How it works", "body": "In our laboratory."}])
    services.submit_for_review(kit=kit, by=editor)
    admin, kits = "/admin/tumours/tumour/", "/admin/tumours/testkit/"
    return {
        "kit-changelist": ("editor", kits),
        "kit-add": ("editor", f"{kits}add/"),
        "kit-change": ("editor", f"{kits}{kit.pk}/change/"),
        "kit-review": ("reviewer", f"{kits}{kit.pk}/review/"),
        "kit-history": ("editor", f"{kits}{kit.pk}/history/"),
        "kit-unpublish": ("reviewer", f"{kits}{kit.pk}/unpublish/"),
        "index": ("reviewer", "/admin/"),
        "changelist": ("reviewer", admin),
        "add": ("editor", f"{admin}add/"),
        "change": ("editor", f"{admin}{site.pk}/change/"),
        "review": ("reviewer", f"{admin}{site.pk}/review/"),
        "history": ("editor", f"{admin}{site.pk}/history/"),
        "compare": ("editor", f"{admin}{site.pk}/history/{revision.pk}/compare/?with=draft"),
        "unpublish": ("reviewer", f"{admin}{site.pk}/unpublish/"),
        "review-due": ("editor", f"{admin}review-due/"),
        "reviewer-profiles": ("chief", "/admin/tumours/reviewerprofile/"),
        "reviewer-profile": ("chief", f"/admin/tumours/reviewerprofile/{reviewer.reviewer_profile.pk}/change/"),
        "preview-link": (None, services.create_preview_link(tumour=site, by=reviewer)),
    }


def test_every_editorial_screen_passes_axe_at_1280(editorial_screens, visit, monkeypatch):
    # Superusers' pages carry the misconfigured-proxy warning when it has been seen: check it too.
    monkeypatch.setattr("oncosite.proxy_warning._seen_here", True)
    failures = {}
    for name, (user, url) in editorial_screens.items():
        page = visit(1280).page
        if user:
            log_in(page, user)
        assert page.goto(url).status == 200, name
        shoot(page, f"editorial-{name}-1280")
        violations = run_axe(page)
        for v in violations:
            failures.setdefault(name, []).append(f"{v['id']}: {v['help']}\n    " + "\n    ".join(v["nodes"][:4]))
    assert failures == {}, "\n".join(f"{name}:\n  " + "\n  ".join(lines) for name, lines in failures.items())
