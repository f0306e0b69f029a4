"""The comments admin: threads for editors; terms, bans, policies and the log for moderators.

Every moderation decision made here goes through the same services as the review queue, so it
lands in the moderation log; the log itself can be read but never written, even by superusers.
"""

import datetime
import re

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from comments.disclosure import DisclosureUnavailable, sender_record_open
from comments.models import (
    Ban,
    BlockedTerm,
    Comment,
    ModerationAction,
    Report,
    SectionPolicy,
    Thread,
)
from comments.services import comments_moderate, thread_slow_mode_set
from comments.targets import target_pages_changed
from comments.terms import term_forms
from kjnews.pagecache import all_pages_changed

MODERATE = "comments.moderate_comment"
BOTH_LOCATIONS = [admin.ActionLocation.CHANGE_LIST, admin.ActionLocation.CHANGE_FORM]
POSTER_HASH_RE = re.compile(r"[0-9a-f]{64}")


def _can_moderate(request) -> bool:
    return request.user.has_perm(MODERATE)


def _comment_label(comment: Comment) -> str:
    return f"{comment.article} #{comment.number}"


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    """Editors close (or reopen) an article's comments; moderators also set how it is moderated."""

    list_display = [
        "article",
        "is_closed",
        "accepts_comments",
        "moderation_mode",
        "slow_mode",
        "published_count",
        "last_number",
    ]
    list_editable = ["is_closed"]
    list_filter = ["is_closed", "slow_mode", "moderation_mode"]
    list_select_related = ["article"]
    search_fields = ["article__title", "article__original_title"]
    autocomplete_fields = ["article"]
    fields = [
        "article",
        "is_closed",
        "moderation_mode",
        "slow_mode",
        "published_count",
        "last_number",
    ]
    readonly_fields = ["last_number", "published_count"]
    moderation_fields = ["moderation_mode", "slow_mode"]

    @admin.display(boolean=True, description=_("accepting comments"))
    def accepts_comments(self, thread):
        return thread.accepts_comments

    def get_readonly_fields(self, request, obj=None):
        readonly = list(self.readonly_fields)
        if obj:
            # The article of an existing thread never changes: numbering belongs to it.
            readonly.append("article")
        if not _can_moderate(request):
            readonly.extend(self.moderation_fields)
        return readonly

    def save_model(self, request, obj, form, change):
        """Slow mode is switched by its service, so the switch is in the moderation log."""
        target_pages_changed(obj.article_id)  # closing a thread changes the article's page
        if "slow_mode" not in form.changed_data:
            super().save_model(request, obj, form, change)
            return
        slow_mode = obj.slow_mode
        obj.slow_mode = form.initial.get("slow_mode", False)
        super().save_model(request, obj, form, change)
        thread_slow_mode_set(actor=request.user, thread=obj, on=slow_mode)


