"""Staff log in with a password and a code from their phone (TOTP) or a single-use recovery code.

These tests log in through the login form, so the session waits for the second factor (force_login, used
elsewhere, stands for a whole login). Codes are computed from the device's key, as an authenticator app does.
"""

import re
import time
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from oncosite.two_factor import RECOVERY_CODE_COUNT
from tests.factories import TestRequestFactory, UserFactory
from tests.two_factor import app_device, code_for_key, code_for_secret, next_code

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


@pytest.fixture
def sales_person(db):
    from oncosite.roles import SALES_TEAM

    user = UserFactory(username="sam", groups=[SALES_TEAM])
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def superuser(db):
    user = UserFactory(username="root", is_superuser=True)
    user.set_password(PASSWORD)
    user.save()
    return user


def after_a_wrong_code():
    time.sleep(1.1)  # django-otp refuses any code for a second after a wrong one


def password_only(user) -> Client:
    client = Client()
    response = client.post("/admin/login/?next=/admin/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, "the password step itself is unchanged"
    return client


def admin_urls(test_request, tumour) -> list[str]:
    return [
        "/admin/",
        reverse("admin:orders_testrequest_changelist"),
        reverse("admin:orders_testrequest_change", args=[test_request.pk]),
        reverse("admin:orders_testrequest_export"),
        reverse("admin:orders_testrequest_overview"),
        reverse("admin:tumours_tumour_changelist"),
        reverse("admin:tumours_tumour_change", args=[tumour.pk]),
        reverse("admin:tumours_tumour_preview", args=[tumour.pk]),
        reverse("admin:auth_user_changelist"),
        reverse("admin:password_change"),
    ]


def test_a_password_only_staff_session_reaches_no_admin_page(superuser, sales_person, draft):
    test_request = TestRequestFactory(full_name="Ada Lovelace", email="ada@example.com", tumour=draft)
    for user in (superuser, sales_person):
        client = password_only(user)
        for url in admin_urls(test_request, draft):
            response = client.get(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith("/admin/two-factor/setup/"), url
            assert b"Ada" not in response.content and b"ada@example.com" not in response.content
        for url in ("/admin/markdownx/markdownify/", "/admin/markdownx/upload/"):
            assert client.post(url, {"content": "**x**"}).status_code == 403, url
        assert client.post(reverse("admin:orders_testrequest_changelist"), {"action": "x"}).status_code == 403


def test_a_password_only_session_sees_the_public_site_as_a_visitor_does(superuser, draft):
    client = password_only(superuser)
    assert client.get(draft.get_absolute_url()).status_code == 404  # drafts need the second factor too


def test_first_login_enrols_with_a_qr_code_then_shows_single_use_recovery_codes(sales_person):
    client = password_only(sales_person)
    response = client.get("/admin/", follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0].startswith("/admin/two-factor/setup/")
    # The QR code is drawn on the server as inline SVG paths: nothing loaded from elsewhere, no script, no style.
    figure = page[page.index('<figure class="two-factor__qr"') :]
    svg = figure[figure.index("<svg") : figure.index("</svg>")]
    assert "<path" in svg and "script" not in svg and "style=" not in svg
    assert "<script" not in page.replace('<script src="', "")
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    secret = unescape(re.search(r'<code class="two-factor__key">([A-Z2-7 ]+)</code>', page).group(1))

    wrong = client.post("/admin/two-factor/setup/?next=/admin/", {"code": "000000"})
    assert "That code did not work" in wrong.content.decode()
    assert not TOTPDevice.objects.get(user=sales_person).confirmed
    after_a_wrong_code()

    response = client.post("/admin/two-factor/setup/?next=/admin/", {"code": code_for_secret(secret)}, follow=True)
    page = response.content.decode()
    assert "Your recovery codes" in page
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", page)
    assert len(set(codes)) == RECOVERY_CODE_COUNT
    assert StaticToken.objects.filter(device__user=sales_person).count() == RECOVERY_CODE_COUNT
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/two-factor/recovery-codes/").status_code == 302  # shown once only


def test_later_logins_ask_for_the_code_from_the_app(sales_person):
    device = app_device(sales_person)
    client = password_only(sales_person)
    response = client.get(reverse("admin:orders_testrequest_changelist"))
    assert response["Location"] == "/admin/two-factor/?next=%2Fadmin%2Forders%2Ftestrequest%2F"
    wrong = client.post(response["Location"], {"code": "123456"})
    assert "That code did not work" in wrong.content.decode()
    after_a_wrong_code()
    response = client.post(response["Location"], {"code": next_code(device)})
    assert response["Location"] == "/admin/orders/testrequest/"
    assert client.get("/admin/orders/testrequest/?view=all").status_code == 200


def test_a_code_cannot_be_used_twice(sales_person):
    device = app_device(sales_person)
    code = next_code(device)
    assert password_only(sales_person).post("/admin/two-factor/", {"code": code}).status_code == 302
    replay = password_only(sales_person).post("/admin/two-factor/", {"code": code})
    assert replay.status_code == 200 and "That code did not work" in replay.content.decode()


def test_a_recovery_code_works_once(sales_person):
    from oncosite.two_factor import new_recovery_codes

    app_device(sales_person)
    code = new_recovery_codes(sales_person)[0]
    assert password_only(sales_person).post("/admin/two-factor/", {"code": code.upper()}).status_code == 302
    again = password_only(sales_person).post("/admin/two-factor/", {"code": code})
    assert "That code did not work" in again.content.decode()
    assert StaticToken.objects.filter(device__user=sales_person).count() == RECOVERY_CODE_COUNT - 1


def test_repeated_wrong_codes_are_slowed_down(sales_person):
    device = app_device(sales_person)
    client = password_only(sales_person)
    for _ in range(3):
        client.post("/admin/two-factor/", {"code": "000000"})
    response = client.post("/admin/two-factor/", {"code": next_code(device)})
    assert "Too many wrong codes" in response.content.decode()
    assert client.get("/admin/").status_code == 302


def test_the_next_address_stays_on_this_site(sales_person):
    device = app_device(sales_person)
    client = password_only(sales_person)
    response = client.post("/admin/two-factor/?next=https://evil.example/", {"code": next_code(device)})
    assert response["Location"] == "/admin/"


def test_codes_are_computed_like_an_authenticator_app(sales_person):
    # RFC 6238's first test vector: the key "12345678901234567890" at 59 s gives 94287082 (8 digits); 6 digits: 287082.
    assert code_for_key(b"12345678901234567890", at=59) == "287082"


def test_without_the_setting_the_password_is_enough(sales_person, settings):
    settings.STAFF_TWO_FACTOR_REQUIRED = False  # the dev settings' default, for `make run`'s admin/admin
    changelist = reverse("admin:orders_testrequest_changelist") + "?view=all"
    assert password_only(sales_person).get(changelist).status_code == 200
