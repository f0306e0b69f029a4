"""Comment pages are fixed ranges of numbers (1-100, 101-200, ...), so a comment's page never moves
and `#c-N` has a stable address however many comments follow or get removed.

Readers may also read a thread newest first or most 共感 first (`?sort=newest|empathy`); those
pages hold 100 comments each in that order, and links to a comment always use the numbered pages.
"""

import math
from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse

from comments.models import Comment, CommentRow, Thread
from comments.rendering import PAGE_PARAMETER

SORT_PARAMETER = "sort"
NEWEST, EMPATHY = "newest", "empathy"
# The orders a reader may ask for besides the numbered one (the default).
SORTS = (NEWEST, EMPATHY)


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
    sort: str = ""  # "" is the numbered order; else one of SORTS

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


def thread_page(article, requested, *, deletion_key=None, sort="") -> ThreadPage:
    """One page of an article's thread; with no (or a nonsense) page asked for, the latest page in
    the numbered order and the first page in the others.

    Held comments appear only to the browser that posted them, so posters see theirs awaits review.
    """
    # An article nobody has commented on yet has no thread row; an unsaved one answers the same.
    thread = Thread.objects.filter(article=article).with_section_policy().first()
    thread = thread or Thread(article=article)
    thread.article = article
    sort = sort if sort in SORTS else ""
    listed = thread.published_count if sort == EMPATHY else thread.last_number
    page_count = max(1, math.ceil(listed / settings.COMMENTS_PER_PAGE))
    try:
        number = min(max(int(requested), 1), page_count)
    except (TypeError, ValueError):
        number = 1 if sort else page_count
    per_page = settings.COMMENTS_PER_PAGE
    comments = Comment.objects.for_article(article)
    if not listed:
        rows = []
    elif sort == EMPATHY:
        rows = comments.published().order_by("-empathy_count", "number")
        rows = rows.display_rows(offset=(number - 1) * per_page, limit=per_page)
    elif sort == NEWEST:
        last = thread.last_number - (number - 1) * per_page
        rows = comments.listed_or_pending().numbered_between(last - per_page + 1, last)
        rows = rows.reverse().display_rows()
    else:
        first = (number - 1) * per_page + 1
        rows = comments.listed_or_pending().numbered_between(first, first + per_page - 1)
        rows = rows.display_rows()
    comments = [
        comment
        for comment in rows
        if not comment.is_pending or comment.was_posted_with(deletion_key)
    ]
    return ThreadPage(
        thread=thread, number=number, page_count=page_count, comments=comments, sort=sort
    )


def thread_location(article, number: int, *, sort="", page=None) -> str:
    """Comment `number` in the order and on the page a reader was reading it."""
    if sort not in SORTS:
        return comment_location(article, number)
    try:
        page = max(int(page), 1)
    except (TypeError, ValueError):
        page = 1
    return (
        f"{article.get_absolute_url()}?{SORT_PARAMETER}={sort}&{PAGE_PARAMETER}={page}#c-{number}"
    )
