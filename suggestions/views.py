"""The reader's side: a form, reachable without JavaScript, to suggest a better wording for one
passage of an article (誤訳・誤りを指摘)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods

from articles.models import Article
from articles.passages import Passage, PassageNotFound, passage_get
from comments.limits import retry_message
from comments.posters import poster_from_request
from kjnews.context_processors import INLINE_MESSAGE_TAG
from kjnews.pagecache import mark_page_personal
from kjnews.views import database_unavailable, render_standalone
from suggestions.forms import SuggestionForm
from suggestions.limits import suggesting_retry_after
from suggestions.models import passage_digest
from suggestions.readers import notice_seconds, remember_sent
from suggestions.services import SuggestionRejected, suggestion_create

# Where a message about a passage is shown: beside it, where the reader lands.
PASSAGE_MESSAGE_PREFIX = "sg-"


def _passage_or_404(article: Article, key: str) -> Passage:
    try:
        return passage_get(article, key)
    except PassageNotFound:
        raise Http404(key) from None


def _page(request, article, passage, form, *, status=200):
    return render(
        request,
        "suggestions/suggestion_form.html",
        {"article": article, "passage": passage, "form": form},
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@cache_control(private=True, no_cache=True)
def suggestion_form(request, slug, key):
    article = get_object_or_404(Article.objects.published().select_related("section"), slug=slug)
    passage = _passage_or_404(article, key)
    if request.method != "POST":
        return _page(request, article, passage, SuggestionForm(article=article, passage=passage))
    form = SuggestionForm(request.POST, article=article, passage=passage)
    poster = poster_from_request(request)
    if poster is None:
        # Nothing could be counted against a reader whose address cannot be told.
        form.full_clean()
        form.add_error(
            None,
            _(
                "Your connection could not be identified, so this could not be sent. "
                "Please try again later."
            ),
        )
        return _page(request, article, passage, form, status=400)
    if retry_after := suggesting_retry_after(request, poster):
        form.full_clean()
        form.add_error(None, retry_message(retry_after))
        response = _page(request, article, passage, form, status=429)
        response["Retry-After"] = str(retry_after)
        return response
    if not form.is_valid():
        return _page(request, article, passage, form, status=400)
    data = form.cleaned_data
    try:
        suggestion = suggestion_create(
            article=article,
            key=passage.key,
            seen_digest=data["seen"],
            proposed_text=data["proposed_text"],
            original_text=data["original_text"],
            note=data["note"],
            poster=poster,
        )
    except SuggestionRejected as rejection:
        form.add_error(None, rejection.message)
        if rejection.code == "changed_meanwhile":
            # The page quotes the passage as it reads now; the next post is judged against it.
            form.data = form.data.copy()
            form.data["seen"] = passage_digest(passage.text)
        status = 403 if rejection.code == "banned" else 400
        return _page(request, article, passage, form, status=status)
    messages.success(
        request,
        _("Thank you. Your suggestion was sent to the editors."),
        extra_tags=f"{INLINE_MESSAGE_TAG} {PASSAGE_MESSAGE_PREFIX}{passage.key}",
    )
    response = redirect(f"{article.get_absolute_url()}#{passage.anchor}")
    # Pages rendered for this browser alone say its suggestion awaits review; the shared page
    # never does.
    mark_page_personal(request, response, article.get_absolute_url(), seconds=notice_seconds())
    remember_sent(request, response, suggestion.pk)
    return response


def suggestion_form_after_stale_form(request, slug, key):
    """The CSRF check failed (an expired or missing token): the form again, text intact."""
    article = get_object_or_404(Article.objects.published().select_related("section"), slug=slug)
    passage = _passage_or_404(article, key)
    form = SuggestionForm(request.POST, article=article, passage=passage)
    form.full_clean()
    form.add_error(
        None, _("Your session expired before the suggestion was sent. Please send it again.")
    )
    return _page(request, article, passage, form, status=403)


suggestion_form.csrf_failure = suggestion_form_after_stale_form


def suggestion_form_during_outage(request, slug, key):
    """The database stopped answering: nothing was stored, and the reader gets the text back."""
    if request.method != "POST":
        return database_unavailable(request)
    context = {
        "action": request.path,
        "posted": request.POST,
        "article_url": reverse("articles:detail", kwargs={"slug": slug}),
    }
    return render_standalone(request, "suggestions/suggestion_outage.html", context, status=503)


suggestion_form.database_outage = suggestion_form_during_outage
