import dataclasses
import datetime
import functools
import hmac
import typing

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comments.posters import deletion_key_hash
from comments.targets import (
    TARGET_GROUP_MODEL,
    TARGET_MODEL,
    target_group_id,
    target_takes_comments,
)


class ModerationMode(models.TextChoices):
    POST = "post", _("Post-moderation: published at once, reviewed afterwards")
    PRE = "pre", _("Pre-moderation: held until a moderator approves")


class SectionPolicy(models.Model):
    """How comments on one section's articles are moderated."""

    section = models.OneToOneField(
        TARGET_GROUP_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("section")
    )
    moderation_mode = models.CharField(
        _("moderation mode"),
        max_length=4,
        choices=ModerationMode.choices,
        default=ModerationMode.POST,
    )
    report_threshold = models.PositiveSmallIntegerField(
        _("report threshold"),
        default=3,
        help_text=_("A comment with this many reports from different readers is hidden."),
    )

    class Meta:
        verbose_name = _("section moderation policy")
        verbose_name_plural = _("section moderation policies")

    def __str__(self):
        return str(self.section)


class ThreadQuerySet(models.QuerySet):
    def for_posting(self, *, poster_hash: str, body: str):
        """The thread locked for numbering, with all that decides how this poster's comment is
        taken, read in the same query: the section's policy, whether the poster is banned,
        has just posted the same text, or had a comment removed by moderators lately."""
        now = timezone.now()
        repeated_since = now - datetime.timedelta(minutes=settings.COMMENT_DUPLICATE_WINDOW_MINUTES)
        removed_since = now - datetime.timedelta(days=settings.COMMENT_HOLD_AFTER_REMOVAL_DAYS)
        comments = Comment.objects.filter(poster_hash=poster_hash)
        return (
            self.select_for_update(of=("self",))
            .with_section_policy()
            .annotate(
                poster_banned=models.Exists(Ban.objects.active().filter(poster_hash=poster_hash)),
                poster_repeats=models.Exists(
                    comments.filter(created_at__gte=repeated_since, body=body)
                ),
                poster_recently_removed=models.Exists(
                    comments.removed_by_moderators_since(removed_since)
                ),
            )
        )

    def with_section_policy(self):
        """The section's moderation mode and report threshold in the same query (see
        `Thread.moderation_mode_in_effect`)."""
        policy = SectionPolicy.objects.filter(section_id=models.OuterRef("article__section_id"))
        return self.annotate(
            section_moderation_mode=models.Subquery(policy.values("moderation_mode")[:1]),
            section_report_threshold=models.Subquery(policy.values("report_threshold")[:1]),
        )


class Thread(models.Model):
    """The comments side of one article: its numbering counter, its count and whether it is open.

    The row is also the lock that serialises numbering: each new comment increments `last_number` in
    its own transaction, so numbers are gap-free and unique however many readers post at once.
    """

    article = models.OneToOneField(
        TARGET_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("article")
    )
    last_number = models.PositiveIntegerField(_("last comment number"), default=0)
    published_count = models.PositiveIntegerField(_("published comments"), default=0)
    is_closed = models.BooleanField(
        _("closed for comments"),
        default=False,
        help_text=_("Readers can still read the comments but cannot add new ones."),
    )
    moderation_mode = models.CharField(
        _("moderation mode"),
        max_length=4,
        choices=ModerationMode.choices,
        blank=True,
        help_text=_("Blank: the section's policy applies."),
    )
    slow_mode = models.BooleanField(
        _("slow mode"),
        default=False,
        help_text=_("Every new comment waits for a moderator; readers see a notice."),
    )

    objects = ThreadQuerySet.as_manager()

    class Meta:
        verbose_name = _("comment thread")
        verbose_name_plural = _("comment threads")

    def __str__(self):
        return str(self.article)

    @property
    def accepts_comments(self):
        return not self.is_closed and target_takes_comments(self.article)

    def _section_policy_value(self, name):
        """The section policy's value, from `with_section_policy()` when the thread came
        through it, else from the database; None when the section has no policy."""
        annotated = f"section_{name}"
        if hasattr(self, annotated):
            return getattr(self, annotated)
        policy = SectionPolicy.objects.filter(section_id=target_group_id(self.article))
        return policy.values_list(name, flat=True).first()

    def moderation_mode_in_effect(self) -> str:
        """The article's own mode if set, else its section's, else post-moderation."""
        return (
            self.moderation_mode
            or self._section_policy_value("moderation_mode")
            or ModerationMode.POST
        )

    def report_threshold_in_effect(self) -> int:
        threshold = self._section_policy_value("report_threshold")
        return settings.COMMENT_REPORT_THRESHOLD if threshold is None else threshold

    @property
    def is_reviewed_first(self) -> bool:
        """Whether new comments wait for a moderator (readers are told so)."""
        return self.slow_mode or self.moderation_mode_in_effect() == ModerationMode.PRE


