"""Posting and reporting rate limits per poster.

Counted in the shared cache (django-ratelimit over Redis) so every worker and node agrees. When the
cache is unavailable the same limits are counted from the database instead: the poster's comments
or reports stored within each window. That count is shared by every node too, and it only misses
attempts that were refused anyway, so an outage neither blocks readers nor lifts the limits.
"""

import datetime
import math
from collections.abc import Callable

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_ratelimit.core import _split_rate, get_usage

from comments.models import Comment, Reaction, Report
from comments.posters import Poster
from kjnews.cache import CacheUnavailable

# The poster's stored writes since a moment: what the database fallback counts.
RecentWrites = Callable[[str, datetime.datetime], QuerySet]


def posting_retry_after(request, poster: Poster) -> int | None:
    return _retry_after(
        request,
        poster,
        group="comments.post",
        rates=settings.COMMENT_RATE_LIMITS,
        recent_writes=Comment.objects.recent_from_poster,
    )


def reporting_retry_after(request, poster: Poster) -> int | None:
    return _retry_after(
        request,
        poster,
        group="comments.report",
        rates=settings.COMMENT_REPORT_RATE_LIMITS,
        recent_writes=Report.objects.recent_from_reporter,
    )


def reacting_retry_after(request, poster: Poster) -> int | None:
    return _retry_after(
        request,
        poster,
        group="comments.react",
        rates=settings.REACTION_RATE_LIMITS,
        recent_writes=Reaction.objects.recent_from_poster,
    )


def _retry_after(request, poster, *, group, rates, recent_writes) -> int | None:
    """Count this attempt; return the seconds to wait when any of the limits is exceeded."""
    try:
        return _retry_after_from_cache(request, poster, group=group, rates=rates)
    except CacheUnavailable:
        return _retry_after_from_database(poster, rates=rates, recent_writes=recent_writes)


def _retry_after_from_cache(request, poster, *, group, rates) -> int | None:
    waits = []
    for rate in rates:
        usage = get_usage(
            request,
            group=group,
            key=lambda _group, _request: poster.hash,
            rate=rate,
            increment=True,
        )
        if usage and usage["should_limit"]:
            # time_left is -1 when the cache itself failed: ask for a minute's patience.
            waits.append(max(usage["time_left"], 1) if usage["time_left"] >= 0 else 60)
    return max(waits) if waits else None


def _retry_after_from_database(poster, *, rates, recent_writes: RecentWrites) -> int | None:
    """The same limits as sliding windows over what the poster has stored."""
    now = timezone.now()
    waits = []
    for rate in rates:
        limit, period = _split_rate(rate)
        window = datetime.timedelta(seconds=period)
        newest = list(
            recent_writes(poster.hash, now - window)
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
