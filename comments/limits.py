"""Posting and reporting rate limits per poster, and looser ones per IPv6 network.

Counted in the shared cache (django-ratelimit over Redis) so every worker and node agrees. When the
cache is unavailable the same limits are counted from the database instead: the poster's comments
or reports stored within each window. That count is shared by every node too, and it only misses
attempts that were refused anyway, so an outage neither blocks readers nor lifts the limits.

A poster is an IPv4 address or an IPv6 /64. One person's line often holds a /56 or a /48, so an
IPv6 poster is also counted per /56 and per /48, against the same limits multiplied by
RATE_LIMIT_IPV6_NETWORK_FACTORS (4 and 16 by default). The database stores only the /48's hash
beside each write, so while Redis is down the /64 and /48 limits hold and the /56 one does not.
"""

import datetime
import math
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_ratelimit.core import _split_rate, get_usage

from comments.models import Comment, Reaction, Report
from comments.posters import IPV6_REPORTER_PREFIX, Poster
from kjnews.cache import CacheUnavailable

# Stored writes under one hash since a moment: what the database fallback counts.
RecentWrites = Callable[[str, datetime.datetime], QuerySet]


@dataclass(frozen=True)
class _Counter:
    """One thing counted against the limits: the poster, or one of their wider networks."""

    group: str
    key: str
    factor: int
    # The same count from stored writes while the cache is down; None: not stored.
    stored: RecentWrites | None


def posting_retry_after(request, poster: Poster) -> int | None:
    return writes_retry_after(
        request,
        poster,
        group="comments.post",
        rates=settings.COMMENT_RATE_LIMITS,
        by_poster=Comment.objects.recent_from_poster,
        by_network=Comment.objects.recent_from_network,
    )


def reporting_retry_after(request, poster: Poster) -> int | None:
    return writes_retry_after(
        request,
        poster,
        group="comments.report",
        rates=settings.COMMENT_REPORT_RATE_LIMITS,
        by_poster=Report.objects.recent_from_reporter,
        by_network=Report.objects.recent_from_network,
    )


def reacting_retry_after(request, poster: Poster) -> int | None:
    # Reactions keep no network hash: while Redis is down, only the poster's own count holds.
    return writes_retry_after(
        request,
        poster,
        group="comments.react",
        rates=settings.REACTION_RATE_LIMITS,
        by_poster=Reaction.objects.recent_from_poster,
        by_network=None,
    )


def writes_retry_after(
    request,
    poster: Poster,
    *,
    group: str,
    rates: list[str],
    by_poster: RecentWrites,
    by_network: RecentWrites | None,
) -> int | None:
    """Count one attempt of a kind of reader write (`group` names it in the cache) against
    `rates`; return the seconds to wait when any limit is exceeded, else None.

    Any app whose readers write under a poster's keyed hash limits them through here (reader
    suggestions do): `by_poster` and `by_network` are the stored writes the database fallback
    counts while the cache is down (None where the writes keep no network hash).
    """
    return _retry_after(
        request,
        _counters(group, poster, by_poster=by_poster, by_network=by_network),
        rates=rates,
    )


def _counters(group, poster, *, by_poster, by_network) -> list[_Counter]:
    counters = [_Counter(group, poster.hash, 1, by_poster)]
    if poster.is_ipv6:
        for prefixlen, factor in settings.RATE_LIMIT_IPV6_NETWORK_FACTORS.items():
            if factor > 0:
                stored = by_network if prefixlen == IPV6_REPORTER_PREFIX else None
                key = poster.wider_network_hash(prefixlen)
                counters.append(_Counter(f"{group}/{prefixlen}", key, factor, stored))
    return counters


def _scaled(rate: str, factor: int) -> tuple[int, int]:
    limit, period = _split_rate(rate)
    return limit * factor, period


def _retry_after(request, counters: list[_Counter], *, rates) -> int | None:
    """Count this attempt; return the seconds to wait when any of the limits is exceeded."""
    try:
        return _retry_after_from_cache(request, counters, rates=rates)
    except CacheUnavailable:
        return _retry_after_from_database(counters, rates=rates)


def _retry_after_from_cache(request, counters, *, rates) -> int | None:
    """Narrowest first, and an attempt refused by one counter is not counted by the wider ones:
    one reader hammering away must not use up the allowance of the others in their block."""
    for counter in counters:
        waits = []
        for rate in rates:
            usage = get_usage(
                request,
                group=counter.group,
                key=lambda _group, _request, key=counter.key: key,
                rate=_scaled(rate, counter.factor),
                increment=True,
            )
            if usage and usage["should_limit"]:
                # time_left is -1 when the cache itself failed: ask for a minute's patience.
                waits.append(max(usage["time_left"], 1) if usage["time_left"] >= 0 else 60)
        if waits:
            return max(waits)
    return None


def _retry_after_from_database(counters, *, rates) -> int | None:
    """The same limits as sliding windows over what the poster (or their network) stored."""
    now = timezone.now()
    waits = []
    for counter in counters:
        if counter.stored is None:
            continue
        for rate in rates:
            limit, period = _scaled(rate, counter.factor)
            window = datetime.timedelta(seconds=period)
            newest = list(
                counter.stored(counter.key, now - window)
                .order_by("-created_at")
                .values_list("created_at", flat=True)[:limit]
            )
            if len(newest) >= limit:
                # Another write is allowed once the limit-th newest one has left the window.
                waits.append(max(1, math.ceil((newest[-1] + window - now).total_seconds())))
    return max(waits) if waits else None


def retry_message(seconds: int) -> str:
    """When the reader may post again, in words: seconds for a short wait, minutes and a time
    of day for a long one."""
    if seconds < 120:
        return _("You are posting too often. Please wait %(seconds)s seconds and try again.") % {
            "seconds": seconds
        }
    retry_at = timezone.localtime() + datetime.timedelta(seconds=seconds)
    return _(
        "You are posting too often. Please try again in about %(minutes)s minutes (after %(time)s)."
    ) % {"minutes": math.ceil(seconds / 60), "time": f"{retry_at:%H:%M}"}
