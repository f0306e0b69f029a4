import datetime
import re

from django import template
from django.conf import settings
from django.contrib.messages import get_messages
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from comments.forms import CommentForm
from comments.models import Comment, Reaction, Thread
from comments.paging import (
    EMPATHY,
    NEWEST,
    PAGE_PARAMETER,
    SORT_PARAMETER,
    comment_permalink,
    thread_page,
)
from comments.posters import poster_from_request
from comments.rendering import REACTION_FORM_ID, ReactionButton, thread_items_html
from comments.targets import target_comments_close_at
from comments.views import deletion_key_from
from kjnews.context_processors import INLINE_MESSAGE_TAG
from kjnews.pagecache import fill_marker, keep_unshared, valid_until

register = template.Library()

REPLY_NUMBER_RE = re.compile(r"[1-9][0-9]{0,6}")


@register.inclusion_tag("comments/comment_section.html", takes_context=True)
def comment_section(context, article):
    """The comments area of an article page: one page of the thread and the form."""
    request = context["request"]
    # A page for the shared cache shows what every reader sees: none of this browser's comments
    # awaiting review, delete buttons or confirmations (kjnews.pagecache).
    shared = getattr(request, "renders_shared_page", False)
    deletion_key = None if shared else deletion_key_from(request)
    requested_sort = request.GET.get(SORT_PARAMETER)
    page = thread_page(
        article,
        request.GET.get(PAGE_PARAMETER),
        deletion_key=deletion_key,
        sort=requested_sort or "",
    )
    if shared:
        _share_wisely(request, article, page, requested_sort)
    form = context.get("comment_form") or CommentForm(
        article=article, initial={"body": _reply_prefill(request.GET.get("reply"))}
    )
    takes_comments = page.thread.accepts_comments
    deletable = frozenset(c.number for c in page.comments if c.can_be_deleted_with(deletion_key))
    items = thread_items_html(
        page.comments,
        comments_url=reverse("comments:post", kwargs={"slug": article.slug}),
        page_number=page.number,
        takes_replies=takes_comments,
        deletable=deletable,
        csrf_token=get_token(request) if deletable else "",
        messages={} if shared else _inline_messages(request),
        reactions=reaction_buttons(),
        pressed=frozenset() if shared else _pressed(request, page),
    )
    return {
        "request": request,
        "article": article,
        "page": page,
        "items": mark_safe(items),  # thread_items_html escapes all that readers wrote
        "takes_comments": takes_comments,
        "form": form,
        "reviewed_first": page.thread.is_reviewed_first,
        "page_parameter": PAGE_PARAMETER,
        "sort_parameter": SORT_PARAMETER,
        "sorts": [
            ("", _("Oldest first")),
            (NEWEST, _("Newest first")),
            (EMPATHY, _("Most agreed")),
        ],
        "reaction_form_id": REACTION_FORM_ID,
    }


def reaction_buttons() -> tuple[ReactionButton, ...]:
    """The reaction buttons under each comment, labelled in the active language."""
    return tuple(
        ReactionButton(kind=kind, label=label, count_attribute=Reaction.COUNT_FIELDS[kind])
        for kind, label in Reaction.Kind.choices
    )


def _share_wisely(request, article, page, requested_sort):
    """What a page rendered for the shared cache needs to stay true for every reader."""
    closes_at = target_comments_close_at(article)
    if closes_at and closes_at > timezone.now() and not page.thread.is_closed:
        valid_until(request, closes_at)
    if page.comments:
        # Reactions change no page's generation (a popular comment would throw the page away
        # for everyone at every press); their counts catch up this often instead.
        valid_until(
            request, timezone.now() + datetime.timedelta(seconds=settings.REACTION_COUNTS_MAX_AGE)
        )
    requested_page = request.GET.get(PAGE_PARAMETER)
    if requested_page not in (None, str(page.number)) or requested_sort not in (None, page.sort):
        # `?cpage=abc`, a page past the end or an unknown order shows another page: sharing it
        # under its own address would let anyone fill the cache with copies.
        keep_unshared(request)


def _pressed(request, page) -> frozenset[tuple[int, str]]:
    """The reactions this reader has made on the page's comments (pages for them alone)."""
    if not page.comments:
        return frozenset()
    mine = Reaction.objects.filter(
        comment__article_id=page.thread.article.pk,
        comment__number__in=[comment.number for comment in page.comments],
        poster_hash=poster_from_request(request).hash,
    )
    return frozenset(mine.values_list("comment__number", "kind"))


def _inline_messages(request):
    """{comment number: [messages]} for confirmations tagged to be shown beside a comment."""
    found = {}
    for message in get_messages(request):
        tags = message.extra_tags.split()
        if INLINE_MESSAGE_TAG in tags:
            for tag in tags:
                if tag.startswith("c-") and tag[2:].isdecimal():
                    found.setdefault(int(tag[2:]), []).append(message)
    return found


def _reply_prefill(reply):
    """`?reply=12` (the reply link without JavaScript) starts the comment with `>>12`."""
    return f">>{int(reply)}\n" if reply and REPLY_NUMBER_RE.fullmatch(reply) else ""


@register.simple_tag(takes_context=True)
def form_started(context, form):
    """The comment form's signed start time: fresh for each reader of a shared page."""
    article = form.article
    if getattr(context["request"], "renders_shared_page", False):
        return fill_marker(context["request"], "comment-started", article.pk)
    return form["started"].value()


@register.filter
def comment_body(comment: Comment):
    """A comment's text as safe HTML: escaped, linkified, `>>N` linked within its article.

    Made by `comment_html`, which escapes everything first, when the comment was saved."""
    return mark_safe(comment.body_html)


@register.simple_tag
def comment_link(article, number):
    return comment_permalink(article, number)


@register.simple_tag
def comment_counts(articles):
    """Published comment counts for a page of articles, in one query: {article id: count}."""
    ids = [article.pk for article in articles]
    return dict(
        Thread.objects.filter(article_id__in=ids).values_list("article_id", "published_count")
    )


@register.filter
def count_for(counts, article):
    return counts.get(article.pk, 0)
