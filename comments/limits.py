"""Posting rate limits per poster, counted in the shared cache so every worker and node agrees."""

import datetime
import math

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage

from comments.posters import Poster


def posting_retry_after(request, poster: Poster) -> int | None:
    return _retry_after(request, poster, group="comments.post", rates=settings.COMMENT_RATE_LIMITS)


def reporting_retry_after(request, poster: Poster) -> int | None:
    return _retry_after(
        request, poster, group="comments.report", rates=settings.COMMENT_REPORT_RATE_LIMITS
    )


def _retry_after(request, poster: Poster, *, group: str, rates: list[str]) -> int | None:
    """Count this attempt; return the seconds to wait when any of the limits is exceeded."""
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
