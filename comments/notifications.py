"""Telling moderators there is work, without flooding them."""

import contextlib
import datetime
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.translation import gettext as _

from comments.models import Comment, Report
from kjnews.cache import CacheUnavailable

NOTIFIED_KEY = "comments:moderators-notified"
logger = logging.getLogger(__name__)


def moderation_recipients() -> list[str]:
    if settings.MODERATION_NOTIFY_EMAILS:
        return list(settings.MODERATION_NOTIFY_EMAILS)
    moderators = (
        get_user_model().objects.filter(is_active=True, groups__name="Moderators").exclude(email="")
    )
    return sorted(set(moderators.values_list("email", flat=True)))


def moderators_notify_if_busy() -> bool:
    """E-mail the moderators when the queues pass the threshold, at most once per interval.

    The shared cache's atomic add() makes the interval hold across every worker and node. It runs
    after the comment or report is committed, so nothing here may fail the reader's request: with
    the cache down the notice waits for the next post after it is back (no interval could be kept).
    """
    waiting = Comment.objects.awaiting_review().count() + Report.objects.open_comment_count()
    if waiting < settings.MODERATION_NOTIFY_THRESHOLD:
        return False
    recipients = moderation_recipients()
    if not recipients:
        return False
    interval = datetime.timedelta(minutes=settings.MODERATION_NOTIFY_INTERVAL_MINUTES)
    try:
        if not cache.add(NOTIFIED_KEY, True, timeout=int(interval.total_seconds())):
            return False
    except CacheUnavailable:
        logger.warning("Not e-mailing the moderators: the shared cache is unavailable")
        return False
    try:
        _send(waiting, recipients)
    except Exception:
        # A mail outage must never fail the comment or report that set it off; try again later.
        logger.exception("Could not e-mail the moderators about %d waiting comments", waiting)
        _forget_notice()
        return False
    return True


def _forget_notice():
    with contextlib.suppress(CacheUnavailable):  # else the key expires on its own
        cache.delete(NOTIFIED_KEY)


def _send(waiting: int, recipients: list[str]) -> None:
    queue_url = settings.SITE_URL.rstrip("/") + reverse("moderation:queue")
    send_mail(
        subject=_("[KJ News] %(count)d comments await moderation") % {"count": waiting},
        message=_(
            "%(count)d comments are held or reported and wait for a moderator.\n\n"
            "Review them here: %(url)s\n"
        )
        % {"count": waiting, "url": queue_url},
        from_email=None,
        recipient_list=recipients,
    )
