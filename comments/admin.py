from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from comments.models import Comment, Thread


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    """Where editors close (or reopen) an article's comments."""

    list_display = ["article", "is_closed", "accepts_comments", "published_count", "last_number"]
    list_editable = ["is_closed"]
    list_filter = ["is_closed"]
    list_select_related = ["article"]
    search_fields = ["article__title", "article__original_title"]
    autocomplete_fields = ["article"]
    readonly_fields = ["last_number", "published_count"]

    @admin.display(boolean=True, description=_("accepting comments"))
    def accepts_comments(self, thread):
        return thread.accepts_comments

    def get_readonly_fields(self, request, obj=None):
        # The article of an existing thread never changes: numbering belongs to it.
        return [*self.readonly_fields, "article"] if obj else self.readonly_fields


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["number", "article", "display_name", "status", "poster_id", "created_at"]
    list_filter = ["status", "created_at"]
    list_select_related = ["article"]
    search_fields = ["body", "name", "poster_id", "article__title"]
    date_hierarchy = "created_at"
    fields = ["article", "number", "name", "body", "status", "poster_id", "created_at"]
    readonly_fields = ["article", "number", "name", "body", "poster_id", "created_at"]

    def has_add_permission(self, request):
        return False  # comments come from readers, through comment_create
