"""Django's Redis cache backend, made a cache that can fail: Redis down slows the site, never stops it.

- One client per connection pool (Django builds a new redis.Redis around the same pool on every call; on a
  cached page that was about 15% of the hit, BENCHMARKS.md). The client is thread-safe, so one per pool serves.
- FailOpenRedisCache: a Redis error is a miss for a read and a no-op for a write. After an error this process
  leaves Redis alone for RETRY_SECONDS (so a blackholed Redis costs one connect timeout per interval, not per
  call), logs the outage once and then at most once per LOG_SECONDS, and on the first success afterwards calls
  the ON_RECOVERY hook (the page cache drops every page, since a drop may have been missed while Redis was away).
- LocalFallbackRedisCache: the same, but while Redis is away the calls go to a cache in this process's memory.
  The rate limits count there: each process counts on its own, so intake neither stops nor runs unlimited.
- Watched keys (FailOpenRedisCache.watch): a key written with set_and_announce/add_and_announce is published on a
  channel in the same atomic step; a daemon thread per process, subscribed to it, keeps the key's current value in
  memory, so a read costs no round trip. The value is trusted only while the subscription is provably current
  (Watch.current); otherwise the caller asks Redis as before.
"""

import itertools
import logging
import os
import select
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


# Sets the key (only if absent, when ARGV[3] is "1") and publishes the raw value on the key's channel, atomically:
# subscribers then receive values in the order the key took them, whichever server wrote them.
SET_AND_PUBLISH = """
if ARGV[3] == "1" then
  if not redis.call("SET", KEYS[1], ARGV[1], "NX") then return 0 end
else
  redis.call("SET", KEYS[1], ARGV[1])
end
redis.call("PUBLISH", ARGV[4], ARGV[2])
return 1
"""
# Subscription liveness: a PING every PING_SECONDS; nothing heard for SILENT_SECONDS and the value is not trusted
# (a connection that died without a reset, e.g. a network partition, is noticed within that time).
PING_SECONDS = 1.0
SILENT_SECONDS = 3.0
_epochs = itertools.count(1)  # one number per subscription ever made in this process, never reused


class Watch:
    """A key's current value in this process's memory, kept by a daemon thread subscribed to the key's channel.

    current() gives the value only while this process cannot have missed a change: the subscription is up, has
    been heard from within SILENT_SECONDS, and no message is waiting unread. `state` is odd while the thread reads
    and applies messages and even while it waits; the caller polls the socket and checks that `state` did not
    move, so a change published before the call is never missed.
    Each (re)subscription reads the key afresh and gets a new epoch: whatever was derived under an older epoch
    may have missed a message and must be dropped.
    """

    def __init__(self, cache: "FailOpenRedisCache", key: str):
        self.cache, self.key = cache, key
        self.channel = cache.channel_for(key)
        self.value: str | None = None
        self.epoch = 0
        self.connected = False
        self.state = 1
        self.heard = 0.0
        self._fd: int | None = None
        self._logged_down = False
        self.thread = threading.Thread(target=self._run, name=f"watch {key}", daemon=True)
        self.thread.start()

    def current(self) -> str | None:
        """The key's value, or None when it cannot be trusted right now (ask Redis instead)."""
        state, fd = self.state, self._fd
        if state % 2 or fd is None or not self.connected or time.monotonic() - self.heard > SILENT_SECONDS:
            return None  # reading a message, or not subscribed, or not heard from lately
        poller = select.poll()  # one per call: a poll object may not be used by two threads at once
        poller.register(fd, select.POLLIN | select.POLLPRI)
        if poller.poll(0):
            return None  # a message (or the connection's end) is waiting to be read
        value = self.value
        # No read began since `state` was taken (so `value` holds every message that arrived before this call), and
        # the descriptor polled was still the subscription's, not a closed one reused meanwhile.
        return value if self.state == state and self._fd == fd and self.connected else None

    def _untrust(self) -> None:
        self.connected = False
        self._fd = None

    def _run(self) -> None:
        while True:
            try:
                self._listen()
            except Exception as error:  # noqa: BLE001 - whatever broke the subscription, start a new one
                if not self._logged_down:
                    logger.warning("Redis subscription to %s lost (%s); reading Redis instead", self.key, error)
                    self._logged_down = True
            self._untrust()
            time.sleep(self.cache.outage.retry_seconds)

    def _listen(self) -> None:
        client = self.cache.subscriber_client()
        pubsub = client.pubsub()
        try:
            pubsub.subscribe(self.channel)
            confirmation = pubsub.get_message(timeout=DEFAULT_OPTIONS["socket_timeout"])
            if not confirmation or confirmation["type"] != "subscribe":
                raise redis.ConnectionError("no subscription confirmation")
            # Subscribed first, read second: a change made after the read is a message we will get.
            self.value = self.cache.read_watched(client, self.key)
            poller = select.poll()
            poller.register(pubsub.connection._sock.fileno(), select.POLLIN | select.POLLPRI)
            self._drain(pubsub)  # changes published between the subscription and the read, in order
            self.epoch = next(_epochs)
            self.heard = last_ping = time.monotonic()
            self._fd, self.connected = pubsub.connection._sock.fileno(), True
            if self._logged_down:
                logger.warning("Redis subscription to %s restored", self.key)
                self._logged_down = False
            self.state += 1  # even: waiting, everything received is applied
            while True:
                ready = poller.poll(PING_SECONDS * 1000)
                self.state += 1  # odd: reading
                if ready:
                    self._drain(pubsub)
                now = time.monotonic()
                if now - self.heard > SILENT_SECONDS:
                    raise redis.TimeoutError(f"nothing heard for {SILENT_SECONDS} s")
                if now - last_ping >= PING_SECONDS:
                    pubsub.ping()
                    last_ping = now
                self.state += 1
        finally:
            if self.state % 2 == 0:
                self.state += 1
            self._untrust()
            pubsub.close()
            client.close()

    def _drain(self, pubsub) -> None:
        while (message := pubsub.get_message(timeout=0)) is not None:
            self.heard = time.monotonic()
            if message["type"] == "message":
                self.value = message["data"].decode() or None  # empty: the cache was cleared