class ReportInline(admin.TabularInline):
    """Readers' reports on a comment, as they sent them; who sent them is never shown."""

    model = Report
    fields = ["reason", "note", "created_at", "resolved_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class SenderRecordRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Legal basis"),
        max_length=500,
        help_text=_(
            "The court order or disclosure request this answers, e.g. its case number. "
            "It is written to the moderation log with your name."
        ),
    )


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "article",
        "display_name",
        "status",
        "hold_reason",
        "poster_id",
        "created_at",
    ]
    list_filter = ["status", "hold_reason", "created_at"]
    list_select_related = ["article"]
    search_fields = ["body", "name", "poster_id", "article__title"]
    date_hierarchy = "created_at"
    fields = [
        "article",
        "number",
        "name",
        "body",
        "status",
        "hold_reason",
        "status_changed_at",
        "poster_id",
        "poster_hash",
        "created_at",
    ]
    # Status changes only through the moderation actions below, which log them and recount the
    # thread; editing the field here would do neither.
    readonly_fields = fields
    inlines = [ReportInline]
    actions = ["approve", "hide", "remove", "mark_spam", "disclose_sender"]

    def has_add_permission(self, request):
        return False  # comments come from readers, through comment_create

    def has_moderate_permission(self, request):
        return _can_moderate(request)

    def get_actions(self, request, action_location=admin.ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location=action_location)
        if not (request.user.is_active and request.user.is_superuser):
            actions.pop("disclose_sender", None)
        return actions

    def _moderate(self, request, queryset, kind):
        entry = comments_moderate(actor=request.user, comments=queryset, kind=kind)
        count = entry.comments.count()
        self.message_user(
            request,
            ngettext(
                "%(action)s: %(count)d comment. Recorded in the moderation log.",
                "%(action)s: %(count)d comments. Recorded in the moderation log.",
                count,
            )
            % {"action": entry.get_kind_display(), "count": count},
            messages.SUCCESS,
        )

    @admin.action(
        permissions=["moderate"],
        description=_("Approve (publish, clear reports)"),
        location=BOTH_LOCATIONS,
    )
    def approve(self, request, queryset):
        # A poster's own deletion is final: approving must not bring it back.
        approvable = queryset.exclude(status=Comment.Status.REMOVED_BY_POSTER)
        if not approvable.exists():
            self.message_user(
                request,
                gettext("Nothing was approved: a comment its poster deleted stays deleted."),
                messages.WARNING,
            )
            return
        self._moderate(request, approvable, ModerationAction.Kind.APPROVE)

    @admin.action(permissions=["moderate"], description=_("Hide"), location=BOTH_LOCATIONS)
    def hide(self, request, queryset):
        self._moderate(request, queryset, ModerationAction.Kind.HIDE)

    @admin.action(permissions=["moderate"], description=_("Remove"), location=BOTH_LOCATIONS)
    def remove(self, request, queryset):
        self._moderate(request, queryset, ModerationAction.Kind.REMOVE)

    @admin.action(permissions=["moderate"], description=_("Mark as spam"), location=BOTH_LOCATIONS)
    def mark_spam(self, request, queryset):
        self._moderate(request, queryset, ModerationAction.Kind.MARK_SPAM)

    @admin.action(
        description=_("Decrypt sender information (disclosure request)"),
        location=BOTH_LOCATIONS,
    )
    def disclose_sender(self, request, queryset):
        """Open one comment's encrypted sender record for a court-ordered disclosure request.

        A first step asks for the legal basis; the second decrypts, logs, and shows the result on
        a page no cache may keep.
        """
        if not request.user.is_superuser:
            raise PermissionDenied
        comments = list(queryset.select_related("article")[:2])
        if len(comments) != 1:
            self.message_user(
                request,
                gettext("Select exactly one comment to decrypt its sender information."),
                messages.ERROR,
            )
            return None
        comment = comments[0]
        if missing := self._disclosure_missing(comment):
            self.message_user(request, missing, messages.ERROR)
            return None
        form = SenderRecordRequestForm(request.POST if "post" in request.POST else None)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "comment": comment,
            "media": self.media,
        }
        if form.is_valid():
            try:
                record = sender_record_open(
                    comment=comment, actor=request.user, reason=form.cleaned_data["reason"]
                )
            except DisclosureUnavailable:
                self.message_user(
                    request,
                    self._disclosure_missing(comment)
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
        request.current_app = self.admin_site.name
        response = TemplateResponse(request, template, context)
        # An address must never be kept by a browser or proxy cache.
        add_never_cache_headers(response)
        return response

    @staticmethod
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


class BlockedTermForm(forms.ModelForm):
    class Meta:
        model = BlockedTerm
        fields = ["term", "action"]
        help_texts = {
            "term": _(
                "Matched after Japanese normalisation, so one entry catches the usual "
                "disguises: full-width and half-width forms (ｼﾈ, ＳＰＡＭ) and upper and lower "
                "case are treated alike, katakana match hiragana (シネ = しね), spaces and "
                "symbols put between characters are ignored (し ね, 死.ね, シ★ネ), and kanji are "
                "also compared by their reading (氏ね = 死ね = しね). Short kana terms can match "
                "inside ordinary words: prefer holding to rejecting for those."
            ),
        }

    def clean_term(self):
        term = self.cleaned_data["term"]
        if not term_forms(term).surface:
            raise forms.ValidationError(
                _("This term is made only of spaces or symbols and would never match.")
            )
        return term


@admin.register(BlockedTerm)
class BlockedTermAdmin(admin.ModelAdmin):
    form = BlockedTermForm
    list_display = ["term", "action", "surface", "reading", "created_at"]
    list_filter = ["action"]
    search_fields = ["term", "surface", "reading"]
    readonly_fields = ["surface", "reading", "created_at"]

    def get_fields(self, request, obj=None):
        # The normalised forms are computed on save; an unsaved term has none to show.
        return ["term", "action", "surface", "reading", "created_at"] if obj else ["term", "action"]


class BanStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("active", _("In force")), ("expired", _("Expired"))]

    def queryset(self, request, queryset):
        if self.value() == "active":
            return queryset.active()
        if self.value() == "expired":
            return queryset.filter(expires_at__lte=timezone.now())
        return queryset


