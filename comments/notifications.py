"""Telling moderators (and, through the same rule, editors) there is work, without flooding them."""

import contextlib
import datetime
import functools
import logging
from collections.abc import Callable

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


def group_recipients(group_name: str, configured) -> list[str]:
    """The configured addresses if any, else every active member of the group with one."""
    if configured:
        return list(configured)
    members = (
        get_user_model().objects.filter(is_active=True, groups__name=group_name).exclude(email="")
    )
    return sorted(set(members.values_list("email", flat=True)))


def moderation_recipients() -> list[str]:
    return group_recipients("Moderators", settings.MODERATION_NOTIFY_EMAILS)


def moderators_notify_if_busy() -> bool:
    """E-mail the moderators when the queues pass the threshold, at most once per interval."""
    waiting = Comment.objects.awaiting_review().count() + Report.objects.open_comment_count()
    if waiting < settings.MODERATION_NOTIFY_THRESHOLD:
        return False
    return notify_once_per_interval(
        key=NOTIFIED_KEY,
        interval_minutes=settings.MODERATION_NOTIFY_INTERVAL_MINUTES,
        recipients=moderation_recipients(),
        send=functools.partial(_send, waiting),
        what=f"{waiting} waiting comments",
    )


def notify_once_per_interval(
    *,
    key: str,
    interval_minutes: int,
    recipients: list[str],
    send: Callable[[list[str]], None],
    what: str,
) -> bool:
    """Call `send(recipients)` unless it was called for `key` within the interval; say whether.

    The shared cache's atomic add() makes the interval hold across every worker and node. It runs
    after the write that set it off is committed, so nothing here may fail the reader's request:
    with the cache down the notice waits for the next write after it is back (no interval could
    be kept). Every queue that tells its people about work (moderators, editors) uses this rule.
    """
    if not recipients:
        return False
    interval = datetime.timedelta(minutes=interval_minutes)
    try:
        if not cache.add(key, True, timeout=int(interval.total_seconds())):
            return False
    except CacheUnavailable:
        logger.warning("Not e-mailing about %s: the shared cache is unavailable", what)
        return False
    try:
        send(recipients)
    except Exception:
        # A mail outage must never fail the write that set it off; try again later.
        logger.exception("Could not e-mail about %s", what)
        _forget_notice(key)
        return False
    return True


def _forget_notice(key):
    with contextlib.suppress(CacheUnavailable):  # else the key expires on its own
        cache.delete(key)


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
