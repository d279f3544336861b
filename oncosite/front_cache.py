"""The front cache (Varnish, or a CDN) in front of the app servers: what it may keep, and purging it on change.

Headers. A public page (a view that names what it shows with tumours.surrogate_keys, answering 200 to GET/HEAD from
a visitor without a session) is sent `Cache-Control: public, max-age=FRONT_CACHE_MAX_AGE,
s-maxage=FRONT_CACHE_S_MAXAGE, stale-while-revalidate=..., stale-if-error=...` and its keys in `Surrogate-Key`.
Browsers keep it briefly, since nothing can purge them; the front cache keeps it long, since every change purges
it. Neither may keep it past the next scheduled change: the page cache tells this layer when that is (note_next_change,
replayed with cached pages), and both ages end then. Everything else the app answers (drafts, previews, the admin,
forms, confirmations, anything to a visitor with a session or a message, anything setting a cookie, errors) is sent
`private, no-store`, and loses its Surrogate-Key.

Purges. tumours/purges.py notes the keys of every row written; once the transaction commits, the union is purged at
every front cache in FRONT_CACHE_PURGE_URLS (one HTTP `PURGE` with a `Surrogate-Key` header each). Each purge is
stored as a FrontCachePurge first and tried at once, so it is instant when the cache is up; a failed one is retried
with the outbox back-off by the task worker, and by `manage.py purge_front_cache --pending` from cron.
"""

import datetime
import logging
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import transaction
from django.utils import timezone
from django.utils.cache import patch_cache_control

from tumours import surrogate_keys

from .models import FrontCachePurge
from .outbox import backoff, drain

logger = logging.getLogger(__name__)

# Internal: when the page's content may next change by itself (a scheduled go-live), as epoch seconds or "none".
# Set by the page cache on the page it stores and replays; never sent to the client.
UNTIL_HEADER = "Front-Cache-Until"
PERSONAL_CACHE_CONTROL = "private, no-store"


# Headers.


def note_next_change(response, next_change: datetime.datetime | None):
    response[UNTIL_HEADER] = str(int(next_change.timestamp())) if next_change else "none"
    return response


def public_cache_control(next_change: datetime.datetime | None, now: datetime.datetime | None = None) -> str:
    """The Cache-Control of a public page whose content next changes by itself at `next_change` (None: never)."""
    browser, edge = settings.FRONT_CACHE_MAX_AGE, settings.FRONT_CACHE_S_MAXAGE
    parts = ["public"]
    if next_change is not None:
        left = max(0, int((next_change - (now or timezone.now())).total_seconds()))
        if left < edge:
            # The copy must be gone when the change goes live: no stale-while-revalidate past that moment either.
            browser, edge = min(browser, left), left
            parts += [f"max-age={browser}", f"s-maxage={edge}", f"stale-if-error={settings.FRONT_CACHE_STALE_IF_ERROR}"]
            return ", ".join(parts)
    parts += [
        f"max-age={browser}",
        f"s-maxage={edge}",
        f"stale-while-revalidate={settings.FRONT_CACHE_STALE_WHILE_REVALIDATE}",
        f"stale-if-error={settings.FRONT_CACHE_STALE_IF_ERROR}",
    ]
    return ", ".join(parts)


def is_personal(request, response) -> bool:
    """Whether the response may be about this visitor: a session (a login, a request sent), a message, a cookie
    set, a CSRF token in the page."""
    if settings.SESSION_COOKIE_NAME in request.COOKIES or CookieStorage.cookie_name in request.COOKIES:
        return True
    if response.cookies or request.META.get("CSRF_COOKIE_USED") or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


def _is_public(request, response) -> bool:
    cache_control = response.get("Cache-Control", "")
    return (
        request.method in ("GET", "HEAD")
        and response.status_code == 200
        and response.has_header(surrogate_keys.HEADER)
        and "private" not in cache_control
        and "no-store" not in cache_control
        and not is_personal(request, response)
    )


def _next_change(noted: str | None) -> datetime.datetime | None:
    if noted is None:
        # A page the page cache did not build (a query string it does not cache, a page of its own): ask.
        from tumours.services import next_scheduled_change

        return next_scheduled_change()
    if noted == "none":
        return None
    return datetime.datetime.fromtimestamp(int(noted), tz=datetime.UTC)


def apply_headers(request, response):
    noted = response.get(UNTIL_HEADER)
    if noted is not None:
        del response[UNTIL_HEADER]
    if _is_public(request, response):
        response["Cache-Control"] = public_cache_control(_next_change(noted))
        return response
    if response.has_header(surrogate_keys.HEADER):
        del response[surrogate_keys.HEADER]
    if is_personal(request, response) or not response.streaming:
        # Uploaded files (streamed) keep their own headers; anything else no front cache may keep.
        patch_cache_control(response, private=True, no_store=True)
        if response.has_header("Expires"):
            del response["Expires"]
    return response


