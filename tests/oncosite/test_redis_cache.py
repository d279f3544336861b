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
