"""Real-browser tests: Playwright's sync API driving Debian's chromium against pytest-django's live_server."""

import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model

from tests.factories import SectionFactory, UserFactory
from tests.two_factor import app_device, next_code
from tumours.demo_content import load_demo_content

# Playwright's sync API runs an event loop in this thread; Django's ORM must still be usable from it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "screenshots"
PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        pytest.fail(f"No chromium at {CHROMIUM}: install Debian's chromium (apt-get install chromium).")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()
    playwright.stop()


class Visit:
    """A browser context that records anything a page asks of another site, and any script error."""

    def __init__(self, browser, base_url: str, width: int, javascript: bool = True):
        self.base_url = base_url
        self.context = browser.new_context(
            viewport={"width": width, "height": 900}, base_url=base_url, java_script_enabled=javascript
        )
        self.context.set_default_timeout(10_000)
        if AXE_JS.exists():
            # An init script is not subject to the page's Content-Security-Policy, unlike a <script> tag.
            self.context.add_init_script(path=str(AXE_JS))
        self.foreign_requests: list[str] = []
        self.errors: list[str] = []
        own = urlsplit(base_url).netloc
        self.context.on("request", lambda r: urlsplit(r.url).netloc in ("", own) or self.foreign_requests.append(r.url))
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", lambda msg: msg.type == "error" and self.errors.append(msg.text))

    def close(self):
        self.context.close()


@pytest.fixture
def visit(browser, live_server):
    opened: list[Visit] = []

    def open_visit(width: int = 1280, javascript: bool = True) -> Visit:
        opened.append(Visit(browser, live_server.url, width, javascript))
        return opened[-1]

    yield open_visit
    for v in opened:
        assert v.foreign_requests == [], "public pages must not request anything from other sites"
        v.close()


@pytest.fixture
def site(transactional_db, live_server, settings):
    """The demo page with enough sections for a contents list, and no minimum time on the request form."""
    settings.ORDER_FORM_MIN_SECONDS = 0
    tumour = load_demo_content()
    for heading in ["Symptoms", "Diagnosis", "Outlook"]:
        # Citing the demo page's source, as every section must for an approval.
        body = f"What to know about {heading.lower()}. [@wikipedia-lms]"
        SectionFactory(tumour=tumour, heading=heading, body=body, position=10)
    return tumour


@pytest.fixture
def staff_user(transactional_db):
    def make(username: str, group: str):
        return UserFactory(username=username, password=PASSWORD, groups=[group])

    return make


def log_in(page, username: str) -> None:
    """Password, then the code the staff member's authenticator app shows (computed from its key)."""
    device = app_device(get_user_model().objects.get(username=username))
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/two-factor/**")
    page.get_by_label("Code").fill(next_code(device))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url("**/admin/")


def send_request(page, *, requester: str, name: str, email: str, country: str) -> None:
    """Fill in and send the request form on the current page, as a visitor with a mouse would."""
    page.get_by_label(requester).check()
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Country").select_option(country)
    page.get_by_role("checkbox").check()
    page.get_by_role("button", name="Send my request").click()


def run_axe(page) -> list[dict]:
    """WCAG 2.2 AA violations on the current page, as plain dicts."""
    assert AXE_JS.exists(), "axe-core is missing: run `make test` (it runs npm ci) or `npm ci`"
    return page.evaluate(
        """async () => {
            const results = await axe.run(document, {
                runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
            });
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(" ") + " :: " + n.failureSummary),
            }));
        }"""
    )
