"""Telling editors that readers' suggestions pile up, by the moderators' once-per-interval rule."""

import functools

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.translation import gettext as _

from comments.notifications import group_recipients, notify_once_per_interval
from suggestions.models import Suggestion

NOTIFIED_KEY = "suggestions:editors-notified"


def editors_notify_if_busy() -> bool:
    """E-mail the editors when pending suggestions reach the threshold, at most once per
    interval; run after a suggestion is committed, and never failing the reader's request."""
    waiting = Suggestion.objects.pending().count()
    if waiting < settings.SUGGESTION_NOTIFY_THRESHOLD:
        return False
    return notify_once_per_interval(
        key=NOTIFIED_KEY,
        interval_minutes=settings.SUGGESTION_NOTIFY_INTERVAL_MINUTES,
        recipients=group_recipients("Editors", settings.SUGGESTION_NOTIFY_EMAILS),
        send=functools.partial(_send, waiting),
        what=f"{waiting} pending suggestions",
    )


def _send(waiting: int, recipients: list[str]) -> None:
    queue_url = settings.SITE_URL.rstrip("/") + reverse("editorial:suggestions")
    send_mail(
        subject=_("[KJ News] %(count)d reader suggestions await review") % {"count": waiting},
        message=_(
            "Readers have pointed out %(count)d possible mistranslations or errors that wait "
            "for an editor.\n\nReview them here: %(url)s\n"
        )
        % {"count": waiting, "url": queue_url},
        from_email=None,
        recipient_list=recipients,
    )
