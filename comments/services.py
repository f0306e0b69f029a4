"""Every write to comments goes through here: one path each, validated, in one transaction."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comments.disclosure import sender_record_decrypt, sender_record_key_id, sender_record_seal
from comments.models import (
    Ban,
    BlockedTerm,
    Comment,
    ModerationAction,
    ModerationMode,
    Reaction,
    Report,
    SectionPolicy,
    Thread,
)
from comments.notifications import moderators_notify_if_busy
from comments.posters import POSTER_HASH_RE, Poster, deletion_key_hash
from comments.rendering import URL_RE
from comments.targets import target_pages_changed
from comments.terms import first_match, term_forms
from kjnews.pagecache import all_pages_changed

# Said to banned posters: it neither confirms the ban nor invites them to work around it.
NEUTRAL_REFUSAL = _("Your comment could not be accepted at this time.")
Kind = ModerationAction.Kind


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
        poster_network_hash=poster.network_hash,
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
    """A reader's flag. Open flags from enough distinct reporter networks hide the comment until
    a moderator decides."""
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
        comment=comment,
        reason=reason,
        note=note.strip(),
        reporter_hash=reporter.hash,
        reporter_network_hash=reporter.network_hash,
    )
    thread = Thread.objects.with_section_policy().get(article_id=comment.article_id)
    reporters = comment.reports.filter(resolved_at__isnull=True).reporter_count()
    if reporters >= thread.report_threshold_in_effect():
        _set_status([comment], Comment.Status.HIDDEN, hold_reason=Comment.HoldReason.REPORTS)
        _log(Kind.AUTO_HIDE, actor=None, comments=[comment])
    transaction.on_commit(moderators_notify_if_busy, robust=True)
    return report


@dataclass(frozen=True)
class ReactionResult:
    number: int
    kind: str
    pressed: bool  # whether the reader's reaction of this kind now stands
    counts: dict[str, int]


def reaction_toggle(*, comment: Comment, poster: Poster, kind: str) -> ReactionResult:
    """A reader's reaction to a published comment, or its withdrawal if they had made it.

    Counted with single-row UPDATEs and kept unique by a constraint, so readers reacting at once
    never wait for each other. It changes no page's generation: counts on shared pages catch up
    within `REACTION_COUNTS_MAX_AGE` (kjnews.pagecache, `valid_until`), and the reader who reacted
    gets pages of their own meanwhile.
    """
    if kind not in Reaction.COUNT_FIELDS:
        raise CommentRejected(_("That is not a reaction."), code="unknown_reaction")
    if Ban.objects.active_for(poster.hash):
        raise CommentRejected(NEUTRAL_REFUSAL, code="banned")
    if not comment.is_published:
        raise CommentRejected(
            _("Only comments that readers can see can be reacted to."), code="not_reactable"
        )
    count_field = Reaction.COUNT_FIELDS[kind]
    counts = Comment.objects.filter(pk=comment.pk)
    with transaction.atomic():
        withdrawn, _kinds = Reaction.objects.filter(
            comment=comment, kind=kind, poster_hash=poster.hash
        ).delete()
        if withdrawn:
            counts.filter(**{f"{count_field}__gt": 0}).update(
                **{count_field: models.F(count_field) - 1}
            )
        else:
            try:
                with transaction.atomic():
                    Reaction.objects.create(comment=comment, kind=kind, poster_hash=poster.hash)
            except IntegrityError:
                pass  # the same reader's other press got there first: it stands once
            else:
                counts.update(**{count_field: models.F(count_field) + 1})
    current = counts.values(*Reaction.COUNT_FIELDS.values()).get()
    return ReactionResult(
        number=comment.number,
        kind=kind,
        pressed=not withdrawn,
        counts={kind: current[field] for kind, field in Reaction.COUNT_FIELDS.items()},
    )


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
    kinds = Kind
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
        bans = [
            _ban_create(actor=actor, poster_hash=poster_hash, expires_at=expires_at, reason=reason)
            for poster_hash in sorted({c.poster_hash for c in comments if c.poster_hash})
        ]
        _set_status(comments, Comment.Status.REMOVED_BY_MODERATOR, hold_reason="")
        details = {"ban": ban_duration, "ban_ids": [ban.pk for ban in bans]}
    else:
        raise ValueError(f"not a comment moderation action: {kind!r}")
    Report.objects.filter(comment__in=comments, resolved_at__isnull=True).update(
        resolved_at=timezone.now()
    )
    return _log(kind, actor=actor, comments=comments, reason=reason, details=details)


# Moderation state other than comments: bans, section policies, blocked terms and threads. Each
# change is one service, which checks the permission again (the admin checked it first), changes
# the rows in one transaction and writes the moderation log; a save that changes nothing writes
# nothing. The admin calls these and never saves those rows itself.


def _require(actor, *permissions: str) -> None:
    if not (actor.is_active and actor.has_perms(permissions)):
        raise PermissionDenied


def _iso(moment: datetime.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _ban_target(ban: Ban) -> str:
    # By number only: the log outlives the poster hash (PERSONAL_DATA_RETENTION_DAYS).
    return f"#{ban.pk}"


def _ban_create(*, actor, poster_hash: str, expires_at, reason: str) -> Ban:
    """The one place a ban row is made: by `poster_ban`, and for each poster of the comments a
    moderator bans from the queue (`comments_moderate`, which logs them with their comments)."""
    return Ban.objects.create(
        poster_hash=poster_hash, expires_at=expires_at, reason=reason, created_by=actor
    )


@transaction.atomic
def poster_ban(
    *, actor, poster_hash: str, expires_at: datetime.datetime | None = None, reason: str = ""
) -> Ban:
    """Ban one poster, by their hash, until `expires_at` (None: for good)."""
    _require(actor, "comments.add_ban")
    poster_hash = poster_hash.strip().lower()
    if not POSTER_HASH_RE.fullmatch(poster_hash):
        raise ValueError("a poster hash is 64 hexadecimal characters")
    ban = _ban_create(actor=actor, poster_hash=poster_hash, expires_at=expires_at, reason=reason)
    _log(
        Kind.BAN,
        actor=actor,
        reason=reason,
        target=_ban_target(ban),
        details={"ban_id": ban.pk, "expires_at": _iso(expires_at)},
    )
    return ban


@transaction.atomic
def ban_update(*, actor, ban: Ban, expires_at: datetime.datetime | None, reason: str) -> Ban:
    """Change how long a ban lasts or why; the poster it bans never changes."""
    _require(actor, "comments.change_ban")
    ban = Ban.objects.select_for_update().get(pk=ban.pk)
    before = {"expires_at": _iso(ban.expires_at), "reason": ban.reason}
    after = {"expires_at": _iso(expires_at), "reason": reason}
    if before == after:
        return ban
    ban.expires_at, ban.reason = expires_at, reason
    ban.save(update_fields=["expires_at", "reason"])
    _log(
        Kind.BAN_UPDATE,
        actor=actor,
        reason=reason,
        target=_ban_target(ban),
        details={"ban_id": ban.pk, "before": before, "after": after},
    )
    return ban


@transaction.atomic
def ban_lift(*, actor, ban: Ban, reason: str = "") -> None:
    """End a ban now: the poster may comment and report again. The row goes; the log keeps it."""
    _require(actor, "comments.delete_ban")
    ban = (
        Ban.objects.select_for_update(of=("self",))
        .select_related("created_by")
        .filter(pk=ban.pk)
        .first()
    )
    if ban is None:
        return  # lifted meanwhile, by someone else
    target = _ban_target(ban)
    details = {
        "ban_id": ban.pk,
        "expires_at": _iso(ban.expires_at),
        "banned_at": _iso(ban.created_at),
        "banned_by": ban.created_by.get_username() if ban.created_by else "",
        "ban_reason": ban.reason,
    }
    ban.delete()
    _log(Kind.BAN_LIFT, actor=actor, reason=reason, target=target, details=details)


def _policy_values(policy: SectionPolicy | None) -> dict | None:
    if policy is None:
        return None
    return {"moderation_mode": policy.moderation_mode, "report_threshold": policy.report_threshold}


@transaction.atomic
def section_policy_set(
    *, actor, section, moderation_mode: str, report_threshold: int
) -> SectionPolicy:
    """How comments on one section's articles are moderated; creates the policy if needed."""
    if moderation_mode not in ModerationMode.values:
        raise ValueError(f"unknown moderation mode {moderation_mode!r}")
    if report_threshold < 0:
        raise ValueError("a report threshold cannot be negative")
    policy = SectionPolicy.objects.select_for_update().filter(section=section).first()
    _require(actor, "comments.change_sectionpolicy" if policy else "comments.add_sectionpolicy")
    before = _policy_values(policy)
    after = {"moderation_mode": moderation_mode, "report_threshold": report_threshold}
    if before == after:
        return policy
    if policy is None:
        policy = SectionPolicy.objects.create(section=section, **after)
    else:
        policy.moderation_mode, policy.report_threshold = moderation_mode, report_threshold
        policy.save(update_fields=["moderation_mode", "report_threshold"])
    _log(
        Kind.POLICY_SET,
        actor=actor,
        target=str(section),
        details={"section_id": section.pk, "before": before, "after": after},
    )
    all_pages_changed()  # article pages say whether comments are checked before they appear
    return policy


