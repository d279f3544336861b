"""Settings for pytest: fast, isolated, and never sending real e-mail."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403

SECRET_KEY = "test-only-key"  # noqa: S105 - never used outside the test run
DEBUG = False
# Fast hashing: tests create many users; the real hashers are exercised in production.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Manifest storage needs collectstatic; tests render templates without it.
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
# Uploaded files from tests go to a scratch folder, not the developer's media/.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="oncosite-test-media-"))
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
# Serve static files from the finders, as in dev: tests never run collectstatic.
WHITENOISE_AUTOREFRESH = True
# Tests post a form right after fetching it; the tests of the timing rule set it back.
ORDER_FORM_MIN_SECONDS = 0
SALES_NOTIFICATION_EMAILS = ["sales@oncosite.invalid"]
FEEDBACK_FORM_MIN_SECONDS = 0
# The link checker's tests run their HTTP server on 127.0.0.1; the test of the refusal sets it back.
LINK_CHECK_ALLOW_PRIVATE_ADDRESSES = True
# SQLite's in-memory test database reaches other threads (a browser test's live server) through a shared cache
# that locks whole tables and fails at once, without waiting: a test thread touching a table while the live
# server wrote to it failed with "database table is locked". A database file waits its turn instead.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(Path(tempfile.mkdtemp(prefix="oncosite-test-db-")) / "test.sqlite3")
    }
