"""Local development: debug on, a throwaway key, e-mail printed to the console."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-only-insecure-key-never-use-in-production")
EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
# Serve files straight from static/ so a newcomer need not run collectstatic.
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
# Lets `make run` create a local admin/admin login (create_dev_admin refuses anywhere else), which logs in
# without a second factor here; STAFF_TWO_FACTOR_REQUIRED=true tries the two-factor pages locally.
ALLOW_DEV_ADMIN = True
STAFF_TWO_FACTOR_REQUIRED = env.bool("STAFF_TWO_FACTOR_REQUIRED", default=False)
WHITENOISE_AUTOREFRESH = True
SERVE_MEDIA = env.bool("DJANGO_SERVE_MEDIA", default=True)
