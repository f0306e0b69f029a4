"""The superuser's disclosure flow in the comments admin (発信者情報開示).

A first step asks for the legal basis; the second decrypts one comment's sender record through
its service, which logs it, and shows the result on a page no cache may keep.
"""

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext

from comments.disclosure import DisclosureUnavailable, sender_record_open
from comments.moderation.forms import SenderRecordRequestForm


def _comment_label(comment) -> str:
    return f"{comment.article} #{comment.number}"


def disclosure_flow(model_admin, request, queryset):
    """The `disclose_sender` action of the comments admin."""
    if not request.user.is_superuser:
        raise PermissionDenied
    comments = list(queryset.select_related("article")[:2])
    if len(comments) != 1:
        model_admin.message_user(
            request,
            gettext("Select exactly one comment to decrypt its sender information."),
            messages.ERROR,
        )
        return None
    comment = comments[0]
    if missing := _disclosure_missing(comment):
        model_admin.message_user(request, missing, messages.ERROR)
        return None
    form = SenderRecordRequestForm(request.POST if "post" in request.POST else None)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "comment": comment,
        "media": model_admin.media,
    }
    if form.is_valid():
        try:
            record = sender_record_open(
                comment=comment, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except DisclosureUnavailable:
            model_admin.message_user(
                request,
                _disclosure_missing(comment)
                or gettext(
                    "The sender record of comment %(comment)s cannot be decrypted with the "
                    "configured key."
                )
                % {"comment": _comment_label(comment)},
                messages.ERROR,
            )
            return None
        posted_at = datetime.datetime.fromisoformat(record["posted_at"])
        template = "admin/comments/comment/disclosure_result.html"
        context |= {
            "title": gettext("Sender information"),
            "address": record["address"],
            "posted_at": posted_at,
            "posted_at_iso": timezone.localtime(posted_at).isoformat(),
            "reason": form.cleaned_data["reason"],
        }
    else:
        template = "admin/comments/comment/disclosure_request.html"
        context |= {
            "title": gettext("Decrypt sender information"),
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
    request.current_app = model_admin.admin_site.name
    response = TemplateResponse(request, template, context)
    # An address must never be kept by a browser or proxy cache.
    add_never_cache_headers(response)
    return response


def _disclosure_missing(comment):
    """Why there is nothing to decrypt, or None when there is a record and a key."""
    if not settings.DISCLOSURE_KEY:
        return gettext(
            "No disclosure key is configured (DISCLOSURE_KEY), so no sender information "
            "can be decrypted."
        )
    if not comment.sender_record:
        return gettext(
            "Comment %(comment)s has no sender record: it was posted while no disclosure "
            "key was configured, or its record was removed after the retention period."
        ) % {"comment": _comment_label(comment)}
    return None
