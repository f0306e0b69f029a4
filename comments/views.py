import dataclasses

from django.conf import settings
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from comments.forms import CommentForm, ReportForm
from comments.limits import (
    posting_retry_after,
    reacting_retry_after,
    reporting_retry_after,
    retry_message,
)
from comments.models import Comment
from comments.paging import PAGE_PARAMETER, SORT_PARAMETER, comment_location, thread_location
from comments.posters import deletion_key_new, poster_from_request
from comments.services import (
    CommentRejected,
    comment_create,
    comment_remove_by_poster,
    comment_report,
    reaction_toggle,
)
from comments.targets import commentable_target, target_page, target_url
from kjnews.context_processors import INLINE_MESSAGE_TAG
from kjnews.cookies import cookie_name, cookie_secure
from kjnews.pagecache import mark_page_personal
from kjnews.views import render_standalone

DELETION_KEY_COOKIE = "kj_deletion_key"


def _unidentified_message():
    # The reader's address could not be told behind our proxies (kjnews.proxies): nothing can be
    # counted against them, so nothing is accepted from them.
    return _(
        "Your connection could not be identified, so this could not be sent. "
        "Please try again later."
    )


def deletion_key_from(request) -> str | None:
    """The random key this browser's comments can be deleted with, if it has posted before."""
    return request.COOKIES.get(cookie_name(DELETION_KEY_COOKIE))


def _tell(request, level, text, number):
    """A confirmation shown beside comment `number`, where the redirect lands the reader."""
    messages.add_message(request, level, text, extra_tags=f"{INLINE_MESSAGE_TAG} c-{number}")


def _form_again(request, article, form, *, status):
    """The article page with the reader's text still in the form."""
    return target_page(request, article, context={"comment_form": form}, status=status)


@require_POST
def comment_post(request, slug):
    article = commentable_target(slug)
    form = CommentForm(request.POST, article=article)
    poster = poster_from_request(request)
    if poster is None:
        form.full_clean()
        form.add_error(None, _unidentified_message())
        return _form_again(request, article, form, status=400)
    retry_after = posting_retry_after(request, poster)
    if retry_after:
        form.full_clean()
        form.add_error(None, retry_message(retry_after))
        response = _form_again(request, article, form, status=429)
        response["Retry-After"] = str(retry_after)
        return response
    if not form.is_valid():
        return _form_again(request, article, form, status=400)
    deletion_key = deletion_key_from(request) or deletion_key_new()
    try:
        comment = comment_create(
            article=article,
            poster=poster,
            name=form.cleaned_data["name"],
            body=form.cleaned_data["body"],
            deletion_key=deletion_key,
        )
    except CommentRejected as rejection:
        form.add_error(None, rejection.message)
        return _form_again(request, article, form, status=400)
    if comment.is_pending:
        confirmation = _(
            "Your comment No. %(number)s was received and will appear once a moderator has "
            "checked it."
        )
    else:
        confirmation = _("Your comment was posted as No. %(number)s.")
    _tell(request, messages.SUCCESS, confirmation % {"number": comment.number}, comment.number)
    response = redirect(comment_location(article, comment.number))
    # For as long as they may delete it, the poster sees the article with their own comment's
    # controls (and, while it is held, the comment itself): a page rendered for them alone.
    mark_page_personal(
        request,
        response,
        article.get_absolute_url(),
        seconds=int(settings.COMMENT_DELETE_WINDOW.total_seconds()),
    )
    response.set_cookie(
        cookie_name(DELETION_KEY_COOKIE),
        deletion_key,
        max_age=30 * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=cookie_secure(request),
    )
    return response


def comment_post_after_stale_form(request, slug):
    """The CSRF check failed (an expired or missing token): show the form again, text intact."""
    article = commentable_target(slug)
    form = CommentForm(request.POST, article=article)
    form.full_clean()
    form.add_error(
        None, _("Your session expired before the comment was sent. Please send it again.")
    )
    return _form_again(request, article, form, status=403)