class FrontCacheHeadersMiddleware:
    """Sets Cache-Control and Surrogate-Key on every response from the app (whitenoise answers static files above
    this). It sits above the page cache's early answer, so cached and freshly built pages get the same headers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return apply_headers(request, self.get_response(request))


# Purges.


class _Batch:
    """The keys written in one transaction, purged together once it commits."""

    def __init__(self):
        self.keys: set[str] = set()

    def flush(self) -> None:
        purge(self.keys)


def purge_on_commit(keys: set[str], using: str | None = None) -> None:
    """Purge `keys` once the current transaction commits: one purge per commit, with every key noted in it."""
    if not keys or not settings.FRONT_CACHE_PURGE_URLS:
        return
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        purge(keys)
        return
    batch = getattr(connection, "_front_cache_batch", None)
    # A rolled-back transaction discards the batch's hook: a later one starts a new batch.
    if batch is None or not any(hook == batch.flush for _, hook, _ in connection.run_on_commit):
        batch = connection._front_cache_batch = _Batch()
        transaction.on_commit(batch.flush, using=using, robust=True)
    batch.keys.update(keys)


def purge(keys, *, targets: list[str] | None = None) -> list[FrontCachePurge]:
    """Purge `keys` at every front cache now; a cache that fails is retried later. Returns the purges recorded."""
    targets = settings.FRONT_CACHE_PURGE_URLS if targets is None else targets
    keys = sorted(set(keys))
    if not keys or not targets:
        return []
    if len(keys) > settings.FRONT_CACHE_PURGE_MAX_KEYS:
        keys = [surrogate_keys.ALL]  # a bulk change: one short purge instead of a header no cache accepts
    # The app's own page cache is already dropped: tumours/signals.py registers its drop before this purge (and a
    # purge by hand drops it itself), so a front cache fetching the page again at once gets the new one.
    purges = [FrontCachePurge.objects.create(target=target, keys=keys) for target in targets]
    for row in purges:
        if attempt(row.pk) is not None:
            _retry_later(row.pk)
    return purges


def attempt(purge_id: int) -> FrontCachePurge | None:
    """One purge request. Returns the purge if it is still queued afterwards."""
    with transaction.atomic():
        row = FrontCachePurge.objects.select_for_update().filter(pk=purge_id, state=FrontCachePurge.State.QUEUED)
        row = row.first()
        if row is None:
            return None
        row.attempts += 1
        error = _send(row.target, row.keys)
        at, keys = where(row.target), " ".join(row.keys)
        if error:
            row.last_error, row.next_attempt_at = error[:200], timezone.now() + backoff(row.attempts)
            logger.warning("Front cache purge %s failed at %s (attempt %s, %s): %s", row.pk, at, row.attempts,
                           error, keys)  # fmt: skip
        else:
            row.state, row.done_at, row.last_error = FrontCachePurge.State.DONE, timezone.now(), ""
            logger.info("Front cache purge %s done at %s: %s", row.pk, at, keys)
        row.save()
    return row if row.state == FrontCachePurge.State.QUEUED else None


def _send(target: str, keys: list[str]) -> str:
    """Send the purge; '' when the cache accepted it, else what went wrong (no response body: it is not ours)."""
    if urlsplit(target).scheme not in ("http", "https"):
        return "not an http(s) address"
    request = urllib.request.Request(target, method="PURGE", headers={surrogate_keys.HEADER: " ".join(keys)})  # noqa: S310 - http(s) only, checked above
    try:
        with urllib.request.urlopen(request, timeout=settings.FRONT_CACHE_PURGE_TIMEOUT) as response:  # noqa: S310
            response.read()
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code}"
    except Exception as exc:  # noqa: BLE001 - whatever failed, the purge stays queued for the next attempt
        return type(exc).__name__
    return ""


def where(target: str) -> str:
    # The address without credentials or query (a CDN token must never reach the log).
    parts = urlsplit(target)
    return f"{parts.scheme}://{parts.hostname}{f':{parts.port}' if parts.port else ''}{parts.path}"


def _retry_later(purge_id: int) -> None:
    from .tasks import purge_front_cache

    # The database queue retries after the back-off; the immediate backend (development) cannot wait, so there
    # `purge_front_cache --pending` (cron) does.
    if purge_front_cache.get_backend().supports_defer:
        row = FrontCachePurge.objects.get(pk=purge_id)
        purge_front_cache.using(run_after=row.next_attempt_at).enqueue(purge_id)


def send_pending(*, due_only: bool = False) -> tuple[int, int]:
    """Try every queued purge now (or only those whose back-off has passed): (done, still queued)."""
    pending = FrontCachePurge.objects.filter(state=FrontCachePurge.State.QUEUED)
    if due_only:
        pending = pending.filter(next_attempt_at__lte=timezone.now())
    return drain(pending, attempt)
