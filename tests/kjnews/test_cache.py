"""The shared cache fails on purpose: one exception, and no waiting on a server that just failed."""

import pytest

from kjnews.cache import CacheUnavailable, ResilientRedisCache, cache_answers
from tests.servers import RedisServer, SilentListener, refused_port


def cache_at(port, *, breaker_seconds=5.0, timeout=0.5):
    return ResilientRedisCache(
        f"redis://127.0.0.1:{port}/0",
        {
            "OPTIONS": {
                "socket_connect_timeout": timeout,
                "socket_timeout": timeout,
                "breaker_seconds": breaker_seconds,
            }
        },
    )


def test_a_refused_connection_is_reported_as_cache_unavailable():
    cache = cache_at(refused_port())

    with pytest.raises(CacheUnavailable):
        cache.get("anything")
    assert cache_answers(cache) is False


def test_a_server_that_never_answers_is_given_up_on_after_the_socket_timeout():
    with SilentListener() as silent:
        cache = cache_at(silent.port, timeout=0.3)

        with pytest.raises(CacheUnavailable):
            cache.set("key", "value")


def test_after_a_failure_the_cache_is_not_asked_again_until_the_breaker_closes(tmp_path):
    redis = RedisServer(tmp_path)
    cache = cache_at(redis.port, breaker_seconds=60)
    with pytest.raises(CacheUnavailable):
        cache.get("key")

    # Redis answers now, but this process does not ask it until the minute is over.
    with redis.start(), pytest.raises(CacheUnavailable, match="moments ago"):
        cache.get("key")


def test_the_cache_is_used_again_once_the_breaker_has_closed(tmp_path):
    redis = RedisServer(tmp_path)
    cache = cache_at(redis.port, breaker_seconds=0)
    with pytest.raises(CacheUnavailable):
        cache.get("key")

    with redis.start():
        cache.set("key", "value")
        assert cache.get("key") == "value"
