from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from oncosite import health, media, pages, two_factor
from tumours import markdownx_views

admin.site.site_header = "Oncosite administration"
admin.site.site_title = "Oncosite admin"
admin.site.index_title = "Tumour pages and test requests"
# The sales list has many columns; the sidebar squeezes them off-screen on a laptop.
admin.site.enable_nav_sidebar = False

urlpatterns = [
    # Staff-only replacements for markdownx's open endpoints (see MARKDOWNX_URLS_PATH).
    path("admin/markdownx/markdownify/", markdownx_views.markdownify, name="markdownx_markdownify"),
    path("admin/markdownx/upload/", markdownx_views.upload, name="markdownx_upload"),
    path("admin/two-factor/", two_factor.verify, name="two_factor_verify"),
    path("admin/two-factor/setup/", two_factor.setup, name="two_factor_setup"),
    path("admin/two-factor/recovery-codes/", two_factor.recovery_codes, name="two_factor_recovery_codes"),
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    path("privacy/", pages.privacy_notice, name="privacy"),
    path("contact/", pages.contact, name="contact"),
    path("editorial-policy/", pages.editorial_policy, name="editorial_policy"),
    path("healthz/strict", health.healthz_strict, name="healthz_strict"),
    re_path(rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.+)$", media.serve_media, name="media"),
    path("", include("orders.urls")),
    path("", include("tumours.urls")),
]

# A database outage outside a view (e.g. in middleware) still gets the 503 page, not a 500.
handler500 = "oncosite.errors.server_error"
