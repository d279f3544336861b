"""Whole-page cache for anonymous visitors, dropped whenever any page content changes.

Every stored page carries the generation token it was built under; `drop_public_pages` replaces the
token, so every cached page (home, index, tumour pages, sitemap, robots.txt) is stale at once, on any
cache backend and every server sharing it, without listing keys. tumours/signals.py calls it on every
write to the models the pages show, once the write has committed. A hit reads the token and the page in
one round trip (get_many) and serves the page only if the two tokens agree.
"""

import datetime
import hashlib
import uuid
from functools import wraps

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from oncosite.front_cache import note_next_change

GENERATION_KEY = "pages:generation"
# Headers worth replaying from the cache; cookies and Vary are set afresh by middleware on every response.
# Surrogate-Key and Front-Cache-Until: for the front cache's headers (oncosite/front_cache.py), which must be the
# same on a cached page as on a fresh one.
REPLAYED_HEADERS = (
    "Content-Type", "Content-Language", "Last-Modified", "X-Robots-Tag", "Surrogate-Key", "Front-Cache-Until",
)  # fmt: skip


def drop_public_pages() -> None:
    caches["default"].set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)


def _new_generation(cache) -> str:
    # Nothing has set a token yet (empty or evicted cache): agree on one with the other servers.
    cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
    return cache.get(GENERATION_KEY, "")


def _cache_key(request, variant: str = "") -> str:
    where = hashlib.sha256(f"{request.get_host()}{request.path}\n{variant}".encode()).hexdigest()
    return f"pages:{where}"


def _may_use_cache(request, *, query_key=None) -> bool:
    # Staff may see previews and drafts; a query string is a different page we do not cache, unless the view
    # says which part of it makes the page (query_key).
    return (
        request.method in ("GET", "HEAD")
        and (query_key is not None or not request.GET)
        and not request.user.is_authenticated
    )


def _without_body_for_head(request, response: HttpResponse) -> HttpResponse:
    # HEAD gets the headers a GET would, Content-Length included, and no body.
    if request.method == "HEAD" and not response.streaming:
        length = len(response.content)
        response.content = b""
        response["Content-Length"] = str(length)
    return response


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


def _timeout(next_change: datetime.datetime | None) -> int:
    """Seconds a page may be kept: an approved change scheduled for later goes live without any save, so no copy
    may outlive that moment (whole seconds, rounded down; 0: do not store)."""
    timeout = settings.PAGE_CACHE_SECONDS
    if next_change is not None:
        timeout = min(timeout, max(0, int((next_change - timezone.now()).total_seconds())))
    return timeout


def _apply_due_changes() -> datetime.datetime | None:
    from .services import next_scheduled_change

    return next_scheduled_change()


def _lookup(cache, request, variant: str = "") -> tuple[HttpResponse | None, str | None]:
    """The cached page if it was built under the current generation, and that generation: one round trip."""
    key = _cache_key(request, variant)
    found = cache.get_many([GENERATION_KEY, key])
    generation, stored = found.get(GENERATION_KEY), found.get(key)
    if generation is not None and stored is not None and stored[0] == generation:
        _, status, headers, content = stored
        return _without_body_for_head(request, HttpResponse(content, status=status, headers=headers)), generation
    return None, generation


class PublicPageCacheMiddleware:
    """Answers a cached public page before sessions, CSRF, auth, messages and the view run.

    Only for requests that cannot be logged in or carry a message (no session or messages cookie): those
    still reach cache_public_page, which asks request.user. Security headers and the CSP are added by the
    middleware above this one, as for any page; Vary: Cookie is added here as the session middleware would.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method in ("GET", "HEAD")
            and not request.META.get("QUERY_STRING")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and CookieStorage.cookie_name not in request.COOKIES
            and _is_cached_view(request.path_info)
        ):
            response, _ = _lookup(caches["default"], request)
            if response is not None:
                patch_vary_headers(response, ("Cookie",))
                return response
        return self.get_response(request)


def _is_cached_view(path: str) -> bool:
    try:
        return getattr(resolve(path).func, "public_page_cache", False)
    except Resolver404:
        return False


def cache_public_page(view=None, *, query_key=None):
    """Cache the view's page for anonymous visitors. query_key(request) -> str, for a page that depends on its
    query string (search): the normalised part that makes the page, cached as a page of its own."""
    if view is None:
        return lambda view: cache_public_page(view, query_key=query_key)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not _may_use_cache(request, query_key=query_key):
            _apply_due_changes()
            return view(request, *args, **kwargs)
        cache = caches["default"]
        variant = query_key(request) if query_key else ""
        response, generation = _lookup(cache, request, variant)
        if response is not None:
            return response
        if generation is None:
            generation = _new_generation(cache)
        # The token read before rendering: an edit made meanwhile leaves this copy stale, never served.
        next_change = _apply_due_changes()
        response = note_next_change(view(request, *args, **kwargs), next_change)
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
        timeout = _timeout(next_change)
        if timeout and _may_store(request, response):
            headers = {name: response[name] for name in REPLAYED_HEADERS if response.has_header(name)}
            content = (generation, response.status_code, headers, response.content)
            cache.set(_cache_key(request, variant), content, timeout)
        return _without_body_for_head(request, response)

    # The early answer in PublicPageCacheMiddleware is for pages without a query string only.
    wrapped.public_page_cache = query_key is None
    return wrapped
