"""The moderators' review screen: queues of reported, held and recently removed comments.

Behind Django's admin login and the `comments.moderate_comment` permission. The queue page only
reads; each decision goes through one service (`comments_moderate`, `thread_slow_mode_set`), which
checks the permission again and writes the moderation log.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db.models import F, Prefetch, Window
from django.db.models.functions import RowNumber
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from comments.models import Comment, ModerationAction, Report, Thread
from comments.paging import comment_location
from comments.services import BAN_DURATIONS, comments_moderate, thread_slow_mode_set
from kjnews.two_factor import second_step_required

MODERATE_PERMISSION = "comments.moderate_comment"
ENTRIES_PER_PAGE = 50
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
Kind = ModerationAction.Kind
ACTIONS = {
    Kind.APPROVE: gettext_lazy("Approve"),
    Kind.HIDE: gettext_lazy("Hide"),
    Kind.REMOVE: gettext_lazy("Remove"),
    Kind.MARK_SPAM: gettext_lazy("Spam"),
    Kind.BAN: gettext_lazy("Ban poster"),
}
BAN_LABELS = {
    "1d": gettext_lazy("1 day"),
    "7d": gettext_lazy("7 days"),
    "30d": gettext_lazy("30 days"),
    "permanent": gettext_lazy("Permanent"),
}
BAN_CHOICES = [(key, BAN_LABELS[key]) for key in BAN_DURATIONS]


def moderator_required(view):
    """Anonymous: to the admin login and back. Owing the second step of sign-in (a superuser,
    or staff who set it up): to the code first. Logged in without the permission: 403.

    Never cached: the queue is private and changes with every decision.
    """
    return never_cache(
        login_required(
            second_step_required(
                permission_required(MODERATE_PERMISSION, raise_exception=True)(view)
            ),
            login_url=reverse_lazy("admin:login"),
        )
    )


# Reading the queues


def _queue_comments(queue):
    if queue == "held":
        return Comment.objects.awaiting_review()
    if queue == "removed":
        return Comment.objects.removed_by_moderators_since(timezone.now() - REMOVED_SHOWN_FOR)
    return Comment.objects.reported()


def _ordered(comments, queue, order):
    """Newest: by the latest open report, the posting time or the removal, as fits the queue."""
    comments = comments.with_open_report_counts()
    newest = {"reported": "last_reported_at", "held": "created_at", "removed": "status_changed_at"}
    by_time = F(newest[queue]).desc(nulls_last=True)
    if order == "most_reported":
        return comments.order_by("-open_reports", by_time, "-pk")
    return comments.order_by(by_time, "-pk")


def _others_by_poster(comments):
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


def _entries(comments, queue_url):
    others = _others_by_poster(comments)
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


def _queue_url(**params):
    return f"{reverse('moderation:queue')}?{urlencode(params)}"


@moderator_required
@require_GET
def moderation_queue(request):
    queue = request.GET.get("queue") if request.GET.get("queue") in QUEUES else "reported"
    order = request.GET.get("order") if request.GET.get("order") in ORDERS else "newest"
    comments = _ordered(_queue_comments(queue), queue, order)
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
            "count": _queue_comments(key).count(),
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
            "entries": _entries(list(page.object_list), here),
            "here": here,
            "actions": ACTIONS,
            "ban_choices": BAN_CHOICES,
        },
    )


# Acting on comments


class ModerationForm(forms.Form):
    comment = forms.ModelMultipleChoiceField(queryset=Comment.objects.all())
    action = forms.ChoiceField(choices=list(ACTIONS.items()))
    ban_duration = forms.ChoiceField(choices=BAN_CHOICES, required=False)
    reason = forms.CharField(max_length=500, required=False)

    def clean(self):
        data = super().clean()
        if data.get("action") == Kind.BAN and not data.get("ban_duration"):
            self.add_error("ban_duration", _("Choose how long the ban lasts."))
        return data


class SlowModeForm(forms.Form):
    article = forms.IntegerField()
    slow_mode = forms.ChoiceField(choices=[("on", "on"), ("off", "off")])


def _return_url(request):
    """`next` when it is a page of the queue on this site; the queue itself otherwise."""
    queue_path = reverse("moderation:queue")
    url = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if safe and urlsplit(url).path == queue_path else queue_path


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
