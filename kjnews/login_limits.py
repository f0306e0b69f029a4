"""Password guessing on the admin's sign-in, cut off per network address and per account.

Failed sign-ins are counted in the shared cache (django-ratelimit over Redis, as the comment
limits are), so every worker and node agrees. `ADMIN_LOGIN_ADDRESS_FAILURES` from one address,
or `ADMIN_LOGIN_ACCOUNT_FAILURES` for one account from anywhere, within
`ADMIN_LOGIN_LOCKOUT_MINUTES`, lock that address or account out for `ADMIN_LOGIN_LOCKOUT_MINUTES`
from the last of them: sign-in is refused without the password even being checked. Only
failures count; a success resets nothing.

Neither the address nor the account name is stored: the cache keys are keyed hashes of them.
While Redis is unavailable each worker counts by itself, so guessing is still bounded (by the
number of workers times the limits) and editors can still sign in.
"""

import math
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac
from django.utils.module_loading import import_string
from django_ratelimit.core import get_usage

from kjnews.cache import CacheUnavailable


def login_wait(request, username: str) -> int | None:
    """Seconds until this address and this account may try a password again; None: now."""
    limits = list(_limits(request, username))
    now = time.time()
    try:
        locked_until = cache.get_many([_lock_key(group, key) for group, key, *_ in limits])
        ends = [until for until in locked_until.values() if until > now]
    except CacheUnavailable:
        ends = [_local.locked_until(group, key) for group, key, *_ in limits]
        ends = [until for until in ends if until > now]
    return math.ceil(max(ends) - now) if ends else None


def login_failed(request, username: str) -> None:
    """Counts a wrong password (or an account that may not sign in) against both; the one that
    reaches its limit is locked out."""
    for group, key, limit, period in _limits(request, username):
        try:
            usage = get_usage(
                request,
                group=group,
                key=lambda _group, _request, key=key: key,
                rate=f"{limit}/{period}s",
                increment=True,
            )
            if usage and usage["count"] >= limit:
                cache.add(_lock_key(group, key), time.time() + period, timeout=period)
        except CacheUnavailable:
            _local.fail(group, key, limit, period)


def _limits(request, username):
    period = settings.ADMIN_LOGIN_LOCKOUT_MINUTES * 60
    # An address that cannot be told behind our proxies counts as the proxy's: such sign-ins
    # share one allowance rather than escaping the count.
    address = import_string(settings.ADMIN_LOGIN_CLIENT_ADDRESS)(request)
    address = str(address) if address is not None else request.META.get("REMOTE_ADDR", "")
    yield (
        "kjnews.admin-login.address",
        salted_hmac("kjnews.login-limits.address", address, algorithm="sha256").hexdigest(),
        settings.ADMIN_LOGIN_ADDRESS_FAILURES,
        period,
    )
    # Usernames differing only in case or surrounding spaces count as one.
    yield (
        "kjnews.admin-login.account",
        salted_hmac(
            "kjnews.login-limits.account", username.strip().casefold(), algorithm="sha256"
        ).hexdigest(),
        settings.ADMIN_LOGIN_ACCOUNT_FAILURES,
        period,
    )


def _lock_key(group: str, key: str) -> str:
    return f"{group}.locked:{key}"


class _LocalCounts:
    """This worker's own counts, for while the shared cache is away."""

    MAX_KEYS = 10_000

    def __init__(self):
        self._failures: dict[tuple[str, str], list[float]] = {}
        self._locks: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def fail(self, group, key, limit, period) -> None:
        now = time.time()
        with self._lock:
            if len(self._failures) >= self.MAX_KEYS:
                self._failures.clear()
                self._locks = {k: until for k, until in self._locks.items() if until > now}
            recent = [at for at in self._failures.get((group, key), []) if at > now - period]
            recent.append(now)
            self._failures[(group, key)] = recent
            if len(recent) >= limit:
                self._locks[(group, key)] = now + period

    def locked_until(self, group, key) -> float:
        with self._lock:
            return self._locks.get((group, key), 0.0)


_local = _LocalCounts()
