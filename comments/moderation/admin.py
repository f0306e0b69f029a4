"""The moderators' tools in the admin: blocked terms, bans, section policies, and the log.

The log can be read but never written here, even by superusers.
"""

from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from comments.models import Ban, BlockedTerm, ModerationAction, SectionPolicy
from comments.moderation.forms import BanForm, BlockedTermForm
from kjnews.pagecache import all_pages_changed


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