@transaction.atomic
def section_policy_remove(*, actor, policy: SectionPolicy) -> None:
    """Back to the defaults: post-moderation and COMMENT_REPORT_THRESHOLD."""
    _require(actor, "comments.delete_sectionpolicy")
    policy = (
        SectionPolicy.objects.select_for_update(of=("self",))
        .select_related("section")
        .filter(pk=policy.pk)
        .first()
    )
    if policy is None:
        return
    section, before = policy.section, _policy_values(policy)
    policy.delete()
    _log(
        Kind.POLICY_REMOVE,
        actor=actor,
        target=str(section),
        details={"section_id": section.pk, "before": before},
    )
    all_pages_changed()


def _term_checked(term: str, action: str) -> str:
    term = term.strip()
    if not term_forms(term).surface:
        raise ValueError("a blocked term made only of spaces or symbols never matches")
    if action not in BlockedTerm.Action.values:
        raise ValueError(f"unknown blocked-term action {action!r}")
    return term


@transaction.atomic
def blocked_term_add(*, actor, term: str, action: str = BlockedTerm.Action.HOLD) -> BlockedTerm:
    """A word that holds (or rejects) new comments, matched after Japanese normalisation."""
    _require(actor, "comments.add_blockedterm")
    term = _term_checked(term, action)
    blocked_term = BlockedTerm.objects.create(term=term, action=action)
    _log(
        Kind.TERM_ADD,
        actor=actor,
        target=term,
        details={"term_id": blocked_term.pk, "action": action},
    )
    return blocked_term


