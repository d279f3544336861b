"""Django's Redis cache backend, made a cache that can fail: Redis down slows the site, never stops it.

- One client per connection pool (Django builds a new redis.Redis around the same pool on every call; on a
  cached page that was about 15% of the hit, BENCHMARKS.md). The client is thread-safe, so one per pool serves.
- FailOpenRedisCache: a Redis error is a miss for a read and a no-op for a write. After an error this process
  leaves Redis alone for RETRY_SECONDS (so a blackholed Redis costs one connect timeout per interval, not per
  call), logs the outage once and then at most once per LOG_SECONDS, and on the first success afterwards calls
  the ON_RECOVERY hook (the page cache drops every page, since a drop may have been missed while Redis was away).
- LocalFallbackRedisCache: the same, but while Redis is away the calls go to a cache in this process's memory.
  The rate limits count there: each process counts on its own, so intake neither stops nor runs unlimited.
"""

import logging
import threading
import time
from functools import wraps

import redis
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.utils.module_loading import import_string
from redis.backoff import NoBackoff
from redis.retry import Retry

logger = logging.getLogger(__name__)

# What a missing or unreachable Redis raises (BusyLoadingError is a ConnectionError; ReadOnlyError comes from a
# replica that was promoted away from under us).
REDIS_DOWN = (redis.ConnectionError, redis.TimeoutError, redis.exceptions.ReadOnlyError, OSError)
RETRY_SECONDS = 5
LOG_SECONDS = 60
# A reachable Redis answers in well under a millisecond; a blackholed one must not hold a request for long.
DEFAULT_OPTIONS = {"socket_connect_timeout": 0.25, "socket_timeout": 0.5}


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        if index not in self._clients:
            # One attempt per call: redis-py's default retries with back-off would hold a request for seconds.
            pool = self._get_connection_pool(write)
            self._clients[index] = self._client(connection_pool=pool, retry=Retry(NoBackoff(), 0))
        return self._clients[index]


class SharedRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient


class Outage:
    """This process's view of one Redis: up, or down since when; logs the change, not every call."""

    def __init__(self, location: str, retry_seconds: float = RETRY_SECONDS):
        self.location = location
        self.retry_seconds = retry_seconds
        self.down_since: float | None = None
        self.last_logged = 0.0
        self.lock = threading.Lock()

    def should_try(self) -> bool:
        return self.down_since is None or time.monotonic() - self.down_since >= self.retry_seconds

    def failed(self, error: BaseException) -> None:
        now = time.monotonic()
        with self.lock:
            first = self.down_since is None
            self.down_since = now
            if first or now - self.last_logged >= LOG_SECONDS:
                self.last_logged = now
                state = "unreachable" if first else "still unreachable"
                logger.error("Redis cache %s: %s (%s); serving without it", state, type(error).__name__, error)

    def succeeded(self) -> bool:
        """True when this success ends an outage."""
        if self.down_since is None:
            return False
        with self.lock:
            if self.down_since is None:
                return False
            self.down_since = None
        logger.warning("Redis cache reachable again")
        return True


def _fail_open(fallback):
    """Run the Redis call; if Redis is down (or was moments ago), return what `fallback(self, *args)` gives."""

    def decorator(method):
        @wraps(method)
        def wrapped(self, *args, **kwargs):
            # After an outage, a ping first: the recovery hook must run before this call's answer is used.
            if self.outage.down_since is not None and not (self.outage.should_try() and self.ping()):
                return fallback(self, method.__name__, *args, **kwargs)
            try:
                return method(self, *args, **kwargs)
            except REDIS_DOWN as error:
                self.outage.failed(error)
                return fallback(self, method.__name__, *args, **kwargs)

        return wrapped

    return decorator


def _miss(default):
    return lambda self, name, *args, **kwargs: default


def _get_default(self, name, key, default=None, *args, **kwargs):
    return default


def _local(self, name, *args, **kwargs):
    return self.while_down(name, *args, **kwargs)


class FailOpenRedisCache(SharedRedisCache):
    """OPTIONS may name ON_RECOVERY, a dotted path to a function called once when Redis returns after an outage,
    and RETRY_SECONDS, how long this process leaves Redis alone after an error."""

    def __init__(self, server, params):
        options = {**DEFAULT_OPTIONS, **params.get("OPTIONS", {})}
        on_recovery = options.pop("ON_RECOVERY", None)
        retry_seconds = options.pop("RETRY_SECONDS", RETRY_SECONDS)
        super().__init__(server, {**params, "OPTIONS": options})
        self.on_recovery = import_string(on_recovery) if on_recovery else None
        self.outage = Outage(str(server), retry_seconds)

    def recovered(self) -> None:
        if self.on_recovery is not None:
            try:
                self.on_recovery()
            except Exception:  # the hook's own failure must not turn this cache call into an error
                logger.exception("Redis cache recovery hook failed")

    def while_down(self, name: str, *args, **kwargs):
        raise NotImplementedError  # only LocalFallbackRedisCache answers from memory

    def ping(self) -> bool:
        """A real round trip, whatever the recent failures: for the health endpoint."""
        try:
            self._cache.get_client(write=True).ping()
        except REDIS_DOWN as error:
            self.outage.failed(error)
            return False
        if self.outage.succeeded():
            self.recovered()
        return True

    get = _fail_open(_get_default)(RedisCache.get)
    get_many = _fail_open(_miss({}))(RedisCache.get_many)
    has_key = _fail_open(_miss(False))(RedisCache.has_key)
    add = _fail_open(_miss(False))(RedisCache.add)
    set = _fail_open(_miss(False))(RedisCache.set)
    touch = _fail_open(_miss(False))(RedisCache.touch)
    delete = _fail_open(_miss(False))(RedisCache.delete)
    incr = _fail_open(_miss(None))(RedisCache.incr)
    set_many = _fail_open(lambda self, name, data, *a, **k: list(data))(RedisCache.set_many)
    delete_many = _fail_open(_miss(None))(RedisCache.delete_many)
    clear = _fail_open(_miss(False))(RedisCache.clear)


class LocalFallbackRedisCache(FailOpenRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self.local = LocMemCache(f"fallback-{server}", {"TIMEOUT": params.get("TIMEOUT", 300)})

    def while_down(self, name: str, *args, **kwargs):
        return getattr(self.local, name)(*args, **kwargs)

    get = _fail_open(_local)(RedisCache.get)
    get_many = _fail_open(_local)(RedisCache.get_many)
    has_key = _fail_open(_local)(RedisCache.has_key)
    add = _fail_open(_local)(RedisCache.add)
    set = _fail_open(_local)(RedisCache.set)
    touch = _fail_open(_local)(RedisCache.touch)
    delete = _fail_open(_local)(RedisCache.delete)
    incr = _fail_open(_local)(RedisCache.incr)
    set_many = _fail_open(_local)(RedisCache.set_many)
    delete_many = _fail_open(_local)(RedisCache.delete_many)
    clear = _fail_open(_local)(RedisCache.clear)
