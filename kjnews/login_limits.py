"""Password guessing on the admin's sign-in, cut off per network address and per account.

Failed sign-ins are counted in the shared cache (django-ratelimit over Redis, as the comment
limits are), so every worker and node agrees: `ADMIN_LOGIN_ADDRESS_FAILURES` from one address, or
`ADMIN_LOGIN_ACCOUNT_FAILURES` for one account from anywhere, within a window of
`ADMIN_LOGIN_LOCKOUT_MINUTES`, and sign-in is refused, without the password even being checked,
until that window ends. Only failures count; a success does not reset anything.

Neither the address nor the account name is stored: the cache keys are keyed hashes of them.
While Redis is unavailable each worker counts by itself, so guessing is still bounded (by the
number of workers times the limits) and editors can still sign in.
"""

import threading
import time

from django.conf import settings
from django.utils.crypto import salted_hmac
from django.utils.module_loading import import_string
from django_ratelimit.core import get_usage

from kjnews.cache import CacheUnavailable


def login_wait(request, username: str) -> int | None:
    """Seconds until this address and this account may try a password again; None: now."""
    waits = []
    for group, key, limit, period in _limits(request, username):
        try:
            count, seconds_left = _cache_usage(request, group, key, limit, period, increment=False)
        except CacheUnavailable:
            count, seconds_left = _local.usage(group, key, period, increment=False)
        if count >= limit:
            waits.append(max(seconds_left, 1))
    return max(waits) if waits else None


def login_failed(request, username: str) -> None:
    """Counts a wrong password (or an account that may not sign in) against both."""
    for group, key, limit, period in _limits(request, username):
        try:
            _cache_usage(request, group, key, limit, period, increment=True)
        except CacheUnavailable:
            _local.usage(group, key, period, increment=True)


def _limits(request, username):
    period = settings.ADMIN_LOGIN_LOCKOUT_MINUTES * 60
    address = import_string(settings.ADMIN_LOGIN_CLIENT_ADDRESS)(request)
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


def _cache_usage(request, group, key, limit, period, *, increment) -> tuple[int, int]:
    usage = get_usage(
        request,
        group=group,
        key=lambda _group, _request: key,
        rate=f"{limit}/{period}s",
        increment=increment,
    )
    if usage is None:  # RATELIMIT_ENABLE is off
        return 0, 0
    if usage["time_left"] < 0:  # the cache answered nothing usable
        raise CacheUnavailable("no count from the cache")
    return usage["count"], usage["time_left"]


class _LocalCounts:
    """This worker's own counts, for while the shared cache is away: fixed windows per key."""

    MAX_KEYS = 10_000

    def __init__(self):
        self._counts: dict[tuple[str, str], tuple[float, int]] = {}
        self._lock = threading.Lock()

    def usage(self, group, key, period, *, increment) -> tuple[int, int]:
        now = time.monotonic()
        with self._lock:
            ends, count = self._counts.get((group, key), (now + period, 0))
            if ends <= now:
                ends, count = now + period, 0
            if increment:
                if len(self._counts) >= self.MAX_KEYS:
                    self._counts = {k: v for k, v in self._counts.items() if v[0] > now}
                count += 1
                self._counts[(group, key)] = (ends, count)
        return count, int(ends - now)


_local = _LocalCounts()