@transaction.atomic
def blocked_term_update(*, actor, blocked_term: BlockedTerm, term: str, action: str) -> BlockedTerm:
    _require(actor, "comments.change_blockedterm")
    term = _term_checked(term, action)
    blocked_term = BlockedTerm.objects.select_for_update().get(pk=blocked_term.pk)
    before = {"term": blocked_term.term, "action": blocked_term.action}
    after = {"term": term, "action": action}
    if before == after:
        return blocked_term
    blocked_term.term, blocked_term.action = term, action
    blocked_term.save()  # recomputes the normalised forms
    _log(
        Kind.TERM_UPDATE,
        actor=actor,
        target=term,
        details={"term_id": blocked_term.pk, "before": before, "after": after},
    )
    return blocked_term


@transaction.atomic
def blocked_term_remove(*, actor, blocked_term: BlockedTerm) -> None:
    _require(actor, "comments.delete_blockedterm")
    blocked_term = BlockedTerm.objects.select_for_update().filter(pk=blocked_term.pk).first()
    if blocked_term is None:
        return
    details = {"term_id": blocked_term.pk, "action": blocked_term.action}
    term = blocked_term.term
    blocked_term.delete()
    _log(Kind.TERM_REMOVE, actor=actor, target=term, details=details)


def _thread_changed(thread: Thread, field: str, value) -> tuple | None:
    """Set one field of the thread row if it differs: (before, after), or None if it did not."""
    current = Thread.objects.select_for_update().select_related("article").get(pk=thread.pk)
    before = getattr(current, field)
    if before == value:
        return None
    Thread.objects.filter(pk=thread.pk).update(**{field: value})
    setattr(thread, field, value)
    thread.article = current.article
    target_pages_changed(current.article)  # the article page shows the thread's state
    return before, value


def _thread_log(kind, *, actor, thread: Thread, details=None) -> ModerationAction:
    return _log(kind, actor=actor, thread=thread, target=str(thread.article)[:200], details=details)


@transaction.atomic
def thread_close(*, actor, thread: Thread) -> ModerationAction | None:
    """Readers can still read the article's comments but add none."""
    _require(actor, "comments.change_thread")
    if _thread_changed(thread, "is_closed", True) is None:
        return None
    return _thread_log(Kind.THREAD_CLOSE, actor=actor, thread=thread)


@transaction.atomic
def thread_reopen(*, actor, thread: Thread) -> ModerationAction | None:
    """Open again (a thread still closes by itself COMMENTS_CLOSE_AFTER_DAYS after publication)."""
    _require(actor, "comments.change_thread")
    if _thread_changed(thread, "is_closed", False) is None:
        return None
    return _thread_log(Kind.THREAD_REOPEN, actor=actor, thread=thread)


@transaction.atomic
def thread_moderation_set(*, actor, thread: Thread, mode: str) -> ModerationAction | None:
    """The article's own moderation mode, or "" to follow its section's policy."""
    _require(actor, "comments.moderate_comment")
    if mode not in ("", *ModerationMode.values):
        raise ValueError(f"unknown moderation mode {mode!r}")
    changed = _thread_changed(thread, "moderation_mode", mode)
    if changed is None:
        return None
    before, after = changed
    return _thread_log(
        Kind.THREAD_MODE, actor=actor, thread=thread, details={"before": before, "after": after}
    )


@transaction.atomic
def thread_slow_mode_set(*, actor, thread: Thread, on: bool) -> ModerationAction | None:
    """Pre-moderation for one article only, switched on or off in one action."""
    _require(actor, "comments.moderate_comment")
    if _thread_changed(thread, "slow_mode", on) is None:
        return None
    return _thread_log(Kind.SLOW_MODE_ON if on else Kind.SLOW_MODE_OFF, actor=actor, thread=thread)


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
        Kind.DISCLOSE,
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


def _log(kind, *, actor, comments=(), reason="", details=None, thread=None, target=""):
    """The moderation log's only writer: every service records its change through here."""
    entry = ModerationAction.objects.create(
        kind=kind,
        actor=actor,
        actor_name=actor.get_username() if actor else "",
        reason=reason,
        details=details or {},
        thread=thread,
        target=target,
    )
    if comments:
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
