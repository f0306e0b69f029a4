"""Forgetting who posted: personal data is kept only as long as moderation needs it.

After PERSONAL_DATA_RETENTION_DAYS a comment loses its poster and network hashes, its encrypted
sender record and its deletion-key hash, and a report loses its reporter and network hashes; the
comment and the report themselves stay, so threads keep their numbers and the moderation log
keeps its meaning. Bans are kept while they are in force and deleted once they have been over for
the same period.

Other apps whose reader writes keep the same poster data (reader suggestions) register it with
`personal_data_register`, and the same purge, on the same schedule, clears theirs too.
"""

import dataclasses
import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from comments.models import Ban, Comment, PersonalDataPurge, Reaction, Report

BATCH_SIZE = 5000
# The purge runs daily from cron; two days without a run means the job has stopped.
PURGE_OVERDUE_AFTER = datetime.timedelta(days=2)
COMMENT_PERSONAL_FIELDS = (
    "poster_hash",
    "poster_network_hash",
    "sender_record",
    "deletion_key_hash",
)
REPORT_PERSONAL_FIELDS = ("reporter_hash", "reporter_network_hash")


@dataclass(frozen=True, slots=True)
class PurgeResult:
    cutoff: datetime.datetime
    comments: int
    reports: int
    bans: int
    # Reactions are deleted (their counts stay on the comment): a reaction is only its hash.
    reactions: int = 0
    # Rows cleared in the registered holders of personal data, by their name.
    others: dict[str, int] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PersonalDataHolder:
    """Rows of another app that keep poster data as comments do: `rows()` gives them all, and
    once older than the cutoff (by `created_at`) their `fields` are emptied. `label` names them
    for people (translated), `name` for code."""

    name: str
    label: str
    rows: Callable[[], models.QuerySet]
    fields: tuple[str, ...]


_holders: dict[str, PersonalDataHolder] = {}


def personal_data_register(
    *, name: str, label: str, rows: Callable[[], models.QuerySet], fields
) -> None:
    """Called from an app's ready(): its rows are purged with the comments' from then on."""
    _holders[name] = PersonalDataHolder(name=name, label=label, rows=rows, fields=tuple(fields))


def personal_data_label(name: str) -> str:
    return _holders[name].label


def _in_batches(queryset: models.QuerySet, *, batch_size: int, **changes) -> int:
    """Update `queryset` in primary-key order (or delete it, given no changes), one short
    transaction per batch.

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
            matching = queryset.model.objects.filter(pk__in=pks)
            done += matching.update(**changes) if changes else matching.delete()[0]
        last_pk = pks[-1]


def _any_set(fields) -> models.Q:
    has_personal_data = models.Q()
    for field in fields:
        has_personal_data |= ~models.Q(**{field: ""})
    return has_personal_data


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

    comments = Comment.objects.filter(_any_set(COMMENT_PERSONAL_FIELDS), created_at__lt=cutoff)
    reports = Report.objects.filter(_any_set(REPORT_PERSONAL_FIELDS), created_at__lt=cutoff)
    bans = Ban.objects.filter(expires_at__lt=cutoff)
    reactions = Reaction.objects.filter(created_at__lt=cutoff)
    others = {
        holder.name: holder.rows().filter(_any_set(holder.fields), created_at__lt=cutoff)
        for holder in _holders.values()
    }

    if dry_run:
        return PurgeResult(
            cutoff=cutoff,
            comments=comments.count(),
            reports=reports.count(),
            bans=bans.count(),
            reactions=reactions.count(),
            others={name: rows.count() for name, rows in others.items()},
        )
    cleared_comments = _in_batches(
        comments, batch_size=batch_size, **dict.fromkeys(COMMENT_PERSONAL_FIELDS, "")
    )
    cleared_reports = _in_batches(
        reports, batch_size=batch_size, **dict.fromkeys(REPORT_PERSONAL_FIELDS, "")
    )
    deleted_reactions = _in_batches(reactions, batch_size=batch_size)
    cleared_others = {
        name: _in_batches(rows, batch_size=batch_size, **dict.fromkeys(_holders[name].fields, ""))
        for name, rows in others.items()
    }
    with transaction.atomic():
        deleted_bans, _per_model = bans.delete()
        # Only a run that got this far counts as done (the moderators' queue reads it).
        PersonalDataPurge.objects.create(
            cutoff=cutoff, comments=cleared_comments, reports=cleared_reports, bans=deleted_bans
        )
    return PurgeResult(
        cutoff=cutoff,
        comments=cleared_comments,
        reports=cleared_reports,
        bans=deleted_bans,
        reactions=deleted_reactions,
        others=cleared_others,
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
