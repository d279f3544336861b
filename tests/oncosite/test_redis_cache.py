import pytest
import redis

from oncosite.redis_cache import SharedRedisCache
from tests.servers import redis_url_for_tests

REDIS_URL = redis_url_for_tests(1)


@pytest.fixture
def shared_cache():
    try:
        redis.Redis.from_url(REDIS_URL).flushdb()
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379 (.ci/run starts one)")
    return SharedRedisCache(REDIS_URL, {})


def test_values_round_trip_and_increment_like_djangos_backend(shared_cache):
    shared_cache.set("page", (1, b"<html>"), 60)
    assert shared_cache.get_many(["page", "missing"]) == {"page": (1, b"<html>")}
    shared_cache.set("hits", 1)
    assert shared_cache.incr("hits") == 2  # the rate limit counts with incr


def test_one_client_serves_every_call(shared_cache):
    backend = shared_cache._cache
    assert backend.get_client() is backend.get_client()
    assert backend.get_client(write=True) is backend.get_client(write=True)


def nowhere() -> str:
    # A port on this machine where nothing listens: every connection is refused at once.
    from tests.servers import free_port

    return f"redis://127.0.0.1:{free_port()}/0"


def test_an_unreachable_redis_is_a_miss_for_reads_and_a_no_op_for_writes(caplog):
    from oncosite.redis_cache import FailOpenRedisCache

    cache = FailOpenRedisCache(nowhere(), {})
    assert cache.get("page", "default") == "default"
    assert cache.get_many(["a", "b"]) == {}
    assert cache.add("token", "x") is False
    cache.set("page", "html")
    cache.delete("page")
    assert cache.incr("hits") is None
    assert cache.ping() is False
    outage_logs = [r for r in caplog.records if r.name == "oncosite.redis_cache"]
    assert len(outage_logs) == 1  # once for the outage, not once per call


def test_the_rate_limit_cache_counts_in_memory_while_redis_is_unreachable():
    from oncosite.redis_cache import LocalFallbackRedisCache

    cache = LocalFallbackRedisCache(nowhere(), {})
    assert cache.add("rl:1.2.3.4", 1, 60) is True
    assert cache.incr("rl:1.2.3.4") == 2
    assert cache.get("rl:1.2.3.4") == 2