class CommentQuerySet(models.QuerySet):
    def for_article(self, article):
        return self.filter(article=article)

    def published(self):
        return self.filter(status=Comment.Status.PUBLISHED)

    def awaiting_review(self):
        return self.filter(status=Comment.Status.PENDING)

    def reported(self):
        """Comments with reports no moderator has decided on yet, whatever their status."""
        open_reports = Report.objects.filter(comment=models.OuterRef("pk"), resolved_at=None)
        return self.filter(models.Exists(open_reports))

    def removed_by_moderators(self):
        return self.filter(status=Comment.Status.REMOVED_BY_MODERATOR)

    def removed_by_moderators_since(self, since):
        return self.removed_by_moderators().filter(status_changed_at__gte=since)

    def with_open_report_counts(self):
        """`open_reports` and `last_reported_at`: reports that still wait for a decision."""
        unresolved = models.Q(reports__resolved_at__isnull=True)
        return self.annotate(
            open_reports=models.Count("reports", filter=unresolved, distinct=True),
            last_reported_at=models.Max("reports__created_at", filter=unresolved),
        )

    def listed_or_pending(self):
        """What holds a place in the numbered list (published, and hidden or removed ones as
        placeholders) plus held comments, which only their own posters see (`thread_page`)."""
        return self.filter(status__in=(*Comment.LISTED_STATUSES, Comment.Status.PENDING))

    def display_rows(self, *, offset=0, limit=None) -> list["CommentRow"]:
        """The comments as light rows holding only what a thread page shows (and what decides
        who may delete one); `limit` rows from `offset` when given."""
        fields = [field.name for field in dataclasses.fields(CommentRow)]
        rows = self.values_list(*fields)
        if limit is not None:
            rows = rows[offset : offset + limit]
        return [CommentRow(*values) for values in rows]

    def numbered_between(self, first, last):
        return self.filter(number__gte=first, number__lte=last).order_by("number")

    def recent_from_poster(self, poster_hash, since):
        return self.filter(poster_hash=poster_hash, created_at__gte=since)

    def recent_from_network(self, network_hash, since):
        return self.filter(poster_network_hash=network_hash, created_at__gte=since)


class CommentState:
    """What a comment's stored state means: shared by `Comment` and by the light `CommentRow`s a
    thread page reads (about half the cost of building full model instances)."""

    @property
    def display_name(self):
        return self.name or settings.COMMENT_DEFAULT_NAME

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    @property
    def is_removed(self):
        return self.status in self.REMOVED_STATUSES

    @property
    def is_hidden(self):
        return self.status == self.Status.HIDDEN

    @property
    def is_hidden_by_reports(self):
        return self.is_hidden and self.hold_reason == self.HoldReason.REPORTS

    @property
    def is_pending(self):
        return self.status == self.Status.PENDING

    def was_posted_with(self, deletion_key):
        """Whether the browser holding this deletion key posted the comment."""
        return bool(deletion_key and self.deletion_key_hash) and hmac.compare_digest(
            self.deletion_key_hash,
            deletion_key_hash(deletion_key, article_id=self.article_id, number=self.number),
        )

    def can_be_deleted_with(self, deletion_key):
        """The poster's own browser, within the deletion window, and not already taken down."""
        return (
            self.status in (self.Status.PUBLISHED, self.Status.PENDING)
            and timezone.now() < self.created_at + settings.COMMENT_DELETE_WINDOW
            and self.was_posted_with(deletion_key)
        )


