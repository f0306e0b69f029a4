"""The article page's 「誤訳・誤りを指摘」 action beside each passage, and, on a page rendered for
one browser alone, that browser's confirmation and pending notice for the passage."""

from django import template
from django.contrib.messages import get_messages
from django.urls import reverse

from articles.passages import Passage, PassageKind
from kjnews.context_processors import INLINE_MESSAGE_TAG
from suggestions.models import Suggestion
from suggestions.readers import sent_suggestion_ids
from suggestions.views import PASSAGE_MESSAGE_PREFIX

register = template.Library()


@register.inclusion_tag("suggestions/passage_action.html", takes_context=True)
def passage_action(context, article, kind, row=None, number=None):
    """`{% passage_action article "paragraph" paragraph forloop.counter %}`; the headline and the
    caption need only the article and their kind."""
    kind = PassageKind(kind)
    if row is None:
        text = article.title if kind is PassageKind.HEADLINE else article.image_caption
        passage = Passage(kind, text)
    else:
        passage = Passage(kind, row.text, row_id=row.pk, number=number)
    request = context["request"]
    # A page for the shared cache holds nothing of one reader's (kjnews.pagecache).
    own = not getattr(request, "renders_shared_page", False)
    return {
        "passage": passage,
        # A draft in an editor's preview takes no suggestions.
        "url": reverse("suggestions:suggest", kwargs={"slug": article.slug, "key": passage.key})
        if article.is_visible_to_readers
        else "",
        "messages": _passage_messages(request, passage.key) if own else [],
        "pending": _pending_here(request, article, passage.key) if own else False,
    }


def _passage_messages(request, key):
    tag = f"{PASSAGE_MESSAGE_PREFIX}{key}"
    return [
        message
        for message in get_messages(request)
        if INLINE_MESSAGE_TAG in message.extra_tags.split() and tag in message.extra_tags.split()
    ]


def _pending_here(request, article, key) -> bool:
    """Whether this browser sent a suggestion on the passage that still awaits review (one query
    per page, however many passages)."""
    pending = getattr(request, "_suggestions_pending", None)
    if pending is None:
        ids = sent_suggestion_ids(request)
        found = (
            Suggestion.objects.pending().filter(pk__in=ids) if ids else Suggestion.objects.none()
        )
        pending = set(found.values_list("article_id", "passage_key"))
        request._suggestions_pending = pending
    return (article.pk, key) in pending
