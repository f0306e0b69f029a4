"""Forgetting who posted: personal data is kept only as long as moderation needs it.

After PERSONAL_DATA_RETENTION_DAYS a comment loses its poster hash, its encrypted sender record
and its deletion-key hash, and a report loses its reporter hash; the comment and the report
themselves stay, so threads keep their numbers and the moderation log keeps its meaning. Bans are
kept while they are in force and deleted once they have been over for the same period.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from comments.models import Ban, Comment, PersonalDataPurge, Report

BATCH_SIZE = 5000
# The purge runs daily from cron; two days without a run means the job has stopped.
PURGE_OVERDUE_AFTER = datetime.timedelta(days=2)
COMMENT_PERSONAL_FIELDS = ("poster_hash", "sender_record", "deletion_key_hash")


@dataclass(frozen=True, slots=True)
class PurgeResult:
    cutoff: datetime.datetime
    comments: int
    reports: int
    bans: int


def _in_batches(queryset: models.QuerySet, *, batch_size: int, **changes) -> int:
    """Update `queryset` in primary-key order, one short transaction per batch.

    A single UPDATE over years of comments would hold its row locks, and a long transaction,
    for as long as it takes; batches keep each lock short. Every batch is committed on its own,
    so an interrupted run leaves finished work done and the next run carries on from there.
    """
    done, last_pk = 0, 0
    while True:
        with transaction.atomic():
            pks = list(
                queryset.filter(pk__gt=last_pk)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch_size]
            )
            if not pks:
                return done
            done += queryset.model.objects.filter(pk__in=pks).update(**changes)
        last_pk = pks[-1]


def personal_data_purge(
    *,
    retention_days: int | None = None,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
) -> PurgeResult:
    """Remove poster data older than the retention period; with `dry_run`, only count it.

    Idempotent: what has been cleared no longer matches, so a second run finds nothing to do.
    """
    days = settings.PERSONAL_DATA_RETENTION_DAYS if retention_days is None else retention_days
    if days < 1:
        raise ValueError(f"the retention period must be at least one day, not {days}")
    cutoff = timezone.now() - datetime.timedelta(days=days)

    has_personal_data = models.Q()
    for field in COMMENT_PERSONAL_FIELDS:
        has_personal_data |= ~models.Q(**{field: ""})
    comments = Comment.objects.filter(has_personal_data, created_at__lt=cutoff)
    reports = Report.objects.filter(created_at__lt=cutoff).exclude(reporter_hash="")
    bans = Ban.objects.filter(expires_at__lt=cutoff)

    if dry_run:
        return PurgeResult(
            cutoff=cutoff, comments=comments.count(), reports=reports.count(), bans=bans.count()
        )
    cleared_comments = _in_batches(
        comments, batch_size=batch_size, **dict.fromkeys(COMMENT_PERSONAL_FIELDS, "")
    )
    cleared_reports = _in_batches(reports, batch_size=batch_size, reporter_hash="")
    with transaction.atomic():
        deleted_bans, _per_model = bans.delete()
        # Only a run that got this far counts as done (the moderators' queue reads it).
        PersonalDataPurge.objects.create(
            cutoff=cutoff, comments=cleared_comments, reports=cleared_reports, bans=deleted_bans
        )
    return PurgeResult(
        cutoff=cutoff, comments=cleared_comments, reports=cleared_reports, bans=deleted_bans
    )


@dataclass(frozen=True, slots=True)
class PurgeOverdue:
    """The purge has not run for PURGE_OVERDUE_AFTER: when it last did, or None for never."""

    last_run: datetime.datetime | None


def purge_overdue() -> PurgeOverdue | None:
    """Whether the moderators should hear that the purge is not running.

    After a run: when it is more than two days old. Before the first run: once the site itself
    is more than two days old, counted from its first migration (the day it was installed), so a
    new site has two days to set up its cron job and an old one that never did hears at once.
    """
    now = timezone.now()
    last_run = PersonalDataPurge.objects.last_finished_at()
    if last_run is not None:
        return PurgeOverdue(last_run) if now - last_run > PURGE_OVERDUE_AFTER else None
    installed = MigrationRecorder.Migration.objects.aggregate(first=models.Min("applied"))["first"]
    if installed is None or now - installed > PURGE_OVERDUE_AFTER:
        return PurgeOverdue(None)
    return None
