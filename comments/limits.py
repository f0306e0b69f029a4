"""Posting rate limits per poster, counted in the shared cache so every worker and node agrees."""

from django.conf import settings
from django_ratelimit.core import get_usage

from comments.posters import Poster


def posting_retry_after(request, poster: Poster, *, group: str = "comments.post") -> int | None:
    """Count this attempt; return the seconds to wait when any configured limit is exceeded."""
    waits = []
    for rate in settings.COMMENT_RATE_LIMITS:
        usage = get_usage(
            request,
            group=group,
            key=lambda _group, _request: poster.hash,
            rate=rate,
            increment=True,
        )
        if usage and usage["should_limit"]:
            # time_left is -1 when the cache itself failed: ask for a minute's patience.
            waits.append(usage["time_left"] if usage["time_left"] > 0 else 60)
    return max(waits) if waits else None
