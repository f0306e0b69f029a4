"""Suggestions and the decisions log in the admin: to read and search. Decisions are made in the
editors' queue, through the services, so nothing here can change them."""

from django.contrib import admin

from suggestions.models import Suggestion, SuggestionDecision


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Suggestion)
class SuggestionAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "article", "passage_key", "status", "decided_by", "decided_at"]
    list_filter = ["status", "passage_kind", "created_at"]
    list_select_related = ["article", "decided_by"]
    search_fields = ["proposed_text", "passage_text", "note", "article__title"]
    date_hierarchy = "created_at"
    # The poster hashes stay out of view: they serve limits and bans, not reading.
    fields = [
        "created_at",
        "article",
        "passage_key",
        "passage_kind",
        "passage_text",
        "proposed_text",
        "original_text",
        "note",
        "status",
        "decided_by",
        "decided_at",
        "reason",
        "duplicate_of",
    ]
    readonly_fields = fields


@admin.register(SuggestionDecision)
class SuggestionDecisionAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor_name", "kind", "article_title", "passage_key", "reason"]
    list_filter = ["kind", "change_kind", "created_at"]
    search_fields = ["actor_name", "article_title", "proposed_text", "accepted_text", "reason"]
    date_hierarchy = "created_at"
    fields = [
        "created_at",
        "kind",
        "actor_name",
        "article",
        "article_title",
        "passage_key",
        "proposed_text",
        "accepted_text",
        "change_kind",
        "reason",
        "duplicate_of",
        "suggestions",
    ]
    readonly_fields = fields
