"""How often a reader may suggest: the comments' limits machinery (Redis, with the database
counting stored suggestions while Redis is down), with limits of its own."""

from django.conf import settings

from comments.limits import writes_retry_after
from comments.posters import Poster
from suggestions.models import Suggestion


def suggesting_retry_after(request, poster: Poster) -> int | None:
    return writes_retry_after(
        request,
        poster,
        group="suggestions.post",
        rates=settings.SUGGESTION_RATE_LIMITS,
        by_poster=Suggestion.objects.recent_from_poster,
        by_network=Suggestion.objects.recent_from_network,
    )
