"""The moderators' tools in the admin: blocked terms, bans, section policies, and the log.

Adding, changing and deleting blocked terms, bans and section policies (one at a time or with
"delete selected") all go through their services, which write the moderation log. The log can
be read but never written here, even by superusers.
"""

from django.contrib import admin
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from comments.models import Ban, BlockedTerm, ModerationAction, SectionPolicy
from comments.moderation.forms import BanForm, BlockedTermForm
from comments.services import (
    ban_lift,
    ban_update,
    blocked_term_add,
    blocked_term_remove,
    blocked_term_update,
    poster_ban,
    section_policy_remove,
    section_policy_set,
)


class WrittenByServices(admin.ModelAdmin):
    """An admin whose rows only their services write: a save or a deletion, single or bulk, is a
    service call, so it is checked once more and lands in the moderation log."""

    def save_through_service(self, request, obj, form, change):
        raise NotImplementedError

    def delete_through_service(self, request, obj):
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        saved = self.save_through_service(request, obj, form, change)
        # The admin goes on with `obj` (its message, its own history, the redirect).
        obj.pk = saved.pk
        obj._state.adding = False
        obj.refresh_from_db()

    def delete_model(self, request, obj):
        self.delete_through_service(request, obj)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        """Django's "delete selected" action: one service call, and one log entry, per row."""
        for obj in queryset:
            self.delete_through_service(request, obj)


@admin.register(BlockedTerm)
class BlockedTermAdmin(WrittenByServices):
    form = BlockedTermForm
    list_display = ["term", "action", "surface", "reading", "created_at"]
    list_filter = ["action"]
    search_fields = ["term", "surface", "reading"]
    readonly_fields = ["surface", "reading", "created_at"]

    def get_fields(self, request, obj=None):
        # The normalised forms are computed on save; an unsaved term has none to show.
        return ["term", "action", "surface", "reading", "created_at"] if obj else ["term", "action"]

    def save_through_service(self, request, obj, form, change):
        values = {"term": form.cleaned_data["term"], "action": form.cleaned_data["action"]}
        if change:
            return blocked_term_update(actor=request.user, blocked_term=obj, **values)
        return blocked_term_add(actor=request.user, **values)

    def delete_through_service(self, request, obj):
        blocked_term_remove(actor=request.user, blocked_term=obj)


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


@admin.register(Ban)
class BanAdmin(WrittenByServices):
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

    def save_through_service(self, request, obj, form, change):
        values = {
            "expires_at": form.cleaned_data["expires_at"],
            "reason": form.cleaned_data["reason"],
        }
        if change:
            return ban_update(actor=request.user, ban=obj, **values)
        return poster_ban(
            actor=request.user, poster_hash=form.cleaned_data["poster_hash"], **values
        )

    def delete_through_service(self, request, obj):
        ban_lift(actor=request.user, ban=obj)

    @admin.display(description=_("poster hash"), ordering="poster_hash")
    def short_hash(self, ban):
        return f"{ban.poster_hash[:12]}…"

    @admin.display(description=_("expires"), ordering="expires_at")
    def expires(self, ban):
        return ban.expires_at or gettext("Permanent")

    @admin.display(boolean=True, description=_("in force"))
    def is_active(self, ban):
        return ban.expires_at is None or ban.expires_at > timezone.now()


@admin.register(SectionPolicy)
class SectionPolicyAdmin(WrittenByServices):
    list_display = ["section", "moderation_mode", "report_threshold"]
    list_filter = ["moderation_mode"]
    list_select_related = ["section"]
    # No autocomplete: it would need rights on sections, which moderators do not have.
    fields = ["section", "moderation_mode", "report_threshold"]

    def get_readonly_fields(self, request, obj=None):
        return ["section"] if obj else []

    def save_through_service(self, request, obj, form, change):
        return section_policy_set(
            actor=request.user,
            section=obj.section,
            moderation_mode=form.cleaned_data["moderation_mode"],
            report_threshold=form.cleaned_data["report_threshold"],
        )

    def delete_through_service(self, request, obj):
        section_policy_remove(actor=request.user, policy=obj)


@admin.register(ModerationAction)
class ModerationActionAdmin(admin.ModelAdmin):
    """The audit log: readable by moderators, writable by no one through the admin."""

    list_display = ["created_at", "actor_name", "kind", "target", "comment_count", "reason"]
    list_filter = ["kind", "created_at"]
    search_fields = ["actor_name", "target", "reason"]
    date_hierarchy = "created_at"
    fields = [
        "created_at",
        "kind",
        "actor_name",
        "target",
        "comment_links",
        "thread",
        "reason",
        "details",
    ]
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
