import runpy

import oncosite.settings.base

BASE = oncosite.settings.base.__file__


def test_cache_is_redis_when_redis_url_is_set_else_memory(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    conf = runpy.run_path(BASE)
    assert conf["CACHES"]["default"]["BACKEND"] == "oncosite.redis_cache.FailOpenRedisCache"
    assert conf["CACHES"]["default"]["LOCATION"] == "redis://127.0.0.1:6379/0"
    # The rate limits count in Redis too, and in each process's memory while Redis is away.
    assert conf["CACHES"]["ratelimit"]["BACKEND"] == "oncosite.redis_cache.LocalFallbackRedisCache"
    assert conf["RATELIMIT_USE_CACHE"] == "ratelimit"
    monkeypatch.delenv("REDIS_URL")
    conf = runpy.run_path(BASE)
    assert conf["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert conf["ORDER_RATE_LIMIT"] == "5/h" and conf["ORDER_FORM_MIN_SECONDS"] == 3
    assert conf["ORDER_RETENTION_DAYS"] == 730 and conf["CLIENT_IP_HEADER"] == ""
    assert conf["TASKS"]["default"]["BACKEND"] == "django_tasks.backends.immediate.ImmediateBackend"


def test_production_queues_notifications_in_the_database(monkeypatch):
    monkeypatch.setenv("DJANGO_SECRET_KEY", "p" * 60)
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "www.oncosite.example")
    conf = runpy.run_module("oncosite.settings.production")
    assert conf["TASKS"]["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"
    # Without a shared cache the rate limit would count per process: the check must not be silenced.
    assert "django_ratelimit.E003" not in conf["SILENCED_SYSTEM_CHECKS"]
    assert conf["STAFF_TWO_FACTOR_REQUIRED"] is True


def test_only_the_dev_settings_let_staff_in_without_a_second_factor(monkeypatch):
    monkeypatch.delenv("STAFF_TWO_FACTOR_REQUIRED", raising=False)
    assert runpy.run_module("oncosite.settings.dev")["STAFF_TWO_FACTOR_REQUIRED"] is False
    from oncosite.settings import test as test_settings

    assert test_settings.STAFF_TWO_FACTOR_REQUIRED is True