class Comment(CommentState, models.Model):
    class Status(models.TextChoices):
        PUBLISHED = "published", _("Published")
        PENDING = "pending", _("Held for review")
        HIDDEN = "hidden", _("Hidden")
        REMOVED_BY_POSTER = "removed_by_poster", _("Removed by poster")
        REMOVED_BY_MODERATOR = "removed_by_moderator", _("Removed by moderator")

    class HoldReason(models.TextChoices):
        PRE_MODERATION = "pre_moderation", _("Pre-moderation")
        SLOW_MODE = "slow_mode", _("Slow mode")
        LINKS = "links", _("Too many links")
        BLOCKED_TERM = "blocked_term", _("Blocked term")
        RECENT_REMOVAL = "recent_removal", _("Poster's comments were recently removed")
        REPORTS = "reports", _("Reported by readers")
        MODERATOR = "moderator", _("Hidden by a moderator")

    REMOVED_STATUSES = (Status.REMOVED_BY_POSTER, Status.REMOVED_BY_MODERATOR)
    # Hidden comments keep their place with a placeholder, like removed ones.
    LISTED_STATUSES = (Status.PUBLISHED, Status.HIDDEN, *REMOVED_STATUSES)

    article = models.ForeignKey(
        TARGET_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("article")
    )
    number = models.PositiveIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=40, blank=True)
    body = models.TextField(_("comment"))
    # The body as safe HTML (escaped, linked, `>>N` anchored), made once when the comment is
    # saved instead of on every page view: see `rendered_body`.
    body_html = models.TextField(blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.PUBLISHED
    )
    poster_id = models.CharField(
        _("poster ID"), max_length=8, help_text=_("Shown to readers; changes daily.")
    )
    poster_hash = models.CharField(
        _("poster hash"),
        max_length=64,
        blank=True,
        db_index=True,
        help_text=_("Keyed hash of the network address: rate limits, duplicates and bans."),
    )
    # Keyed hash of the poster's network (IPv4: the address, IPv6: its /48): the posting limits
    # per network count it while Redis is down.
    poster_network_hash = models.CharField(max_length=64, blank=True, editable=False)
    hold_reason = models.CharField(
        _("why held or hidden"), max_length=16, choices=HoldReason.choices, blank=True
    )
    deletion_key_hash = models.CharField(max_length=64, blank=True, editable=False)
    # The sender's address and time sealed to DISCLOSURE_PUBLIC_KEY, for court-ordered
    # disclosure (comments/disclosure.py); empty unless a key is configured. Only a superuser
    # holding the offline private key can open it, and each opening is logged.
    sender_record = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(_("posted"), default=timezone.now, db_index=True)
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    # Readers' reactions (Reaction), counted here so that a page reads them with the comment and
    # can be ordered by them; kept by `reaction_toggle` only.
    empathy_count = models.PositiveIntegerField(_("empathy"), default=0, editable=False)
    insight_count = models.PositiveIntegerField(_("insight"), default=0, editable=False)
    doubt_count = models.PositiveIntegerField(_("doubt"), default=0, editable=False)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["article", "number"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="comment_number_unique")
        ]
        indexes = [
            models.Index(fields=["poster_hash", "created_at"]),
            models.Index(fields=["poster_network_hash", "created_at"]),
            models.Index(fields=["status", "created_at"]),
            # A thread ordered by 共感 (most first).
            models.Index(fields=["article", "-empathy_count", "number"]),
        ]
        permissions = [("moderate_comment", _("Can moderate comments"))]

    def __str__(self):
        return f"{self.article_id} #{self.number}"

    def save(self, *args, **kwargs):
        if not self.body_html:
            self.body_html = self.rendered_body()
        super().save(*args, **kwargs)

    def rendered_body(self) -> str:
        """The body as HTML; `>>N` links to comment N's place in this article's thread."""
        from comments.paging import comment_location
        from comments.rendering import comment_html

        return comment_html(self.body, functools.partial(comment_location, self.article))


@dataclasses.dataclass(slots=True)
class CommentRow(CommentState):
    """A comment as a thread page shows it, read with `values_list` (see `for_display`)."""

    article_id: int
    number: int
    name: str
    body_html: str
    status: str
    hold_reason: str
    poster_id: str
    deletion_key_hash: str
    created_at: datetime.datetime
    empathy_count: int
    insight_count: int
    doubt_count: int

    Status: typing.ClassVar = Comment.Status
    HoldReason: typing.ClassVar = Comment.HoldReason
    REMOVED_STATUSES: typing.ClassVar = Comment.REMOVED_STATUSES


