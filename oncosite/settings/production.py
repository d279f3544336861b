"""Production: every secret comes from the environment, and the site refuses to start without it."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith(("dev-", "test-")):
    raise ImproperlyConfigured("Set DJANGO_SECRET_KEY to a random value of at least 50 characters.")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
# Reuse database connections across requests (a new PostgreSQL connection costs milliseconds); the health check
# drops a connection that died with a database restart, so the site recovers by itself.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
# Load balancers probe app servers over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz(/strict)?$"]
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

# Notifications wait in the database until `manage.py db_worker` sends them (see README).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# The rate limit needs a cache shared by every app server: without REDIS_URL, `manage.py check` fails.
SILENCED_SYSTEM_CHECKS = [check for check in SILENCED_SYSTEM_CHECKS if check != "django_ratelimit.E003"]  # noqa: F405
