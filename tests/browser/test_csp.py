"""The Content-Security-Policy in a real browser: the admin, markdownx's live preview included, still works."""

import pytest

from tests.factories import UserFactory
from tests.two_factor import app_device, next_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Collects every violation the browser reports; an init script is not itself subject to the policy.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${where}`);
});
"""


@pytest.fixture
def page(browser):
    context = browser.new_context()
    context.set_default_timeout(10_000)
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    yield page
    context.close()


def violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations") + [e for e in page.console_errors if "Content Security" in e]


def test_the_editor_and_its_live_preview_work_under_the_policy(page, live_server, demo_tumour):
    device = app_device(UserFactory(username="chief", is_superuser=True))
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "chief")
    page.fill("#id_password", "correct horse battery")
    page.click("input[type=submit]")
    page.fill("#id_code", next_code(device))
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")

    page.goto(f"{live_server.url}/admin/tumours/tumour/{demo_tumour.pk}/change/")
    summary = page.locator("#id_summary")
    summary.fill("## Checked under CSP\n\nA **bold** claim.")
    summary.dispatch_event("input")
    preview = page.locator("#id_summary").locator("xpath=..").locator(".markdownx-preview")
    preview.locator("h2", has_text="Checked under CSP").wait_for()
    assert preview.locator("strong").inner_text() == "bold"
    # The admin's own scripts run too: "Add another Section" adds a row with its own live editor.
    bodies = page.locator("textarea[name^='sections-'][name$='-body']:not([name*='__prefix__'])")
    before = bodies.count()
    page.get_by_role("button", name="Add another Section").click()
    assert bodies.count() == before + 1
    new_body = bodies.nth(before)
    new_body.fill("A *new* section")
    new_body.dispatch_event("input")
    new_body.locator("xpath=..").locator(".markdownx-preview em", has_text="new").wait_for()

    for path in ("/", "/tumours/", demo_tumour.get_absolute_url(), f"{demo_tumour.get_absolute_url()}request-test/"):
        page.goto(live_server.url + path)
    assert violations(page) == []


def test_the_browser_blocks_what_the_policy_forbids(page, live_server, demo_tumour):
    # Guards the check above: an injected inline script must be refused and reported.
    page.goto(live_server.url + demo_tumour.get_absolute_url())
    page.evaluate("""() => { const s = document.createElement("script"); s.textContent = "window.__ran = true";
                           document.body.appendChild(s); }""")
    assert page.evaluate("window.__ran") is None
    assert any("script-src" in v for v in violations(page))