class ReactionQuerySet(models.QuerySet):
    def recent_from_poster(self, poster_hash, since):
        return self.filter(poster_hash=poster_hash, created_at__gte=since)


class Reaction(models.Model):
    """One reader's reaction to one comment, Yahoo!ニュース style: each kind once per reader
    (a second press takes it back). Who reacted is a keyed hash of their address, as for posts."""

    class Kind(models.TextChoices):
        EMPATHY = "empathy", _("I agree")
        INSIGHT = "insight", _("Good point")
        DOUBT = "doubt", _("Hmm")

    COUNT_FIELDS = {
        Kind.EMPATHY: "empathy_count",
        Kind.INSIGHT: "insight_count",
        Kind.DOUBT: "doubt_count",
    }

    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="reactions", verbose_name=_("comment")
    )
    kind = models.CharField(_("reaction"), max_length=8, choices=Kind.choices)
    poster_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("reacted"), default=timezone.now)

    objects = ReactionQuerySet.as_manager()

    class Meta:
        verbose_name = _("reaction")
        verbose_name_plural = _("reactions")
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "kind", "poster_hash"], name="one_reaction_of_a_kind"
            )
        ]
        indexes = [models.Index(fields=["poster_hash", "created_at"])]

    def __str__(self):
        return f"{self.comment} {self.get_kind_display()}"


class ReportQuerySet(models.QuerySet):
    def recent_from_reporter(self, reporter_hash, since):
        return self.filter(reporter_hash=reporter_hash, created_at__gte=since)

    def recent_from_network(self, network_hash, since):
        return self.filter(reporter_network_hash=network_hash, created_at__gte=since)

    def reporter_count(self) -> int:
        """How many people these reports come from: one per reporter network, so one person
        reporting from many addresses of their block counts once. A report whose hashes were
        purged counts on its own."""
        return self.aggregate(
            count=models.Count(
                "reporter_network_hash",
                distinct=True,
                filter=~models.Q(reporter_network_hash=""),
            )
            + models.Count("pk", filter=models.Q(reporter_network_hash=""))
        )["count"]

    def open_comment_count(self) -> int:
        """How many comments have reports awaiting a decision: counted in the reports table
        (its comment/resolved index), however many comments the site holds."""
        return self.filter(resolved_at=None).values("comment").distinct().count()


class Report(models.Model):
    """One reader's flag (通報) on one comment; a moderator's decision resolves it."""

    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam or advertising")
        ABUSE = "abuse", _("Abuse or harassment")
        PERSONAL_INFORMATION = "personal_info", _("Personal information")
        OFF_TOPIC = "off_topic", _("Off-topic")
        OTHER = "other", _("Other")

    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="reports", verbose_name=_("comment")
    )
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    reporter_hash = models.CharField(max_length=64, blank=True, editable=False)
    # Keyed hash of the reporter's network (IPv4: the address, IPv6: its /48): a comment is
    # hidden by reports from enough distinct networks.
    reporter_network_hash = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(_("reported"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "reporter_hash"],
                condition=~models.Q(reporter_hash=""),
                name="one_report_per_reader",
            )
        ]
        indexes = [
            models.Index(fields=["comment", "resolved_at"]),
            # Counting a reader's recent reports: the rate limit's fallback while Redis is down.
            models.Index(fields=["reporter_hash", "created_at"]),
            models.Index(fields=["reporter_network_hash", "created_at"]),
        ]

    def __str__(self):
        return f"{self.comment} ({self.get_reason_display()})"


class BanQuerySet(models.QuerySet):
    def active(self):
        now = timezone.now()
        return self.filter(models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now))

    def active_for(self, poster_hash: str) -> bool:
        """Whether the poster may not comment or report now."""
        return self.active().filter(poster_hash=poster_hash).exists()


class Ban(models.Model):
    """A poster (by keyed address hash) who may not comment or report until it expires."""

    poster_hash = models.CharField(_("poster hash"), max_length=64, db_index=True)
    expires_at = models.DateTimeField(
        _("expires"), null=True, blank=True, help_text=_("Blank: permanent.")
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("banned by"),
    )
    created_at = models.DateTimeField(_("banned"), default=timezone.now)

    objects = BanQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("ban")
        verbose_name_plural = _("bans")

    def __str__(self):
        return f"{self.poster_hash[:12]}…"


