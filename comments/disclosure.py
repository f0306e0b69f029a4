"""Sender records for court-ordered disclosure requests (発信者情報開示).

With DISCLOSURE_KEY set, each comment keeps its sender's network address and posting time,
encrypted with that Fernet key; without it nothing readable is kept. Opening a record is a
superuser's act, written to the moderation log.
"""

import json

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone


class DisclosureUnavailable(Exception):
    """No key is configured, the comment has no record, or the key cannot open it."""


def _fernet() -> Fernet | None:
    return Fernet(settings.DISCLOSURE_KEY.encode()) if settings.DISCLOSURE_KEY else None


def sender_record_seal(*, address: str, at) -> str:
    """The encrypted record to store with a comment, or "" when disclosure is not configured."""
    fernet = _fernet()
    if fernet is None or not address:
        return ""
    record = {"address": address, "posted_at": at.isoformat()}
    return fernet.encrypt(json.dumps(record).encode()).decode()


@transaction.atomic
def sender_record_open(*, comment, actor, reason: str = "") -> dict:
    """Decrypt one comment's sender record for a superuser, and log that it was done."""
    from comments.models import ModerationAction

    if not (actor.is_active and actor.is_superuser):
        raise PermissionDenied
    fernet = _fernet()
    if fernet is None or not comment.sender_record:
        raise DisclosureUnavailable
    try:
        record = json.loads(fernet.decrypt(comment.sender_record.encode()))
    except InvalidToken as error:
        raise DisclosureUnavailable from error
    entry = ModerationAction.objects.create(
        kind=ModerationAction.Kind.DISCLOSE,
        actor=actor,
        actor_name=actor.get_username(),
        reason=reason,
        created_at=timezone.now(),
    )
    entry.comments.add(comment)
    return record
