"""Whole-page cache for anonymous visitors, dropped whenever any page content changes.

Every key carries a generation token; `drop_public_pages` replaces the token, so every cached page
(home, index, tumour pages, sitemap, robots.txt) is gone at once, on any cache backend, without
listing keys. tumours/signals.py calls it on every write to the models the pages show.
"""

import hashlib
import uuid
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.db.models import Min
from django.http import HttpResponse
from django.utils import timezone

GENERATION_KEY = "pages:generation"
# Headers worth replaying from the cache; cookies and Vary are set afresh by middleware on every response.
REPLAYED_HEADERS = ("Content-Type", "Content-Language", "Last-Modified", "X-Robots-Tag")


def drop_public_pages() -> None:
    caches["default"].set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)


def _generation(cache) -> str:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
        generation = cache.get(GENERATION_KEY, "")
    return generation


def _cache_key(generation: str, request) -> str:
    where = hashlib.sha256(f"{request.get_host()}{request.path}".encode()).hexdigest()
    return f"pages:{generation}:{where}"


def _may_use_cache(request) -> bool:
    # Staff may see previews and drafts; a query string is a different page we do not cache.
    return request.method in ("GET", "HEAD") and not request.GET and not request.user.is_authenticated


def _may_store(request, response) -> bool:
    cache_control = response.get("Cache-Control", "")
    return (
        request.method == "GET"
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not request.META.get("CSRF_COOKIE_USED")
        and "private" not in cache_control
        and "no-store" not in cache_control
        and "no-cache" not in cache_control
    )


def _timeout() -> int:
    # A page scheduled for later goes live without any save; expire before that moment.
    from .models import Tumour

    timeout = settings.PAGE_CACHE_SECONDS
    now = timezone.now()
    next_publication = (
        Tumour.objects.filter(status=Tumour.Status.PUBLISHED, published_at__gt=now)
        .aggregate(next=Min("published_at"))
        .get("next")
    )
    if next_publication is not None:
        timeout = min(timeout, max(1, int((next_publication - now).total_seconds())))
    return timeout


def cache_public_page(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not _may_use_cache(request):
            return view(request, *args, **kwargs)
        cache = caches["default"]
        key = _cache_key(_generation(cache), request)
        stored = cache.get(key)
        if stored is not None:
            status, headers, content = stored
            return HttpResponse(content, status=status, headers=headers)
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
        if _may_store(request, response):
            headers = {name: response[name] for name in REPLAYED_HEADERS if response.has_header(name)}
            cache.set(key, (response.status_code, headers, response.content), _timeout())
        return response

    return wrapped
