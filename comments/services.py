"""Every write to comments goes through here: one path each, validated, in one transaction."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comments.models import Comment, Thread
from comments.posters import Poster, deletion_key_hash


class CommentRejected(Exception):
    """A comment or an action on one was refused; `message` is for the reader."""

    def __init__(self, message, code):
        super().__init__(message)
        self.message = message
        self.code = code


@transaction.atomic
def comment_create(*, article, poster: Poster, name: str, body: str, deletion_key: str) -> Comment:
    Thread.objects.get_or_create(article=article)
    # The locked thread row serialises numbering for this article (see Thread).
    thread = (
        Thread.objects.select_for_update(of=("self",))
        .select_related("article")
        .get(article=article)
    )
    if not thread.accepts_comments:
        raise CommentRejected(_("Comments on this article are closed."), code="closed")
    now = timezone.now()
    since = now - datetime.timedelta(minutes=settings.COMMENT_DUPLICATE_WINDOW_MINUTES)
    if Comment.objects.recent_from_poster(poster.hash, since).filter(body=body).exists():
        raise CommentRejected(
            _("You have already posted this comment. Please do not post the same text twice."),
            code="duplicate",
        )
    thread.last_number += 1
    thread.published_count += 1
    thread.save(update_fields=["last_number", "published_count"])
    return Comment.objects.create(
        article=article,
        number=thread.last_number,
        name=name,
        body=body,
        status=Comment.Status.PUBLISHED,
        poster_id=poster.id_for(article.pk, timezone.localdate(now)),
        poster_hash=poster.hash,
        deletion_key_hash=deletion_key_hash(
            deletion_key, article_id=article.pk, number=thread.last_number
        ),
        created_at=now,
    )


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


def thread_recount(*, article_id: int) -> None:
    """Recount the thread's reader-visible comments; called after any status change."""
    Thread.objects.filter(article_id=article_id).update(
        published_count=Comment.objects.filter(article_id=article_id).published().count()
    )
