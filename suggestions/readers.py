"""What one browser knows of its own suggestions: a signed cookie listing the ones it sent, so
the article page rendered for that browser alone can say they await review. Nothing of it ever
reaches a page rendered for the shared cache."""

from django.conf import settings
from django.core import signing

from kjnews.cookies import cookie_name, cookie_secure

SUGGESTED_COOKIE = "kj_suggested"
_SALT = "suggestions.sent"
# The cookie keeps the most recent few: enough for a reader working through one article.
KEPT = 20


def notice_seconds() -> int:
    return int(settings.SUGGESTION_NOTICE_HOURS * 3600)


def sent_suggestion_ids(request) -> list[int]:
    value = request.COOKIES.get(cookie_name(SUGGESTED_COOKIE))
    if not value:
        return []
    try:
        sent = signing.loads(value, salt=_SALT, max_age=notice_seconds())
    except signing.BadSignature:
        return []
    return [pk for pk in sent if isinstance(pk, int)] if isinstance(sent, list) else []


def remember_sent(request, response, suggestion_id: int) -> None:
    """This browser sent the suggestion: it is told so on the article page for a while."""
    sent = [*sent_suggestion_ids(request), suggestion_id][-KEPT:]
    response.set_cookie(
        cookie_name(SUGGESTED_COOKIE),
        signing.dumps(sent, salt=_SALT, compress=True),
        max_age=notice_seconds(),
        httponly=True,
        samesite="Lax",
        secure=cookie_secure(request),
    )
