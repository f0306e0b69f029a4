"""Comment pages are fixed ranges of numbers (1-100, 101-200, ...), so a comment's page never moves
and `#c-N` has a stable address however many comments follow or get removed."""

import math
from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse

from comments.models import Comment, CommentRow, Thread
from comments.rendering import PAGE_PARAMETER


def page_of(number: int) -> int:
    return (number - 1) // settings.COMMENTS_PER_PAGE + 1


def comment_location(article, number: int) -> str:
    """Where comment `number` is shown: its page of the article, at its anchor."""
    return f"{article.get_absolute_url()}?{PAGE_PARAMETER}={page_of(number)}#c-{number}"


def comment_permalink(article, number: int) -> str:
    return reverse("comments:permalink", kwargs={"slug": article.slug, "number": number})


@dataclass
class ThreadPage:
    thread: Thread
    number: int
    page_count: int
    comments: list[CommentRow] = field(default_factory=list)

    @property
    def has_previous(self):
        return self.number > 1

    @property
    def has_next(self):
        return self.number < self.page_count

    @property
    def previous_number(self):
        return self.number - 1

    @property
    def next_number(self):
        return self.number + 1


def thread_page(article, requested, *, deletion_key=None) -> ThreadPage:
    """One page of an article's thread; the latest page when none (or nonsense) is asked for.

    Held comments appear only to the browser that posted them, so posters see theirs awaits review.
    """
    # An article nobody has commented on yet has no thread row; an unsaved one answers the same.
    thread = Thread.objects.filter(article=article).with_section_policy().first()
    thread = thread or Thread(article=article)
    thread.article = article
    page_count = max(1, math.ceil(thread.last_number / settings.COMMENTS_PER_PAGE))
    try:
        number = min(max(int(requested), 1), page_count)
    except (TypeError, ValueError):
        number = page_count
    first = (number - 1) * settings.COMMENTS_PER_PAGE + 1
    numbered = Comment.objects.for_article(article).listed_or_pending()
    rows = (
        numbered.numbered_between(first, first + settings.COMMENTS_PER_PAGE - 1).display_rows()
        if thread.last_number
        else []
    )
    comments = [
        comment
        for comment in rows
        if not comment.is_pending or comment.was_posted_with(deletion_key)
    ]
    return ThreadPage(thread=thread, number=number, page_count=page_count, comments=comments)
