"""Settings shared by every environment; all configuration is read from the environment here."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A developer may keep local overrides in .env; real deployments set variables directly.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_countries",
    "markdownx",
    "django_ratelimit",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "oncosite",
    "tumours",
    "orders",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before whitenoise, so static files carry these headers too.
    "oncosite.middleware.SecurityHeadersMiddleware",
    # Warns once when a proxy forwards requests that CLIENT_IP_HEADER does not describe.
    "oncosite.proxy_warning.ForwardedForWarningMiddleware",
    "csp.middleware.CSPMiddleware",
    "oncosite.middleware.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # ETag on every page, and 304 Not Modified when the browser's copy is current.
    "django.middleware.http.ConditionalGetMiddleware",
    # Cache-Control and Surrogate-Key for the front cache (oncosite/front_cache.py): above the page cache's early
    # answer, so a page from the cache and one built afresh get the same headers.
    "oncosite.front_cache.FrontCacheHeadersMiddleware",
    # A cached public page for a visitor without a session is answered here, before sessions, CSRF and auth.
    "tumours.cache.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Whether this session passed the second factor, then: no admin page for a staff session that has not.
    "django_otp.middleware.OTPMiddleware",
    "oncosite.two_factor.StaffTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "oncosite.urls"
WSGI_APPLICATION = "oncosite.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "oncosite.context_processors.canonical_url",
                "oncosite.context_processors.company",
                "oncosite.proxy_warning.admin_warning",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media")
# Let Django serve uploads (oncosite/media.py: nosniff, download unless an image) when no web server does.
SERVE_MEDIA = env.bool("DJANGO_SERVE_MEDIA", default=False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("DJANGO_EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("DJANGO_EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("DJANGO_EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("DJANGO_EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("DJANGO_EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="Oncosite <no-reply@oncosite.example>")
# Absolute links in e-mails (the admin link for sales, the status link for requesters).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# One renderer for the admin preview and the public page: see tumours/markdown.py.
MARKDOWNX_MARKDOWNIFY_FUNCTION = "tumours.markdown.render_markdown"
# The package's own views are open to anyone; ours (oncosite/urls.py) are staff-only.
MARKDOWNX_URLS_PATH = "/admin/markdownx/markdownify/"
MARKDOWNX_UPLOAD_URLS_PATH = "/admin/markdownx/upload/"
MARKDOWNX_MEDIA_PATH = "uploads/"

# Editorial control (tumours/services.py): the person who approves a draft must not be its last editor. Turn off only
# on a site with a single clinician; every self-approval is then marked in the page's history.
EDITORIAL_FOUR_EYES = env.bool("EDITORIAL_FOUR_EYES", default=True)

# What a clinician checks before trusting a page (README "Evidence, plain language, links and feedback").
# Approval refuses a page with a section that cites none of its sources; off, the review screen only warns.
EDITORIAL_REQUIRE_CITATIONS = env.bool("EDITORIAL_REQUIRE_CITATIONS", default=True)
# Flesch-Kincaid grade above which the editor, the review screen and the page list mark a text as hard to read
# (grade 9: readable by most 14-15 year olds, near the reading age the NHS content standard writes for).
READABILITY_TARGET_GRADE = env.float("READABILITY_TARGET_GRADE", default=9)
# check_links (tumours/link_checker.py): seconds before a link counts as not answering, requests at once in all,
# and seconds between two requests to one host.
LINK_CHECK_TIMEOUT = env.float("LINK_CHECK_TIMEOUT", default=10)
LINK_CHECK_CONCURRENCY = env.int("LINK_CHECK_CONCURRENCY", default=4)
LINK_CHECK_HOST_INTERVAL = env.float("LINK_CHECK_HOST_INTERVAL", default=1.0)
# Links to loopback, private and link-local addresses are not requested: an editor's link must not make the
# server probe its own network. The tests' HTTP server is on 127.0.0.1, so their settings allow it.
LINK_CHECK_ALLOW_PRIVATE_ADDRESSES = False
# "Is this page helpful?" answers one client address may send per period (N/s, N/m, N/h or N/d).
FEEDBACK_RATE_LIMIT = env("FEEDBACK_RATE_LIMIT", default="10/h")
# Seconds a page must have been open before its feedback form is taken (as ORDER_FORM_MIN_SECONDS).
FEEDBACK_FORM_MIN_SECONDS = env.int("FEEDBACK_FORM_MIN_SECONDS", default=2)

# Public pages are cached for anonymous visitors (tumours/cache.py) and dropped on every content change;
# this is only the longest any entry may live.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=600)
# With Redis, each app process also keeps copies of the most used pages in its own memory, at most this many
# pages and bytes (per process: a server holds workers times this), served without asking Redis while a Redis
# subscription tells the process of every drop at once; 0 pages turns the copies off.
PAGE_CACHE_LOCAL_PAGES = env.int("PAGE_CACHE_LOCAL_PAGES", default=1000)
PAGE_CACHE_LOCAL_BYTES = env.int("PAGE_CACHE_LOCAL_BYTES", default=16 * 1024 * 1024)
# The front cache (Varnish or a CDN, README "Production"): public pages tell it how long to keep them
# (oncosite/front_cache.py), and every change purges exactly what it affects, so it may keep them long.
# Browsers: briefly, since nothing can purge a browser's copy; a visitor sees an edit within a minute.
FRONT_CACHE_MAX_AGE = env.int("FRONT_CACHE_MAX_AGE", default=60)
# The front cache: a day. Every change purges it at once; the day only bounds a purge that was lost.
FRONT_CACHE_S_MAXAGE = env.int("FRONT_CACHE_S_MAXAGE", default=24 * 60 * 60)
# After expiry, the old copy may be served for this long while the new one is fetched: no visitor waits for it.
FRONT_CACHE_STALE_WHILE_REVALIDATE = env.int("FRONT_CACHE_STALE_WHILE_REVALIDATE", default=60)
# While every app server is down, the last good page is served for up to a day rather than an error.
FRONT_CACHE_STALE_IF_ERROR = env.int("FRONT_CACHE_STALE_IF_ERROR", default=24 * 60 * 60)
# Where purges go: each address gets `PURGE` with a Surrogate-Key header naming the keys (comma-separated list,
# e.g. http://127.0.0.1:6081/ for a Varnish on each web host). Empty: no front cache, nothing is sent.
FRONT_CACHE_PURGE_URLS = env.list("FRONT_CACHE_PURGE_URLS", default=[])
# Seconds a purge may take before it counts as failed and is retried later.
FRONT_CACHE_PURGE_TIMEOUT = env.float("FRONT_CACHE_PURGE_TIMEOUT", default=2)
# A commit touching more keys than this (a bulk import) purges key "all" instead: a header of thousands of keys
# is longer than Varnish accepts (8 KB).
FRONT_CACHE_PURGE_MAX_KEYS = env.int("FRONT_CACHE_PURGE_MAX_KEYS", default=100)
# Redis is a cache, never a single point of failure (oncosite/redis_cache.py): while it is away pages are built
# from the database, edits and requests are saved, and the rate limits count in each process's memory.
# Every app server must share it in production (the rate limits count across servers); without REDIS_URL
# (development, tests) per-process memory caches stand in, and production's `check --deploy` fails.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        # After an outage the page cache drops every page: a drop may have been missed while Redis was away.
        "default": {
            "BACKEND": "oncosite.redis_cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"ON_RECOVERY": "tumours.cache.drop_public_pages"},
        },
        "ratelimit": {"BACKEND": "oncosite.redis_cache.LocalFallbackRedisCache", "LOCATION": REDIS_URL},
    }
    # django-ratelimit lists only third-party Redis backends; Django's own increments atomically too.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "default"},
        "ratelimit": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ratelimit"},
    }
    # A per-process cache counts per process: acceptable for one dev server or a test run, not production.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
RATELIMIT_USE_CACHE = "ratelimit"

# Searches a client IP may run per period past the cache (N/s, N/m, N/h or N/d); past it, a friendly 429 page.
SEARCH_RATE_LIMIT = env("SEARCH_RATE_LIMIT", default="60/m")

# Test requests (orders/): see README "Test requests".
ORDER_RATE_LIMIT = env("ORDER_RATE_LIMIT", default="5/h")  # read at request time, so tests may override it
# Behind a proxy, the request header (as in request.META) carrying the client IP, e.g. HTTP_X_FORWARDED_FOR;
# empty: REMOTE_ADDR. With X-Forwarded-For the entry TRUSTED_PROXY_COUNT places from the right is used:
# the one our own proxies appended, which a client cannot forge.
CLIENT_IP_HEADER = env("CLIENT_IP_HEADER", default="")
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1)
ORDER_FORM_MIN_SECONDS = env.int("ORDER_FORM_MIN_SECONDS", default=3)
ORDER_RETENTION_DAYS = env.int("ORDER_RETENTION_DAYS", default=730)
SALES_NOTIFICATION_EMAILS = env.list("SALES_NOTIFICATION_EMAILS", default=[])
# The sales team's working week: waiting times, the first-contact deadline and "overdue" count only these hours
# (orders/working_hours.py). The deadline is SALES_FIRST_CONTACT_SLA working hours after a request arrives.
SALES_WORKING_DAYS = env.list("SALES_WORKING_DAYS", default=["mon", "tue", "wed", "thu", "fri"])
SALES_WORKING_HOURS = env("SALES_WORKING_HOURS", default="09:00-17:30")
SALES_TIME_ZONE = env("SALES_TIME_ZONE", default="Europe/London")
SALES_FIRST_CONTACT_SLA = env.float("SALES_FIRST_CONTACT_SLA", default=8.5)  # one working day
# Replies to e-mails sent to requesters go to the request's owner, or here when it has none.
SALES_REPLY_TO = env("SALES_REPLY_TO", default="Oncosite sales team <sales@oncosite.example>")
# The company's contact details and the privacy notice's facts (the /contact/ and /privacy/ pages, e-mails).
SITE_COMPANY_NAME = env("SITE_COMPANY_NAME", default="Oncosite Ltd")
SITE_CONTACT_EMAIL = env("SITE_CONTACT_EMAIL", default="hello@oncosite.example")
SITE_CONTACT_PHONE = env("SITE_CONTACT_PHONE", default="+44 20 7946 0000")
SITE_CONTACT_HOURS = env("SITE_CONTACT_HOURS", default="Monday to Friday, 9:00 to 17:30 (UK time)")
# Lines separated by "|", e.g. "Oncosite Ltd|1 Example Street|London EC1A 1AA|United Kingdom".
SITE_POSTAL_ADDRESS = env("SITE_POSTAL_ADDRESS", default="1 Example Street|London EC1A 1AA|United Kingdom").split("|")
PRIVACY_CONTACT_EMAIL = env("PRIVACY_CONTACT_EMAIL", default="privacy@oncosite.example")
PRIVACY_EMAIL_PROVIDER = env("PRIVACY_EMAIL_PROVIDER", default="our e-mail delivery provider")
PRIVACY_SUPERVISORY_AUTHORITY = env(
    "PRIVACY_SUPERVISORY_AUTHORITY", default="the Information Commissioner's Office (ICO)"
)
PRIVACY_SUPERVISORY_AUTHORITY_URL = env(
    "PRIVACY_SUPERVISORY_AUTHORITY_URL", default="https://ico.org.uk/make-a-complaint/"
)
# CRM hand-off: each new request and status change is posted as signed JSON to every URL here (orders/webhooks.py).
SALES_WEBHOOK_URL = env.list("SALES_WEBHOOK_URL", default=[])
SALES_WEBHOOK_SECRET = env("SALES_WEBHOOK_SECRET", default="")
# Notifications run as tasks (django-tasks): immediately in the web process here; production.py uses the
# database queue and its worker.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Security headers (production and everywhere else, so a page that breaks the policy breaks in dev first).
# SecurityMiddleware and XFrameOptionsMiddleware send these (Django's defaults, stated so nobody loosens them);
# oncosite/middleware.py adds Permissions-Policy (and X-Frame-Options on static files); django-csp adds the CSP.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# No 'unsafe-inline' or 'unsafe-eval' anywhere: the site and Django 5.2's admin (markdownx included) load
# scripts and styles only from files, and markdownx sizes its editor through element.style, which
# style-src does not govern. Images only from this site: no third-party pixels see our visitors.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), interest-cohort=()"

# Staff log in at /admin/: 5 wrong passwords for one account from one IP lock that pair out for an hour.
# django-axes keeps attempts in the database, so the count holds across app servers.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = env.int("DJANGO_LOGIN_LOCKOUT_HOURS", default=1)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "axes/locked_out.html"
# Behind a proxy REMOTE_ADDR is the proxy's: oncosite/client_ip.py follows CLIENT_IP_HEADER and
# TRUSTED_PROXY_COUNT, as the request form's rate limit does.
AXES_CLIENT_IP_CALLABLE = "oncosite.client_ip.client_ip"

# Staff need a second factor after the password (oncosite/two_factor.py): a code from an authenticator app, or a
# single-use recovery code. On everywhere except the dev settings; production's `check --deploy` fails without it.
STAFF_TWO_FACTOR_REQUIRED = env.bool("STAFF_TWO_FACTOR_REQUIRED", default=True)
OTP_TOTP_ISSUER = "Oncosite"

# Sessions live in the database (django.contrib.sessions' default), so every app server sees them.
# Only staff log in; their sessions end 8 hours after login. The cookie is HTTP-only and SameSite=Lax
# (Django's defaults, stated here so that nobody loosens them by accident); production makes it Secure.
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
}
