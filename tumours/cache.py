"""Whole-page cache for anonymous visitors, dropped whenever any page content changes.

Every stored page carries the generation token it was built under; `drop_public_pages` replaces the
token, so every cached page (home, index, tumour pages, sitemap, robots.txt) is stale at once, on any
cache backend and every server sharing it, without listing keys. tumours/signals.py calls it on every
write to the models the pages show, once the write has committed.

Two tiers on a hit:
- This process's copy (LocalPages: the most used pages, bounded by PAGE_CACHE_LOCAL_PAGES and
  PAGE_CACHE_LOCAL_BYTES), served without any round trip while the Redis subscription that announces every new
  token is provably current (oncosite.redis_cache.Watch.current). A copy is served only under the token the
  subscription holds, never past the expiry it was stored with (the next scheduled change), and never after
  the subscription was lost and made again (a message may have been missed).
- Otherwise the shared cache: the token and the page in one round trip (get_many), served only if the two agree.
"""

import datetime
import functools
import hashlib
import threading
import time
import uuid
from collections import OrderedDict
from functools import wraps

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import quote_etag

from oncosite.front_cache import note_next_change

GENERATION_KEY = "pages:generation"
# Every header the view set is stored with the page and replayed, except these; cookies are never stored (a
# response with cookies is not stored at all), and security headers, Vary and the ETag are added by middleware
# on every response, as on the full path.
NOT_REPLAYED = frozenset({"content-length", "set-cookie", "date"})


def drop_public_pages() -> None:
    cache, token = caches["default"], uuid.uuid4().hex
    if hasattr(cache, "set_and_announce"):
        cache.set_and_announce(GENERATION_KEY, token)  # every server's processes hear of it at once
    else:
        cache.set(GENERATION_KEY, token, timeout=None)


def _new_generation(cache) -> str:
    # Nothing has set a token yet (empty or evicted cache): agree on one with the other servers.
    token = uuid.uuid4().hex
    if hasattr(cache, "add_and_announce"):
        cache.add_and_announce(GENERATION_KEY, token)
    else:
        cache.add(GENERATION_KEY, token, timeout=None)
    return cache.get(GENERATION_KEY, "")


def _cache_key(request, variant: str = "") -> str:
    where = hashlib.sha256(f"{request.get_host()}{request.path}\n{variant}".encode()).hexdigest()
    return f"pages:2:{where}"  # 2: the stored value carries its expiry


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


class Page:
    """A stored page, ready to answer: its headers as the view set them, and the ETag a GET would get."""

    __slots__ = (
        "generation",
        "epoch",
        "expires",
        "status",
        "headers",
        "hit_headers",
        "content",
        "etag",
        "length",
        "size",
    )

    def __init__(self, generation, epoch, expires, status, headers, content):
        self.generation, self.epoch, self.expires = generation, epoch, expires
        self.status, self.headers, self.content = status, headers, content
        # ConditionalGetMiddleware's ETag (it keeps one already set), computed once instead of on every hit.
        self.etag = quote_etag(hashlib.md5(content, usedforsecurity=False).hexdigest()) if content else None
        self.length = str(len(content))
        # What the session middleware adds on the full path, for the early answer that runs before it.
        vary = HttpResponse(headers=headers)
        patch_vary_headers(vary, ("Cookie",))
        self.hit_headers = dict(vary.items())
        self.size = len(content) + sum(len(k) + len(v) for k, v in self.hit_headers.items()) + 200

    def response(self, request, *, early: bool) -> HttpResponse:
        response = HttpResponse(self.content, status=self.status, headers=self.hit_headers if early else self.headers)
        if early and request.method == "GET":
            # What ConditionalGetMiddleware and CommonMiddleware add on the full path, computed once per copy.
            response.headers["Content-Length"] = self.length
            if self.etag:
                response.headers["ETag"] = self.etag
        return _without_body_for_head(request, response)


class LocalPages:
    """This process's copies of the most used pages: least recently used out first, bounded in count and bytes."""

    def __init__(self, max_pages: int, max_bytes: int):
        self.max_pages, self.max_bytes = max_pages, max_bytes
        self.pages: OrderedDict[tuple, Page] = OrderedDict()
        self.bytes = 0
        self.lock = threading.Lock()

    def get(self, key: tuple, generation: str, epoch: int) -> Page | None:
        with self.lock:
            page = self.pages.get(key)
            if page is None:
                return None
            if page.generation != generation or page.epoch != epoch or page.expires <= time.time():
                self._remove(key)
                return None
            self.pages.move_to_end(key)
            return page

    def put(self, key: tuple, page: Page) -> None:
        if page.size > self.max_bytes or self.max_pages <= 0:
            return
        with self.lock:
            if key in self.pages:
                self._remove(key)
            self.pages[key] = page
            self.bytes += page.size
            while len(self.pages) > self.max_pages or self.bytes > self.max_bytes:
                self._remove(next(iter(self.pages)))

    def clear(self) -> None:
        with self.lock:
            self.pages.clear()
            self.bytes = 0

    def _remove(self, key: tuple) -> None:
        self.bytes -= self.pages.pop(key).size


def _local_pages() -> LocalPages:
    return LocalPages(settings.PAGE_CACHE_LOCAL_PAGES, settings.PAGE_CACHE_LOCAL_BYTES)


