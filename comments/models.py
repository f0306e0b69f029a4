import hmac

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comments.posters import deletion_key_hash
from comments.targets import TARGET_MODEL, target_is_too_old


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

    class Meta:
        verbose_name = _("comment thread")
        verbose_name_plural = _("comment threads")

    def __str__(self):
        return str(self.article)

    @property
    def accepts_comments(self):
        return not self.is_closed and not target_is_too_old(self.article)


class CommentQuerySet(models.QuerySet):
    def for_article(self, article):
        return self.filter(article=article)

    def published(self):
        return self.filter(status=Comment.Status.PUBLISHED)

    def listed(self):
        """What holds a place in the numbered list: published and removed (a placeholder)."""
        return self.filter(status__in=Comment.LISTED_STATUSES)

    def numbered_between(self, first, last):
        return self.filter(number__gte=first, number__lte=last).order_by("number")

    def recent_from_poster(self, poster_hash, since):
        return self.filter(poster_hash=poster_hash, created_at__gte=since)


class Comment(models.Model):
    class Status(models.TextChoices):
        PUBLISHED = "published", _("Published")
        PENDING = "pending", _("Held for review")
        HIDDEN = "hidden", _("Hidden")
        REMOVED_BY_POSTER = "removed_by_poster", _("Removed by poster")
        REMOVED_BY_MODERATOR = "removed_by_moderator", _("Removed by moderator")

    REMOVED_STATUSES = (Status.REMOVED_BY_POSTER, Status.REMOVED_BY_MODERATOR)
    LISTED_STATUSES = (Status.PUBLISHED, *REMOVED_STATUSES)

    article = models.ForeignKey(
        TARGET_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("article")
    )
    number = models.PositiveIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=40, blank=True)
    body = models.TextField(_("comment"))
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
    deletion_key_hash = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(_("posted"), default=timezone.now, db_index=True)
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["article", "number"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="comment_number_unique")
        ]
        indexes = [models.Index(fields=["poster_hash", "created_at"])]

    def __str__(self):
        return f"{self.article_id} #{self.number}"

    @property
    def display_name(self):
        return self.name or settings.COMMENT_DEFAULT_NAME

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    @property
    def is_removed(self):
        return self.status in self.REMOVED_STATUSES

    def can_be_deleted_with(self, deletion_key):
        """The poster's own browser, within the deletion window, and not already removed."""
        return (
            self.status in (self.Status.PUBLISHED, self.Status.PENDING)
            and bool(deletion_key and self.deletion_key_hash)
            and timezone.now() < self.created_at + settings.COMMENT_DELETE_WINDOW
            and hmac.compare_digest(
                self.deletion_key_hash,
                deletion_key_hash(deletion_key, article_id=self.article_id, number=self.number),
            )
        )