_watches: dict[tuple[str, str], Watch] = {}
_watches_pid = os.getpid()
_watches_lock = threading.Lock()


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

    # Watched keys.

    def channel_for(self, key: str) -> str:
        # Channels are server-wide, not per database: the database number keeps apart sites sharing one Redis.
        db = self._cache.get_client(write=True).connection_pool.connection_kwargs.get("db", 0)
        return f"{db}/{self.make_and_validate_key(key)}"

    def subscriber_client(self) -> redis.Redis:
        # A connection of its own (a subscribed connection can do nothing else), with this cache's time-outs.
        pool = self._cache.get_client(write=True).connection_pool
        kwargs = {**pool.connection_kwargs, "socket_timeout": DEFAULT_OPTIONS["socket_timeout"]}
        own = redis.ConnectionPool(connection_class=pool.connection_class, max_connections=2, **kwargs)
        return redis.Redis(connection_pool=own, retry=Retry(NoBackoff(), 0))

    def read_watched(self, client: redis.Redis, key: str) -> str | None:
        value = client.get(self.make_and_validate_key(key))
        return None if value is None else self._cache._serializer.loads(value)

    def _set_and_publish(self, key: str, value: str, only_if_absent: bool) -> bool:
        client = self._cache.get_client(write=True)
        script = client.register_script(SET_AND_PUBLISH)
        args = [self._cache._serializer.dumps(value), value, "1" if only_if_absent else "0", self.channel_for(key)]
        return bool(script(keys=[self.make_and_validate_key(key)], args=args))

    @_fail_open(_miss(False))
    def set_and_announce(self, key: str, value: str) -> bool:
        """Set a key without expiry and tell every process watching it, in one atomic step."""
        return self._set_and_publish(key, value, only_if_absent=False)

    @_fail_open(_miss(False))
    def add_and_announce(self, key: str, value: str) -> bool:
        """As set_and_announce, only if the key is absent; True if this call set it."""
        return self._set_and_publish(key, value, only_if_absent=True)

    def watch(self, key: str) -> Watch:
        """This process's watch of the key (started on first use in each process: never in a forking master)."""
        global _watches_pid
        name = (tuple(self._servers), key)
        with _watches_lock:
            if _watches_pid != os.getpid():
                _watches.clear()  # the parent's threads did not survive the fork
                _watches_pid = os.getpid()
            if name not in _watches:
                _watches[name] = Watch(self, key)
            return _watches[name]

    def clear(self) -> bool:
        cleared = self._clear()
        # Watchers of a key that no longer exists must not trust the value they hold.
        with _watches_lock:
            watched = [watch for (servers, _), watch in _watches.items() if servers == tuple(self._servers)]
        for watch in watched:
            try:
                self._cache.get_client(write=True).publish(watch.channel, "")
            except REDIS_DOWN as error:
                self.outage.failed(error)
        return cleared

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
    _clear = _fail_open(_miss(False))(RedisCache.clear)


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