class BlockedTerm(models.Model):
    """A word that holds or rejects a comment, matched after Japanese normalisation."""

    class Action(models.TextChoices):
        HOLD = "hold", _("Hold for review")
        REJECT = "reject", _("Reject")

    term = models.CharField(_("term"), max_length=100, unique=True)
    action = models.CharField(
        _("action"), max_length=6, choices=Action.choices, default=Action.HOLD
    )
    surface = models.CharField(max_length=100, editable=False)
    reading = models.CharField(max_length=300, editable=False)
    created_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        ordering = ["term"]
        verbose_name = _("blocked term")
        verbose_name_plural = _("blocked terms")

    def __str__(self):
        return self.term

    def save(self, *args, **kwargs):
        from comments.terms import term_forms

        forms = term_forms(self.term)
        self.surface, self.reading = forms.surface, forms.reading
        super().save(*args, **kwargs)


class ModerationAction(models.Model):
    """The audit log: every moderation decision and every change to how comments are taken, by
    whom (or by the system), on which comments or what else. Written only by the services."""

    class Kind(models.TextChoices):
        # Decisions on comments.
        APPROVE = "approve", _("Approved")
        HIDE = "hide", _("Hidden")
        REMOVE = "remove", _("Removed")
        MARK_SPAM = "spam", _("Marked as spam")
        AUTO_HIDE = "auto_hide", _("Hidden automatically by reports")
        # Bans.
        BAN = "ban", _("Poster banned")
        BAN_UPDATE = "ban_update", _("Ban changed")
        BAN_LIFT = "ban_lift", _("Ban lifted")
        # How comments are taken: per section, per article, by term.
        POLICY_SET = "policy_set", _("Section policy set")
        POLICY_REMOVE = "policy_remove", _("Section policy removed")
        THREAD_MODE = "thread_mode", _("Article moderation mode set")
        SLOW_MODE_ON = "slow_on", _("Slow mode switched on")
        SLOW_MODE_OFF = "slow_off", _("Slow mode switched off")
        THREAD_CLOSE = "thread_close", _("Comments closed")
        THREAD_REOPEN = "thread_reopen", _("Comments reopened")
        TERM_ADD = "term_add", _("Blocked term added")
        TERM_UPDATE = "term_update", _("Blocked term changed")
        TERM_REMOVE = "term_remove", _("Blocked term removed")
        # Personal data.
        DISCLOSE = "disclose", _("Sender information decrypted")

    kind = models.CharField(_("action"), max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("moderator"),
    )
    # Kept as written at the time, so the log still says who after an account is deleted.
    actor_name = models.CharField(_("moderator name"), max_length=150, blank=True)
    comments = models.ManyToManyField(
        Comment, related_name="moderation_actions", verbose_name=_("comments")
    )
    thread = models.ForeignKey(
        Thread, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("thread")
    )
    # What was acted on when it is not comments: a section, an article, a term, a ban (by
    # number: the log outlives poster hashes). Written as it was named at the time.
    target = models.CharField(_("target"), max_length=200, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    # What changed: ids, and the values before and after.
    details = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("moderation log entry")
        verbose_name_plural = _("moderation log")

    def __str__(self):
        return f"{self.get_kind_display()} ({self.actor_name or _('system')})"


class PersonalDataPurgeQuerySet(models.QuerySet):
    def last_finished_at(self) -> datetime.datetime | None:
        return self.aggregate(last=models.Max("finished_at"))["last"]


class PersonalDataPurge(models.Model):
    """One completed run of `purge_personal_data`: the moderators' queue warns when the last one
    is too old, so a cron job that stopped does not go unnoticed. Kept in the database (a cache
    forgets on restart); a row a day."""

    finished_at = models.DateTimeField(_("finished"), default=timezone.now, db_index=True)
    cutoff = models.DateTimeField(_("removed personal data older than"))
    comments = models.PositiveIntegerField(_("comments cleared"))
    reports = models.PositiveIntegerField(_("reports cleared"))
    bans = models.PositiveIntegerField(_("expired bans deleted"))

    objects = PersonalDataPurgeQuerySet.as_manager()

    class Meta:
        ordering = ["-finished_at"]
        verbose_name = _("personal data purge")
        verbose_name_plural = _("personal data purges")

    def __str__(self):
        return f"{self.finished_at:%Y-%m-%d %H:%M}"
