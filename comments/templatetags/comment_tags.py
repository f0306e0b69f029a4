import re

from django import template
from django.contrib.messages import get_messages
from django.utils.safestring import mark_safe

from comments.forms import CommentForm
from comments.models import Comment, ModerationMode, Thread
from comments.paging import PAGE_PARAMETER, comment_location, comment_permalink, thread_page
from comments.rendering import comment_html
from comments.services import thread_moderation_mode
from comments.views import DELETION_KEY_COOKIE
from kjnews.context_processors import INLINE_MESSAGE_TAG

register = template.Library()

REPLY_NUMBER_RE = re.compile(r"[1-9][0-9]{0,6}")


@register.inclusion_tag("comments/comment_section.html", takes_context=True)
def comment_section(context, article):
    """The comments area of an article page: one page of the thread and the form."""
    request = context["request"]
    deletion_key = request.COOKIES.get(DELETION_KEY_COOKIE)
    page = thread_page(article, request.GET.get(PAGE_PARAMETER), deletion_key=deletion_key)
    form = context.get("comment_form") or CommentForm(
        article=article, initial={"body": _reply_prefill(request.GET.get("reply"))}
    )
    deletable = {c.number for c in page.comments if c.can_be_deleted_with(deletion_key)}
    inline_messages = _inline_messages(request)
    for comment in page.comments:
        comment.messages = inline_messages.get(comment.number, [])
    return {
        "request": request,
        "article": article,
        "page": page,
        "form": form,
        "deletable": deletable,
        "reviewed_first": page.thread.slow_mode
        or thread_moderation_mode(page.thread) == ModerationMode.PRE,
        "csrf_token": context.get("csrf_token"),
        "page_parameter": PAGE_PARAMETER,
    }


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


@register.filter
def comment_body(comment: Comment):
    """A comment's text as safe HTML: escaped, linkified, `>>N` linked within its article."""
    article = comment.article

    def location(number):
        return comment_location(article, number)

    return mark_safe(comment_html(comment.body, location))  # comment_html escapes everything first


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
