"""Readers' suggestions (誤訳・誤りの指摘) on an article's passages, and the editors' decisions.

A suggestion names its passage by key (articles.passages) and keeps the passage's text as the
reader saw it, so the queue can tell when the passage has changed since. Who suggested is kept
as comments keep it: keyed hashes of the address (comments.posters), purged with the comments'
personal data.
"""

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.models import Article
from articles.passages import ChangeKind, PassageKind, passage_max_length

# The longest original sentence and note a reader may send.
ORIGINAL_MAX_LENGTH = 1000
NOTE_MAX_LENGTH = 500


def passage_digest(text: str) -> str:
    """Names a passage's text in the form (a hidden field), so a post can tell whether the text
    changed after the reader opened the form without sending the whole paragraph back."""
    return hashlib.sha256(text.encode()).hexdigest()


def proposal_max_length(passage) -> int:
    """How long a proposed wording may be: what the headline and caption fields hold, and for
    paragraphs and summary points SUGGESTION_MAX_LENGTH, or more for a passage that is longer."""
    limit = passage_max_length(passage.kind)
    if limit is not None:
        return limit
    return max(settings.SUGGESTION_MAX_LENGTH, len(passage.text) + 200)


class SuggestionQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=Suggestion.Status.PENDING)

    def for_passage(self, article_id: int, key: str):
        return self.filter(article_id=article_id, passage_key=key)

    def same_proposal(self, suggestion: "Suggestion"):
        """The pending suggestions proposing the same wording for the same passage: one
        decision settles them all."""
        return (
            self.pending()
            .for_passage(suggestion.article_id, suggestion.passage_key)
            .filter(proposed_text=suggestion.proposed_text)
        )

    def recent_from_poster(self, poster_hash, since):
        return self.filter(poster_hash=poster_hash, created_at__gte=since)

    def recent_from_network(self, network_hash, since):
        return self.filter(poster_network_hash=network_hash, created_at__gte=since)


class Suggestion(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting review")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        DUPLICATE = "duplicate", _("Duplicate")

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="+", verbose_name=_("article")
    )
    passage_key = models.CharField(_("passage"), max_length=40)
    passage_kind = models.CharField(_("kind of passage"), max_length=10, choices=PassageKind)
    passage_text = models.TextField(_("passage as the reader saw it"))
    proposed_text = models.TextField(_("proposed wording"))
    original_text = models.TextField(_("original sentence"), blank=True)
    note = models.TextField(_("note"), blank=True)
    poster_hash = models.CharField(
        _("poster hash"),
        max_length=64,
        blank=True,
        help_text=_("Keyed hash of the network address: rate limits, duplicates and bans."),
    )
    # As on comments: the poster's network (IPv4: the address, IPv6: its /48), which the rate
    # limits count while Redis is down.
    poster_network_hash = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(_("suggested"), default=timezone.now, db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.PENDING, db_index=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("duplicate of"),
    )

    objects = SuggestionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        permissions = [("decide_suggestion", _("Can decide on readers' suggestions"))]
        indexes = [
            models.Index(fields=["poster_hash", "created_at"]),
            models.Index(fields=["poster_network_hash", "created_at"]),
            models.Index(fields=["article", "passage_key", "status"]),
        ]

    def __str__(self):
        return f"{self.article_id} {self.passage_key} #{self.pk}"

    @property
    def is_pending(self):
        return self.status == self.Status.PENDING


class SuggestionDecision(models.Model):
    """The editors' log: every decision on suggestions, by whom, when, on what and why. Written
    only by the services."""

    class Kind(models.TextChoices):
        ACCEPT = "accept", _("Accepted")
        REJECT = "reject", _("Rejected")
        DUPLICATE = "duplicate", _("Marked as duplicate")

    kind = models.CharField(_("decision"), max_length=10, choices=Kind)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("editor"),
    )
    # Kept as written at the time, so the log still says who after an account is deleted.
    actor_name = models.CharField(_("editor name"), max_length=150)
    article = models.ForeignKey(
        Article,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("article"),
    )
    article_title = models.CharField(_("headline at the time"), max_length=200)
    passage_key = models.CharField(_("passage"), max_length=40)
    proposed_text = models.TextField(_("proposed wording"))
    # What the passage became (accepted, possibly edited by the editor first).
    accepted_text = models.TextField(_("accepted wording"), blank=True)
    change_kind = models.CharField(
        _("kind of change"), max_length=10, choices=ChangeKind, blank=True
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    suggestions = models.ManyToManyField(
        Suggestion, related_name="decisions", verbose_name=_("suggestions")
    )
    duplicate_of = models.ForeignKey(
        Suggestion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("duplicate of"),
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("suggestion decision")
        verbose_name_plural = _("suggestion decisions")

    def __str__(self):
        return f"{self.get_kind_display()} ({self.actor_name})"
