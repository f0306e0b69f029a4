"""The editors' queue of readers' suggestions, beside the moderators' queue.

For members of Editors (the `suggestions.decide_suggestion` permission) and superusers, with
the moderation queue's sign-in rules: the admin login, and the second step of sign-in when the
account owes it. The queue only reads; each decision is one service call, which checks the
permission again and writes the decisions log.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from articles.passages import ChangeKind
from kjnews.staff import return_url, staff_page_required
from suggestions.forms import DecisionForm
from suggestions.reads import SORTS, queue_groups
from suggestions.services import (
    DECIDE_PERMISSION,
    DecisionRefused,
    suggestion_accept,
    suggestion_mark_duplicate,
    suggestion_reject,
)

GROUPS_PER_PAGE = 20


editor_required = staff_page_required(DECIDE_PERMISSION)


def _queue_url(**params):
    return f"{reverse('editorial:suggestions')}?{urlencode(params)}"


@editor_required
@require_GET
def suggestion_queue(request):
    sort = request.GET.get("sort") if request.GET.get("sort") in SORTS else "newest"
    page = Paginator(queue_groups(sort), GROUPS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "suggestions/suggestion_queue.html",
        {
            "page_obj": page,
            "groups": page.object_list,
            "sorts": [
                {"label": label, "url": _queue_url(sort=key), "current": key == sort}
                for key, label in SORTS.items()
            ],
            "page_url": _queue_url(sort=sort),
            "here": _queue_url(sort=sort, page=page.number),
            "change_kinds": ChangeKind.choices,
        },
    )


def _return_url(request):
    return return_url(request, reverse("editorial:suggestions"))


@editor_required
@require_POST
def suggestion_decide(request):
    form = DecisionForm(request.POST)
    back = _return_url(request)
    if not form.is_valid():
        if "suggestion" in form.errors:
            messages.error(
                request, _("Nothing was changed: the suggestion has been decided meanwhile.")
            )
        else:
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
        return redirect(back)
    data = form.cleaned_data
    try:
        if data["action"] == DecisionForm.ACCEPT:
            decision = suggestion_accept(
                suggestion=data["suggestion"],
                editor=request.user,
                text=data["text"] or None,
                kind=data["change_kind"],
            )
        elif data["action"] == DecisionForm.REJECT:
            decision = suggestion_reject(
                suggestion=data["suggestion"], editor=request.user, reason=data["reason"]
            )
        else:
            decision = suggestion_mark_duplicate(
                suggestion=data["suggestion"],
                editor=request.user,
                duplicate_of=data["duplicate_of"],
                reason=data["reason"],
            )
    except DecisionRefused as refusal:
        messages.error(request, refusal.message)
        return redirect(back)
    count = decision.suggestions.count()
    texts = {
        DecisionForm.ACCEPT: ngettext(
            "Accepted %(count)s suggestion: the article now reads as proposed.",
            "Accepted %(count)s suggestions: the article now reads as proposed.",
            count,
        ),
        DecisionForm.REJECT: ngettext(
            "Rejected %(count)s suggestion.", "Rejected %(count)s suggestions.", count
        ),
        DecisionForm.DUPLICATE: ngettext(
            "Marked %(count)s suggestion as a duplicate.",
            "Marked %(count)s suggestions as duplicates.",
            count,
        ),
    }
    messages.success(request, texts[data["action"]] % {"count": count})
    return redirect(back)