class BanForm(forms.ModelForm):
    class Meta:
        model = Ban
        fields = ["poster_hash", "expires_at", "reason"]
        help_texts = {
            "poster_hash": _(
                "The 64-character poster hash, as shown on a comment of the poster's. "
                "Banning from the review queue fills it in for you."
            ),
        }

    def clean_poster_hash(self):
        poster_hash = self.cleaned_data["poster_hash"].strip().lower()
        if not POSTER_HASH_RE.fullmatch(poster_hash):
            raise forms.ValidationError(_("A poster hash is 64 characters of 0–9 and a–f."))
        return poster_hash


@admin.register(Ban)
class BanAdmin(admin.ModelAdmin):
    form = BanForm
    list_display = ["short_hash", "expires", "is_active", "created_by", "reason", "created_at"]
    list_filter = [BanStateFilter, "created_at"]
    list_select_related = ["created_by"]
    search_fields = ["^poster_hash", "reason"]
    readonly_fields = ["created_by", "created_at"]

    def get_fields(self, request, obj=None):
        return ["poster_hash", "expires_at", "reason", "created_by", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        # A ban belongs to one poster: to ban another, add another.
        return [*self.readonly_fields, "poster_hash"] if obj else self.readonly_fields

    @admin.display(description=_("poster hash"), ordering="poster_hash")
    def short_hash(self, ban):
        return f"{ban.poster_hash[:12]}…"

    @admin.display(description=_("expires"), ordering="expires_at")
    def expires(self, ban):
        return ban.expires_at or gettext("Permanent")

    @admin.display(boolean=True, description=_("in force"))
    def is_active(self, ban):
        return ban.expires_at is None or ban.expires_at > timezone.now()

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        if not change:
            # Recorded like a ban from the review queue; the hash itself stays out of the log,
            # which outlives the retention period.
            ModerationAction.objects.create(
                kind=ModerationAction.Kind.BAN,
                actor=request.user,
                actor_name=request.user.get_username(),
                reason=obj.reason,
                details={
                    "ban_id": obj.pk,
                    "expires_at": obj.expires_at.isoformat() if obj.expires_at else None,
                },
            )


@admin.register(SectionPolicy)
class SectionPolicyAdmin(admin.ModelAdmin):
    list_display = ["section", "moderation_mode", "report_threshold"]
    list_filter = ["moderation_mode"]
    list_select_related = ["section"]
    # No autocomplete: it would need rights on sections, which moderators do not have.
    fields = ["section", "moderation_mode", "report_threshold"]

    def get_readonly_fields(self, request, obj=None):
        return ["section"] if obj else []

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        all_pages_changed()  # article pages say when comments are checked before they appear


@admin.register(ModerationAction)
class ModerationActionAdmin(admin.ModelAdmin):
    """The audit log: readable by moderators, writable by no one through the admin."""

    list_display = ["created_at", "actor_name", "kind", "comment_count", "reason"]
    list_filter = ["kind", "created_at"]
    search_fields = ["actor_name", "reason"]
    date_hierarchy = "created_at"
    fields = ["created_at", "kind", "actor_name", "comment_links", "thread", "reason", "details"]
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("thread__article")
            .annotate(comment_count=Count("comments"))
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("comments"), ordering="comment_count")
    def comment_count(self, entry):
        return entry.comment_count

    @admin.display(description=_("comments"))
    def comment_links(self, entry):
        comments = entry.comments.select_related("article")
        return format_html_join(
            ", ",
            '<a href="{}">{} #{}</a>',
            (
                (reverse("admin:comments_comment_change", args=[c.pk]), c.article, c.number)
                for c in comments
            ),
        ) or format_html("{}", "-")
