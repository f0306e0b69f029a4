"""The superuser's disclosure flow in the comments admin (発信者情報開示).

The first step shows the comment, which key pair its record was sealed to, and asks for the legal
basis and that key pair's private half (uploaded or pasted, with its passphrase). The second
opens the record through `sender_record_open`, which logs the opening, and shows the result on a
page no cache may keep. The private key lives in this request's memory only: it is never stored,
never sent back to the browser, and kept out of error reports.
"""

import datetime

from django.contrib import messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext

from comments.disclosure import DisclosureUnavailable, key_id, sender_record_key_id
from comments.moderation.forms import SenderRecordRequestForm
from comments.services import sender_record_open


def _comment_label(comment) -> str:
    return f"{comment.article} #{comment.number}"


def disclosure_flow(model_admin, request, queryset):
    """The `disclose_sender` action of the comments admin."""
    if not (request.user.is_active and request.user.is_superuser):
        raise PermissionDenied
    # Django's error reports must never carry the key or its passphrase.
    request.sensitive_post_parameters = "__ALL__"
    comments = list(queryset.select_related("article")[:2])
    if len(comments) != 1:
        model_admin.message_user(
            request,
            gettext("Select exactly one comment to decrypt its sender information."),
            messages.ERROR,
        )
        return None
    comment = comments[0]
    sealed_to = sender_record_key_id(comment.sender_record)
    if sealed_to is None:
        model_admin.message_user(request, _no_record(comment), messages.ERROR)
        return None
    submitted = "post" in request.POST
    form = SenderRecordRequestForm(
        request.POST if submitted else None, request.FILES if submitted else None
    )
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "comment": comment,
        "media": model_admin.media,
        "sealed_to": sealed_to,
    }
    if form.is_valid() and _opens(form, sealed_to):
        try:
            record = sender_record_open(
                comment=comment,
                actor=request.user,
                private_key=form.cleaned_data["private_key"],
                reason=form.cleaned_data["reason"],
            )
        except DisclosureUnavailable:
            model_admin.message_user(
                request,
                gettext(
                    "The sender record of comment %(comment)s is damaged or was not sealed for "
                    "this comment: it cannot be decrypted. Nothing was logged."
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


def _opens(form, sealed_to: str) -> bool:
    """Whether the private key given is the one the record was sealed to; says so if not."""
    given = key_id(form.cleaned_data["private_key"])
    if given == sealed_to:
        return True
    form.add_error(
        None,
        gettext(
            "This record was sealed to the key pair %(sealed_to)s; the private key given "
            "belongs to %(given)s. Bring the private key of %(sealed_to)s."
        )
        % {"sealed_to": sealed_to, "given": given},
    )
    return False


def _no_record(comment) -> str:
    if not comment.sender_record:
        return gettext(
            "Comment %(comment)s has no sender record: it was posted while no disclosure key "
            "was configured, or its record was removed after the retention period."
        ) % {"comment": _comment_label(comment)}
    return gettext(
        "The sender record of comment %(comment)s is not in a form this version can open."
    ) % {"comment": _comment_label(comment)}
