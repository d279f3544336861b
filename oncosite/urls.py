from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from tumours import markdownx_views

urlpatterns = [
    # Staff-only replacements for markdownx's open endpoints (see MARKDOWNX_URLS_PATH).
    path("admin/markdownx/markdownify/", markdownx_views.markdownify, name="markdownx_markdownify"),
    path("admin/markdownx/upload/", markdownx_views.upload, name="markdownx_upload"),
    path("admin/", admin.site.urls),
    path("", include("orders.urls")),
    path("", include("tumours.urls")),
]

# Images uploaded from the editor, served by Django only in development (a web server serves media/ in production).
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
