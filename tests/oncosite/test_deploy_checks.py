"""A deployment that would run but quietly fail people is stopped by `check --deploy`, and a proxy the settings
do not describe is reported once in the log and to superusers in the admin."""

import logging
import subprocess
import sys

import pytest

from oncosite import proxy_warning
from tests.factories import UserFactory
from tests.servers import REPO, production_env


def deploy_check(**env: str) -> subprocess.CompletedProcess:
    environment = production_env(**env)
    command = [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"]
    return subprocess.run(command, cwd=REPO, env=environment, capture_output=True, text=True)  # noqa: S603


def test_production_without_sales_addresses_or_redis_fails_the_deploy_check():
    result = deploy_check()
    assert result.returncode != 0
    assert "(oncosite.E001) SALES_NOTIFICATION_EMAILS is empty" in result.stderr
    assert "(oncosite.E002) REDIS_URL is not set" in result.stderr


def test_production_with_two_factor_turned_off_fails_the_deploy_check():
    result = deploy_check(
        SALES_NOTIFICATION_EMAILS="sales@oncosite.example",
        REDIS_URL="redis://127.0.0.1:6379/0",
        DJANGO_SECURE_SSL_REDIRECT="true",
        STAFF_TWO_FACTOR_REQUIRED="false",
    )
    assert result.returncode != 0
    assert "(oncosite.E003) STAFF_TWO_FACTOR_REQUIRED is off" in result.stderr
    assert "E001" not in result.stderr and "E002" not in result.stderr


@pytest.fixture
def fresh_process(monkeypatch):
    monkeypatch.setattr(proxy_warning, "_seen_here", False)


@pytest.mark.django_db
def test_forwarded_for_without_client_ip_header_warns_once_and_tells_superusers(client, fresh_process, caplog):
    caplog.set_level(logging.WARNING, logger="oncosite.proxy_warning")
    for _ in range(3):
        client.get("/robots.txt", HTTP_X_FORWARDED_FOR="203.0.113.9")
    warnings = [r for r in caplog.records if r.name == "oncosite.proxy_warning"]
    assert len(warnings) == 1 and "CLIENT_IP_HEADER" in warnings[0].getMessage()

    client.force_login(UserFactory(username="root", is_superuser=True))
    assert "X-Forwarded-For header but CLIENT_IP_HEADER is not set" in client.get("/admin/").content.decode()


@pytest.mark.django_db
def test_other_servers_admin_shows_it_too_and_other_staff_do_not_see_it(sales_client, client, fresh_process):
    client.get("/robots.txt", HTTP_X_FORWARDED_FOR="203.0.113.9")
    proxy_warning._seen_here = False  # another process: it knows only what the shared cache says
    assert proxy_warning.misconfigured_proxy_seen()
    page = sales_client.get("/admin/").content.decode()
    assert "CLIENT_IP_HEADER" not in page


@pytest.mark.django_db
def test_no_warning_when_the_proxy_is_configured(client, fresh_process, settings, caplog):
    settings.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    client.get("/robots.txt", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert not proxy_warning.misconfigured_proxy_seen()
    assert not [r for r in caplog.records if r.name == "oncosite.proxy_warning"]