comment_post.csrf_failure = comment_post_after_stale_form


def comment_post_during_outage(request, slug):
    """The database stopped answering while the comment was posted. Its transaction rolled back,
    so nothing was stored: the reader is told so and gets the text back, ready to send again."""
    context = {
        "action": request.path,
        "posted": request.POST,
        "article_url": target_url(slug),
    }
    return render_standalone(request, "comments/comment_outage.html", context, status=503)


comment_post.database_outage = comment_post_during_outage


@require_POST
def comment_react(request, slug):
    """共感した・なるほど・うーん under a comment: press to react, press again to take it back.

    Without JavaScript the reader comes back to the comment, on a page of their own that shows
    the new count at once; with it, the page's script asks for JSON and updates the button.
    """
    article = commentable_target(slug)
    number, _colon, kind = request.POST.get("reaction", "").partition(":")
    comment = get_object_or_404(
        Comment.objects.for_article(article), number=number if number.isdecimal() else 0
    )
    wants_json = "application/json" in request.headers.get("Accept", "")
    back = thread_location(
        article,
        comment.number,
        sort=request.POST.get(SORT_PARAMETER),
        page=request.POST.get(PAGE_PARAMETER),
    )
    poster = poster_from_request(request)
    retry_after = reacting_retry_after(request, poster)
    try:
        if retry_after:
            raise CommentRejected(retry_message(retry_after), code="too_often")
        result = reaction_toggle(comment=comment, poster=poster, kind=kind)
    except CommentRejected as rejection:
        if wants_json:
            status = 429 if rejection.code == "too_often" else 400
            return JsonResponse({"error": str(rejection.message)}, status=status)
        _tell(request, messages.ERROR, rejection.message, comment.number)
        return redirect(back)
    response = JsonResponse(dataclasses.asdict(result)) if wants_json else redirect(back)
    mark_page_personal(
        request, response, article.get_absolute_url(), seconds=settings.REACTION_COUNTS_MAX_AGE
    )
    return response


@require_GET
def comment_permalink(request, slug, number):
    article = commentable_target(slug)
    return redirect(comment_location(article, number))


@require_POST
def comment_delete(request, slug, number):
    article = commentable_target(slug)
    comment = get_object_or_404(Comment.objects.for_article(article), number=number)
    try:
        comment_remove_by_poster(comment=comment, deletion_key=deletion_key_from(request))
    except CommentRejected as rejection:
        _tell(request, messages.ERROR, rejection.message, number)
    else:
        _tell(request, messages.SUCCESS, _("Your comment was deleted."), number)
    return redirect(comment_location(article, number))


def comment_report_form(request, slug, number):
    """通報: a reader asks the moderators to look at a comment. Works without JavaScript."""
    article = commentable_target(slug)
    comment = get_object_or_404(Comment.objects.for_article(article).published(), number=number)
    comment.article = article
    form = ReportForm(request.POST or None)
    status = 200
    if request.method == "POST":
        reporter = poster_from_request(request)
        if reporter is None:
            form.full_clean()
            form.add_error(None, _unidentified_message())
            status = 400
        elif retry_after := reporting_retry_after(request, reporter):
            form.full_clean()
            form.add_error(None, retry_message(retry_after))
            status = 429
        elif form.is_valid():
            try:
                comment_report(
                    comment=comment,
                    reporter=reporter,
                    reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                )
            except CommentRejected as rejection:
                _tell(request, messages.INFO, rejection.message, number)
            else:
                _tell(
                    request,
                    messages.SUCCESS,
                    _("Thank you. The moderators will look at this comment."),
                    number,
                )
            return redirect(comment_location(article, number))
        else:
            status = 400
    return render(
        request,
        "comments/report_form.html",
        {"article": article, "comment": comment, "form": form},
        status=status,
    )
