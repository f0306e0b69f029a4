"""Telling moderators there is work, without flooding them."""

import datetime
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.translation import gettext as _

from comments.models import Comment

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

    The shared cache's atomic add() makes the interval hold across every worker and node.
    """
    waiting = Comment.objects.awaiting_review().count() + Comment.objects.reported().count()
    if waiting < settings.MODERATION_NOTIFY_THRESHOLD:
        return False
    recipients = moderation_recipients()
    if not recipients:
        return False
    interval = datetime.timedelta(minutes=settings.MODERATION_NOTIFY_INTERVAL_MINUTES)
    if not cache.add(NOTIFIED_KEY, True, timeout=int(interval.total_seconds())):
        return False
    try:
        _send(waiting, recipients)
    except Exception:
        # A mail outage must never fail the comment or report that set it off; try again later.
        logger.exception("Could not e-mail the moderators about %d waiting comments", waiting)
        cache.delete(NOTIFIED_KEY)
        return False
    return True


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
