from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from tests.factories import UserFactory
from tests.two_factor import app_device, next_code

pytestmark = pytest.mark.django_db

RIGHT = "correct horse battery"


def log_in(client, password, username="editor", ip="203.0.113.7"):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_five_wrong_passwords_lock_the_account_from_that_address(client, editor):
    for _ in range(4):
        response = log_in(client, "wrong")
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.content.decode()
    response = log_in(client, "wrong")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Login temporarily locked" in page
    assert "5 failed attempts" in page and "“editor”" in page and "locked for 60 minutes" in page
    # Even the right password is refused while locked.
    response = log_in(client, RIGHT)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_account_and_address(client, editor):
    UserFactory(username="sales")
    for _ in range(5):
        log_in(client, "wrong")
    assert log_in(client, RIGHT).status_code == 429
    # Another address may still log in as the same account, and the same address as another account.
    assert log_in(client, RIGHT, ip="198.51.100.1").status_code == 302
    client.logout()
    assert log_in(client, RIGHT, username="sales").status_code == 302


def test_a_successful_login_resets_the_count(client, editor):
    for _ in range(4):
        log_in(client, "wrong")
    assert log_in(client, RIGHT).status_code == 302
    client.logout()
    for _ in range(4):
        log_in(client, "wrong")
    assert log_in(client, RIGHT).status_code == 302


def test_staff_sessions_end_after_eight_hours(client, editor):
    device = app_device(editor)
    assert log_in(client, RIGHT).status_code == 302
    assert client.post("/admin/two-factor/", {"code": next_code(device)}).status_code == 302
    assert client.session.get_expiry_age() == 8 * 60 * 60
    assert client.get("/admin/").status_code == 200
    session = Session.objects.get(session_key=client.session.session_key)
    session.expire_date = timezone.now() - timedelta(seconds=1)
    session.save()
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_behind_a_proxy_the_lockout_follows_the_visitor_not_the_proxy(client, editor, settings):
    settings.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.TRUSTED_PROXY_COUNT = 1

    def via_proxy(password, visitor, forged=""):
        chain = f"{forged}, {visitor}" if forged else visitor
        data = {"username": "editor", "password": password}
        return client.post("/admin/login/", data, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=chain)

    for _ in range(5):
        via_proxy("wrong", "203.0.113.7")
    # A forged first entry does not free the attacker; another visitor behind the same proxy is not locked.
    assert via_proxy(RIGHT, "203.0.113.7", forged="198.51.100.99").status_code == 429
    assert via_proxy(RIGHT, "198.51.100.1").status_code == 302
