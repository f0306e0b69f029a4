"""The comments admin: threads for editors, comments and their reports for moderators.

Every moderation decision made here goes through the same services as the review queue, so it
lands in the moderation log. The moderators' other tools (blocked terms, bans, section policies,
the log) are in `comments.moderation.admin`, registered with these.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from comments.models import Comment, ModerationAction, Report, Thread
from comments.moderation import admin as moderation_admin  # noqa: F401 (registers its admins)
from comments.moderation.disclosure_admin import disclosure_flow
from comments.services import (
    comments_moderate,
    thread_close,
    thread_moderation_set,
    thread_reopen,
    thread_slow_mode_set,
)

MODERATE = "comments.moderate_comment"
BOTH_LOCATIONS = [admin.ActionLocation.CHANGE_LIST, admin.ActionLocation.CHANGE_FORM]


def _can_moderate(request) -> bool:
    return request.user.has_perm(MODERATE)


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
    state_fields = ["is_closed", *moderation_fields]

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

    def has_delete_permission(self, request, obj=None):
        # The row holds the article's numbering: without it new comments would be numbered from
        # 1 again, over the old ones. Close the thread instead.
        return False

    def save_model(self, request, obj, form, change):
        """Each change of state goes through its service, which logs it. The admin itself only
        creates the thread row (open, following its section) of an article that had none."""
        wanted = {name: getattr(obj, name) for name in self.state_fields}
        if not change:
            fresh = Thread(article=obj.article)
            for name in self.state_fields:
                setattr(obj, name, getattr(fresh, name))
            obj.save()
        changed, actor = set(form.changed_data), request.user
        if "is_closed" in changed:
            (thread_close if wanted["is_closed"] else thread_reopen)(actor=actor, thread=obj)
        if "moderation_mode" in changed:
            thread_moderation_set(actor=actor, thread=obj, mode=wanted["moderation_mode"])
        if "slow_mode" in changed:
            thread_slow_mode_set(actor=actor, thread=obj, on=wanted["slow_mode"])
        obj.refresh_from_db()


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
    readonly_fields = fields
    inlines = [ReportInline]
    actions = ["approve", "hide", "remove", "mark_spam", "disclose_sender"]

    def has_add_permission(self, request):
        return False  # comments come from readers, through comment_create

    def has_change_permission(self, request, obj=None):
        # A comment's page is read-only: its status changes through the actions, which log
        # them and recount the thread.
        return False

    def has_delete_permission(self, request, obj=None):
        # Moderators remove comments (a placeholder keeps the number and the >>N links); rows
        # are never deleted here, so neither are their links from the moderation log. This also
        # removes the bulk "delete selected" action.
        return False

    def has_moderate_permission(self, request):
        return _can_moderate(request)

    def get_actions(self, request, action_location=admin.ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location=action_location)
        if not (request.user.is_active and request.user.is_superuser):
            actions.pop("disclose_sender", None)
        return actions

    @admin.action(
        description=_("Decrypt sender information (disclosure request)"),
        location=BOTH_LOCATIONS,
    )
    def disclose_sender(self, request, queryset):
        return disclosure_flow(self, request, queryset)

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
