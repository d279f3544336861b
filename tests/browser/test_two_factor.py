"""Two-factor enrolment in a real browser: password, QR code drawn by the server, the app's code, recovery codes,
the admin; under the site's Content-Security-Policy, with nothing loaded from elsewhere."""

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.browser.conftest import PASSWORD, SCREENSHOTS
from tests.factories import UserFactory
from tests.two_factor import code_for_secret, next_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_new_staff_member_enrols_at_first_login_then_logs_in_with_the_app(visit):
    from oncosite.roles import SALES_TEAM

    user = UserFactory(username="sam", password=PASSWORD, groups=[SALES_TEAM])
    session = visit()
    page = session.page
    page.goto("/admin/login/")
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.wait_for_url("**/admin/two-factor/setup/**")
    qr = page.get_by_label("QR code for your authenticator app").locator("svg")
    box = qr.bounding_box()
    assert box["width"] > 150 and box["height"] > 150  # large enough for a phone to scan
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "two-factor-setup.png"), full_page=True)
    secret = page.locator("code.two-factor__key").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{4}( [A-Z2-7]{1,4})+", secret)

    page.get_by_role("textbox", name="Code").fill(code_for_secret(secret))
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    page.wait_for_url("**/admin/two-factor/recovery-codes/**")
    assert page.locator(".two-factor__codes code").count() == 10
    page.get_by_role("link", name="I have saved my recovery codes: continue").click()
    page.wait_for_url("**/admin/")
    assert page.get_by_role("link", name="Test requests").count() > 0

    # Next time: password, then the app's current code.
    page.get_by_role("button", name="Log out").click()
    page.goto("/admin/login/")
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/two-factor/?**")
    page.get_by_label("Code").fill(next_code(TOTPDevice.objects.get(user=user)))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url("**/admin/")
    assert session.errors == []  # no script error, no Content-Security-Policy violation
