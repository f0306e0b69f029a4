"""What the moderators' queue reads: its queues, their order, and each entry's context."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext_lazy

from comments.models import Comment, Thread
from comments.paging import comment_location

REMOVED_SHOWN_FOR = datetime.timedelta(days=30)
# How many of the same poster's other comments each entry shows, most recent first.
POSTER_HISTORY_LENGTH = 5

QUEUES = {
    "reported": gettext_lazy("Reported"),
    "held": gettext_lazy("Held"),
    "removed": gettext_lazy("Recently removed"),
}
ORDERS = {
    "newest": gettext_lazy("Newest first"),
    "most_reported": gettext_lazy("Most reported first"),
}


def queue_comments(queue):
    if queue == "held":
        return Comment.objects.awaiting_review()
    if queue == "removed":
        return Comment.objects.removed_by_moderators_since(timezone.now() - REMOVED_SHOWN_FOR)
    return Comment.objects.reported()


def queue_ordered(comments, queue, order):
    """Newest: by the latest open report, the posting time or the removal, as fits the queue."""
    comments = comments.with_open_report_counts()
    newest = {"reported": "last_reported_at", "held": "created_at", "removed": "status_changed_at"}
    by_time = F(newest[queue]).desc(nulls_last=True)
    if order == "most_reported":
        return comments.order_by("-open_reports", by_time, "-pk")
    return comments.order_by(by_time, "-pk")


def others_by_poster(comments):
    """Each comment's poster's most recent other comments, for every entry in ONE query.

    A poster's N most recent comments other than one of them are among their N + 1 most recent,
    so one window over all the page's posters is enough.
    """
    hashes = {comment.poster_hash for comment in comments if comment.poster_hash}
    if not hashes:  # an empty page, or poster hashes already purged (retention)
        return {comment.pk: [] for comment in comments}
    recent = (
        Comment.objects.filter(poster_hash__in=hashes)
        .annotate(
            rank=Window(RowNumber(), partition_by=F("poster_hash"), order_by=["-created_at", "-pk"])
        )
        .filter(rank__lte=POSTER_HISTORY_LENGTH + 1)
        .select_related("article")
        .order_by("poster_hash", "rank")
    )
    by_poster = defaultdict(list)
    for other in recent:
        other.location = comment_location(other.article, other.number)
        by_poster[other.poster_hash].append(other)
    return {
        comment.pk: [o for o in by_poster[comment.poster_hash] if o.pk != comment.pk][
            :POSTER_HISTORY_LENGTH
        ]
        for comment in comments
    }


@dataclass
class QueueEntry:
    comment: Comment
    location: str
    others: list[Comment] = field(default_factory=list)
    slow_mode: bool = False
    # Where to land after acting on this entry: the neighbour that takes its place.
    return_url: str = ""


def queue_entries(comments, queue_url):
    others = others_by_poster(comments)
    article_ids = {comment.article_id for comment in comments}
    slow = dict(
        Thread.objects.filter(article_id__in=article_ids).values_list("article_id", "slow_mode")
    )
    entries = []
    for position, comment in enumerate(comments):
        neighbours = (
            comments[position + 1 : position + 2] or comments[max(position - 1, 0) : position]
        )
        entries.append(
            QueueEntry(
                comment=comment,
                location=comment_location(comment.article, comment.number),
                others=others[comment.pk],
                slow_mode=slow.get(comment.article_id, False),
                return_url=f"{queue_url}#q-{neighbours[0].pk}" if neighbours else queue_url,
            )
        )
    return entries
