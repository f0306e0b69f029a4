"""The shared cache (Redis), made safe to lose.

Django's Redis backend lets a connection error or a socket timeout escape into whatever view asked,
so a cache outage would turn into 500s, and a Redis that accepts connections but never answers would
hold every worker for the full socket timeout on every call. This backend:

- turns every Redis failure into one exception, `CacheUnavailable`, which callers handle on purpose
  (reads render without the cache, rate limits fall back to the database, notices are skipped);
- opens a per-process circuit breaker after a failure: for `breaker_seconds` every call fails at
  once instead of waiting on the network again, then one call tries Redis again.

Socket timeouts themselves are set in settings (`socket_connect_timeout`, `socket_timeout`).
"""

import logging
import threading
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger(__name__)

DEFAULT_BREAKER_SECONDS = 5.0


class CacheUnavailable(Exception):
    """The shared cache did not answer (refused or timed out), or the breaker is open."""


class _Breaker:
    """Whether this process should ask Redis at all; shared by the threads of one process."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.open_until = 0.0
        self._lock = threading.Lock()

    def check(self) -> None:
        if time.monotonic() < self.open_until:
            raise CacheUnavailable("the shared cache failed moments ago; not asking again yet")

    def trip(self, error: Exception) -> None:
        with self._lock:
            first = self.open_until == 0.0
            self.open_until = time.monotonic() + self.seconds
        if first:
            logger.warning("Shared cache unavailable (%s); retrying every %ss", error, self.seconds)

    def close(self) -> None:
        if self.open_until:
            with self._lock:
                self.open_until = 0.0
            logger.warning("Shared cache answers again")
            for hook in _recovery_hooks:
                try:
                    hook()
                except Exception:
                    logger.exception("A shared-cache recovery hook failed")


_breakers: dict[tuple[str, ...], _Breaker] = {}
_recovery_hooks = []


def on_recovery(hook) -> None:
    """Run `hook()` when this process reaches the cache again after failing to."""
    _recovery_hooks.append(hook)


def _breaker_for(servers, seconds) -> _Breaker:
    return _breakers.setdefault(tuple(servers), _Breaker(seconds))


# INCRBY only when the key exists, in one round trip: Django's incr() asks EXISTS, then INCRBY.
_INCR_EXISTING = """
if redis.call('exists', KEYS[1]) == 1 then return redis.call('incrby', KEYS[1], ARGV[1]) end
return false
"""


class GuardedRedisCacheClient(RedisCacheClient):
    def __init__(self, servers, *, breaker_seconds=DEFAULT_BREAKER_SECONDS, **options):
        super().__init__(servers, **options)
        self.breaker = _breaker_for(servers, breaker_seconds)
        self._clients = {}
        self._incr_scripts = {}

    def get_client(self, key=None, *, write=False):
        # Django builds a new redis.Redis for every call (its response-callback table alone is
        # ~170 entries); one per pool does the same work, and redis.Redis is thread-safe.
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client

    def incr(self, key, delta):
        client = self.get_client(key, write=True)
        script = self._incr_scripts.get(client)
        if script is None:
            script = self._incr_scripts[client] = client.register_script(_INCR_EXISTING)
        value = script(keys=[key], args=[delta])
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return value


def _guarded(method):
    def call(self, *args, **kwargs):
        self.breaker.check()
        try:
            result = method(self, *args, **kwargs)
        except self._lib.RedisError as error:
            self.breaker.trip(error)
            raise CacheUnavailable(str(error)) from error
        self.breaker.close()
        return result

    call.__name__ = method.__name__
    call.__doc__ = method.__doc__
    return call


for _name in (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "has_key",
    "incr",
    "set_many",
    "delete_many",
    "clear",
):
    setattr(GuardedRedisCacheClient, _name, _guarded(getattr(GuardedRedisCacheClient, _name)))


class ResilientRedisCache(RedisCache):
    """Django's Redis cache whose failures are `CacheUnavailable`, behind a circuit breaker."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = GuardedRedisCacheClient


def cache_answers(cache) -> bool:
    """Whether the cache takes a write and gives it back (for readiness checks)."""
    try:
        cache.set("kjnews:ready", "1", timeout=10)
        return cache.get("kjnews:ready") == "1"
    except CacheUnavailable:
        return False
