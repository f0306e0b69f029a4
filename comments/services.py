"""Every write to comments goes through here: one path each, validated, in one transaction."""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comments.disclosure import sender_record_decrypt, sender_record_key_id, sender_record_seal
from comments.models import (
    Ban,
    BlockedTerm,
    Comment,
    ModerationAction,
    ModerationMode,
    Report,
    Thread,
)
from comments.notifications import moderators_notify_if_busy
from comments.posters import Poster, deletion_key_hash
from comments.rendering import URL_RE
from comments.targets import target_pages_changed
from comments.terms import first_match
from kjnews.pagecache import all_pages_changed

# Said to banned posters: it neither confirms the ban nor invites them to work around it.
NEUTRAL_REFUSAL = _("Your comment could not be accepted at this time.")


class CommentRejected(Exception):
    """A comment or an action on one was refused; `message` is for the reader."""

    def __init__(self, message, code):
        super().__init__(message)
        self.message = message
        self.code = code


def _hold_reason(thread, body, blocked_term):
    """Why a new comment must wait for a moderator, or "" when it can be published at once.
    `thread` comes from `Thread.objects.for_posting`, which read what the poster has done."""
    reasons = Comment.HoldReason
    if thread.slow_mode:
        return reasons.SLOW_MODE
    if thread.moderation_mode_in_effect() == ModerationMode.PRE:
        return reasons.PRE_MODERATION
    if blocked_term is not None:
        return reasons.BLOCKED_TERM
    if len(URL_RE.findall(body)) > settings.COMMENT_HOLD_LINKS:
        return reasons.LINKS
    if thread.poster_recently_removed:
        return reasons.RECENT_REMOVAL
    return ""


def _thread_for_posting(article, poster: Poster, body: str) -> Thread:
    threads = Thread.objects.for_posting(poster_hash=poster.hash, body=body)
    try:
        thread = threads.get(article=article)
    except Thread.DoesNotExist:
        # The article's first comment: create its thread (another poster may race us to it).
        Thread.objects.get_or_create(article=article)
        thread = threads.get(article=article)
    thread.article = article
    return thread


@transaction.atomic
def comment_create(*, article, poster: Poster, name: str, body: str, deletion_key: str) -> Comment:
    # The locked thread row serialises numbering for this article (see Thread).
    thread = _thread_for_posting(article, poster, body)
    if not thread.accepts_comments:
        raise CommentRejected(_("Comments on this article are closed."), code="closed")
    if thread.poster_banned:
        raise CommentRejected(NEUTRAL_REFUSAL, code="banned")
    now = timezone.now()
    if thread.poster_repeats:
        raise CommentRejected(
            _("You have already posted this comment. Please do not post the same text twice."),
            code="duplicate",
        )
    blocked = first_match(f"{name}\n{body}", BlockedTerm.objects.all())
    if blocked is not None and blocked.action == BlockedTerm.Action.REJECT:
        raise CommentRejected(
            _(
                "This comment contains an expression that cannot be posted here. "
                "Please rephrase it and send it again."
            ),
            code="blocked_term",
        )
    hold_reason = _hold_reason(thread, body, blocked)
    status = Comment.Status.PENDING if hold_reason else Comment.Status.PUBLISHED
    thread.last_number += 1
    thread.published_count += status == Comment.Status.PUBLISHED
    thread.save(update_fields=["last_number", "published_count"])
    comment = Comment.objects.create(
        article=article,
        number=thread.last_number,
        name=name,
        body=body,
        status=status,
        hold_reason=hold_reason,
        poster_id=poster.id_for(article.pk, timezone.localdate(now)),
        poster_hash=poster.hash,
        deletion_key_hash=deletion_key_hash(
            deletion_key, article_id=article.pk, number=thread.last_number
        ),
        sender_record=sender_record_seal(
            address=poster.sender, at=now, article_id=article.pk, number=thread.last_number
        ),
        created_at=now,
    )
    if comment.is_pending:
        transaction.on_commit(moderators_notify_if_busy, robust=True)
    else:
        target_pages_changed(article)
    return comment