local_pages = _local_pages()


@receiver(setting_changed)
def _settings_changed(setting, **kwargs):
    global local_pages
    if setting in ("PAGE_CACHE_LOCAL_PAGES", "PAGE_CACHE_LOCAL_BYTES", "CACHES"):
        local_pages = _local_pages()
    if setting == "ROOT_URLCONF":
        _cached_view.cache_clear()


def _watch(cache):
    """The subscription to the generation token, where the cache can announce it (Redis) and copies are kept."""
    if local_pages.max_pages <= 0 or not hasattr(cache, "watch"):
        return None
    return cache.watch(GENERATION_KEY)


class Lookup:
    __slots__ = ("response", "generation", "epoch")

    def __init__(self, response, generation, epoch):
        self.response, self.generation, self.epoch = response, generation, epoch


def _lookup(cache, request, variant: str = "", *, early: bool = False) -> Lookup:
    """The cached page if it was built under the current generation: from this process's copy when the
    subscription vouches for the token, else from the shared cache in one round trip (and copied here)."""
    local_key = (request.get_host(), request.path, variant)
    watch = _watch(cache)
    epoch = 0
    if watch is not None:
        epoch = watch.epoch  # read before the token: a resubscription in between makes the copy unusable
        generation = watch.current()
        if generation is not None:
            page = local_pages.get(local_key, generation, epoch)
            if page is not None:
                return Lookup(page.response(request, early=early), generation, epoch)
    key = _cache_key(request, variant)
    found = cache.get_many([GENERATION_KEY, key])
    generation, stored = found.get(GENERATION_KEY), found.get(key)
    # The expiry is checked here too, not only by Redis: the copy kept in this process goes by the same time.
    if generation is not None and stored is not None and stored[0] == generation and stored[4] > time.time():
        _, status, headers, content, expires = stored
        page = Page(generation, epoch, expires, status, headers, content)
        if watch is not None:
            local_pages.put(local_key, page)
        return Lookup(page.response(request, early=early), generation, epoch)
    return Lookup(None, generation, epoch)


def _store(cache, request, variant: str, lookup: Lookup, response, timeout: int) -> None:
    headers = {name: value for name, value in response.items() if name.lower() not in NOT_REPLAYED}
    expires = time.time() + timeout
    cache.set(_cache_key(request, variant), (lookup.generation, response.status_code, headers, response.content,
                                              expires), timeout)  # fmt: skip
    if _watch(cache) is not None:
        page = Page(lookup.generation, lookup.epoch, expires, response.status_code, headers, response.content)
        local_pages.put((request.get_host(), request.path, variant), page)


class PublicPageCacheMiddleware:
    """Answers a cached public page before sessions, CSRF, auth, messages and the view run.

    Only for requests that cannot be logged in or carry a message (no session or messages cookie): those
    still reach cache_public_page, which asks request.user. Security headers and the CSP are added by the
    middleware above this one, as for any page; Vary: Cookie is added here as the session middleware would,
    and the ETag that ConditionalGetMiddleware would compute is stored with the page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and CookieStorage.cookie_name not in request.COOKIES
        ):
            cached, query_key = _cached_view(request.path_info)
            # A query string makes another page, unless the view says which part of it makes the page (search).
            if cached and (query_key is not None or not request.META.get("QUERY_STRING")):
                variant = query_key(request) if query_key else ""
                response = _lookup(caches["default"], request, variant, early=True).response
                if response is not None:
                    return response
        return self.get_response(request)


@functools.lru_cache(maxsize=2048)
def _cached_view(path: str) -> tuple[bool, object]:
    """Whether the path's view is a cached public page, and its query_key. Remembered per path (bounded):
    resolving the URL was 7 % of a hit."""
    try:
        view = resolve(path).func
    except Resolver404:
        return False, None
    return getattr(view, "public_page_cache", False), getattr(view, "public_page_query_key", None)


def cache_public_page(view=None, *, query_key=None):
    """Cache the view's page for anonymous visitors. query_key(request) -> str, for a page that depends on its
    query string (search): the normalised part that makes the page, cached as a page of its own."""
    if view is None:
        return lambda view: cache_public_page(view, query_key=query_key)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not _may_use_cache(request, query_key=query_key):
            # Due changes first, as below; the next one is noted for the front cache's headers, not asked twice.
            next_change = _apply_due_changes()
            return note_next_change(view(request, *args, **kwargs), next_change)
        cache = caches["default"]
        variant = query_key(request) if query_key else ""
        lookup = _lookup(cache, request, variant)
        if lookup.response is not None:
            return lookup.response
        if lookup.generation is None:
            lookup.generation = _new_generation(cache)
        # The token read before rendering: an edit made meanwhile leaves this copy stale, never served.
        next_change = _apply_due_changes()
        response = note_next_change(view(request, *args, **kwargs), next_change)
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
        timeout = _timeout(next_change)
        if timeout and _may_store(request, response):
            _store(cache, request, variant, lookup, response, timeout)
        return _without_body_for_head(request, response)

    # The early answer in PublicPageCacheMiddleware: pages without a query string, and those with a query_key.
    wrapped.public_page_cache = True
    wrapped.public_page_query_key = query_key
    return wrapped
