"""Uploaded files, when Django serves them (DJANGO_SERVE_MEDIA); a web server in front does the same job faster.

Anything but a raster image is sent as a download, so an uploaded HTML or SVG file cannot run as a page
of this site; nosniff stops a browser from guessing a different type.
"""

from django.conf import settings
from django.http import Http404, HttpRequest
from django.utils.http import content_disposition_header
from django.views.static import serve

INLINE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp", "image/avif"}


def serve_media(request: HttpRequest, path: str):
    if not settings.SERVE_MEDIA:
        raise Http404("Media are served by the web server.")
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip()
    if content_type not in INLINE_TYPES:
        response["Content-Disposition"] = content_disposition_header(True, path.rsplit("/", 1)[-1])
    response["X-Content-Type-Options"] = "nosniff"
    # Even opened directly, a file may not run scripts or load anything.
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response
