"""The moderators' review screen: queues of reported, held and recently removed comments.

Behind Django's admin login and the `comments.moderate_comment` permission. The queue page only
reads; each decision goes through one service (`comments_moderate`, `thread_slow_mode_set`), which
checks the permission again and writes the moderation log.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from comments.models import ModerationAction, Report, Thread
from comments.moderation.forms import ACTIONS, BAN_CHOICES, BAN_LABELS, ModerationForm, SlowModeForm
from comments.moderation.reads import (
    ORDERS,
    QUEUES,
    queue_comments,
    queue_entries,
    queue_ordered,
)
from comments.retention import purge_overdue
from comments.services import comments_moderate, thread_slow_mode_set
from kjnews.staff import return_url, staff_page_required

Kind = ModerationAction.Kind
ENTRIES_PER_PAGE = 50
MODERATE_PERMISSION = "comments.moderate_comment"


moderator_required = staff_page_required(MODERATE_PERMISSION)


def _queue_url(**params):
    return f"{reverse('moderation:queue')}?{urlencode(params)}"


@moderator_required
@require_GET
def moderation_queue(request):
    queue = request.GET.get("queue") if request.GET.get("queue") in QUEUES else "reported"
    order = request.GET.get("order") if request.GET.get("order") in ORDERS else "newest"
    comments = queue_ordered(queue_comments(queue), queue, order)
    page = Paginator(
        comments.select_related("article").prefetch_related(
            Prefetch("reports", queryset=Report.objects.order_by("-created_at"))
        ),
        ENTRIES_PER_PAGE,
    ).get_page(request.GET.get("page"))
    here = _queue_url(queue=queue, order=order, page=page.number)
    tabs = [
        {
            "label": label,
            "count": queue_comments(key).count(),
            "url": _queue_url(queue=key, order=order),
            "current": key == queue,
        }
        for key, label in QUEUES.items()
    ]
    orders = [
        {"label": label, "url": _queue_url(queue=queue, order=key), "current": key == order}
        for key, label in ORDERS.items()
    ]
    return render(
        request,
        "moderation/comment_queue.html",
        {
            "queue": queue,
            "queue_label": QUEUES[queue],
            "tabs": tabs,
            "orders": orders,
            "page_obj": page,
            "page_url": _queue_url(queue=queue, order=order),
            "entries": queue_entries(list(page.object_list), here),
            "here": here,
            "actions": ACTIONS,
            "ban_choices": BAN_CHOICES,
            "purge_overdue": purge_overdue(),
        },
    )


# Acting on comments


def _return_url(request):
    return return_url(request, reverse("moderation:queue"))


def _confirmation(action, count, ban_duration):
    if action == Kind.APPROVE:
        text = ngettext("Approved %(count)s comment.", "Approved %(count)s comments.", count)
    elif action == Kind.HIDE:
        text = ngettext("Hid %(count)s comment.", "Hid %(count)s comments.", count)
    elif action == Kind.REMOVE:
        text = ngettext("Removed %(count)s comment.", "Removed %(count)s comments.", count)
    elif action == Kind.MARK_SPAM:
        text = ngettext(
            "Removed %(count)s comment as spam.", "Removed %(count)s comments as spam.", count
        )
    else:
        text = ngettext(
            "Removed %(count)s comment and banned its poster (%(duration)s).",
            "Removed %(count)s comments and banned their posters (%(duration)s).",
            count,
        )
    return text % {"count": count, "duration": BAN_LABELS.get(ban_duration, "")}


@moderator_required
@require_POST
def moderation_act(request):
    form = ModerationForm(request.POST)
    back = _return_url(request)
    if not form.is_valid():
        if not request.POST.getlist("comment"):
            messages.error(request, _("Select at least one comment first."))
        else:
            messages.error(
                request,
                _(
                    "Nothing was changed: the comments may have changed meanwhile. "
                    "Please try again."
                ),
            )
        return redirect(back)
    data = form.cleaned_data
    ban_duration = data["ban_duration"] if data["action"] == Kind.BAN else None
    comments_moderate(
        actor=request.user,
        comments=data["comment"],
        kind=data["action"],
        reason=data["reason"],
        ban_duration=ban_duration,
    )
    messages.success(request, _confirmation(data["action"], len(data["comment"]), ban_duration))
    return redirect(back)


@moderator_required
@require_POST
def moderation_slow_mode(request):
    form = SlowModeForm(request.POST)
    back = _return_url(request)
    if not form.is_valid():
        messages.error(request, _("Nothing was changed. Please try again."))
        return redirect(back)
    thread = get_object_or_404(
        Thread.objects.select_related("article"), article_id=form.cleaned_data["article"]
    )
    on = form.cleaned_data["slow_mode"] == "on"
    thread_slow_mode_set(actor=request.user, thread=thread, on=on)
    if on:
        text = _(
            "Slow mode is on for “%(title)s”: new comments wait for a moderator until you switch "
            "it off."
        )
    else:
        text = _("Slow mode is off for “%(title)s”: new comments are published as usual.")
    messages.success(request, text % {"title": thread.article.title})
    return redirect(back)