@transaction.atomic
def comment_remove_by_poster(*, comment: Comment, deletion_key: str | None) -> Comment:
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if not comment.can_be_deleted_with(deletion_key):
        raise CommentRejected(
            _(
                "This comment can only be deleted from the browser that posted it, "
                "within %(hours)s hours."
            )
            % {"hours": int(settings.COMMENT_DELETE_WINDOW.total_seconds() // 3600)},
            code="not_deletable",
        )
    comment.status = Comment.Status.REMOVED_BY_POSTER
    comment.status_changed_at = timezone.now()
    comment.save(update_fields=["status", "status_changed_at"])
    thread_recount(article_id=comment.article_id)
    return comment


@transaction.atomic
def comment_report(*, comment: Comment, reporter: Poster, reason: str, note: str = "") -> Report:
    """A reader's flag. Enough distinct flags hide the comment until a moderator decides."""
    if Ban.objects.active_for(reporter.hash):
        raise CommentRejected(NEUTRAL_REFUSAL, code="banned")
    comment = Comment.objects.select_for_update().select_related("article").get(pk=comment.pk)
    if not comment.is_published:
        raise CommentRejected(
            _("This comment has already been taken down for review. Thank you."),
            code="not_reportable",
        )
    if comment.reports.filter(reporter_hash=reporter.hash).exists():
        raise CommentRejected(
            _("You have already reported this comment. Thank you."), code="duplicate_report"
        )
    report = Report.objects.create(
        comment=comment, reason=reason, note=note.strip(), reporter_hash=reporter.hash
    )
    thread = Thread.objects.with_section_policy().get(article_id=comment.article_id)
    open_reports = comment.reports.filter(resolved_at__isnull=True).count()
    if open_reports >= thread.report_threshold_in_effect():
        _set_status([comment], Comment.Status.HIDDEN, hold_reason=Comment.HoldReason.REPORTS)
        _log(ModerationAction.Kind.AUTO_HIDE, actor=None, comments=[comment])
    transaction.on_commit(moderators_notify_if_busy, robust=True)
    return report


BAN_DURATIONS = {"1d": 1, "7d": 7, "30d": 30, "permanent": None}


@transaction.atomic
def comments_moderate(
    *,
    actor,
    comments: Iterable[Comment],
    kind: str,
    reason: str = "",
    ban_duration: str | None = None,
) -> ModerationAction:
    """One moderator decision on one or more comments, recorded in the moderation log.

    Approve publishes and clears the reports (new reports bring a comment back to the queue);
    hide, remove and spam take it down; ban removes the comments and bans their posters.
    """
    if not actor.has_perm("comments.moderate_comment"):
        raise PermissionDenied
    comments = list(
        Comment.objects.select_for_update().filter(pk__in=[c.pk for c in comments]).order_by("pk")
    )
    kinds = ModerationAction.Kind
    details = {}
    if kind == kinds.APPROVE:
        # What its poster deleted stays deleted: approving never brings it back.
        comments = [c for c in comments if c.status != Comment.Status.REMOVED_BY_POSTER]
        _set_status(comments, Comment.Status.PUBLISHED, hold_reason="")
    elif kind == kinds.HIDE:
        _set_status(comments, Comment.Status.HIDDEN, hold_reason=Comment.HoldReason.MODERATOR)
    elif kind in (kinds.REMOVE, kinds.MARK_SPAM):
        _set_status(comments, Comment.Status.REMOVED_BY_MODERATOR, hold_reason="")
    elif kind == kinds.BAN:
        if ban_duration not in BAN_DURATIONS:
            raise ValueError(f"unknown ban duration {ban_duration!r}")
        days = BAN_DURATIONS[ban_duration]
        expires_at = timezone.now() + datetime.timedelta(days=days) if days else None
        for poster_hash in {c.poster_hash for c in comments if c.poster_hash}:
            Ban.objects.create(
                poster_hash=poster_hash, expires_at=expires_at, reason=reason, created_by=actor
            )
        _set_status(comments, Comment.Status.REMOVED_BY_MODERATOR, hold_reason="")
        details = {"ban": ban_duration}
    else:
        raise ValueError(f"not a comment moderation action: {kind!r}")
    Report.objects.filter(comment__in=comments, resolved_at__isnull=True).update(
        resolved_at=timezone.now()
    )
    return _log(kind, actor=actor, comments=comments, reason=reason, details=details)


@transaction.atomic
def thread_slow_mode_set(*, actor, thread: Thread, on: bool) -> ModerationAction | None:
    """Pre-moderation for one article only, switched on or off in one action."""
    if not actor.has_perm("comments.moderate_comment"):
        raise PermissionDenied
    changed = Thread.objects.filter(pk=thread.pk).exclude(slow_mode=on).update(slow_mode=on)
    if not changed:
        return None
    thread.slow_mode = on
    target_pages_changed(thread.article_id)
    kind = ModerationAction.Kind.SLOW_MODE_ON if on else ModerationAction.Kind.SLOW_MODE_OFF
    return _log(kind, actor=actor, comments=[], thread=thread)


@transaction.atomic
def sender_record_open(*, comment: Comment, actor, private_key, reason: str) -> dict:
    """Open one comment's sealed sender record with the offline private key a superuser has
    just supplied, for a disclosure request, and log it with its legal basis.

    The key is only used here, in memory; nothing keeps it. Nothing is logged unless the record
    opened, and the record is returned only once its log entry is written.
    """
    if not (actor.is_active and actor.is_superuser):
        raise PermissionDenied
    if not reason.strip():
        raise ValueError("a disclosure needs its legal basis")
    record = sender_record_decrypt(
        comment.sender_record, private_key, article_id=comment.article_id, number=comment.number
    )
    _log(
        ModerationAction.Kind.DISCLOSE,
        actor=actor,
        comments=[comment],
        reason=reason.strip(),
        details={"key_id": sender_record_key_id(comment.sender_record)},
    )
    return record


def _set_status(comments, status, *, hold_reason):
    now = timezone.now()
    for comment in comments:
        comment.status, comment.hold_reason, comment.status_changed_at = status, hold_reason, now
    Comment.objects.bulk_update(comments, ["status", "hold_reason", "status_changed_at"])
    for article_id in {comment.article_id for comment in comments}:
        thread_recount(article_id=article_id)


def _log(kind, *, actor, comments, reason="", details=None, thread=None):
    entry = ModerationAction.objects.create(
        kind=kind,
        actor=actor,
        actor_name=actor.get_username() if actor else "",
        reason=reason,
        details=details or {},
        thread=thread,
    )
    entry.comments.set(comments)
    return entry


def comments_rerender(*, batch_size: int = 2000) -> int:
    """Render every comment's stored HTML again, in batches; returns how many."""
    count = 0
    comments = Comment.objects.select_related("article").order_by("pk")
    for comment in comments.iterator(chunk_size=batch_size):
        comment.body_html = comment.rendered_body()
        comment.save(update_fields=["body_html"])
        count += 1
    all_pages_changed()
    return count


def thread_recount(*, article_id: int) -> None:
    """Recount the thread's reader-visible comments; called after any status change, so it also
    tells the shared page cache that the article's page changed."""
    Thread.objects.filter(article_id=article_id).update(
        published_count=Comment.objects.filter(article_id=article_id).published().count()
    )
    target_pages_changed(article_id)
