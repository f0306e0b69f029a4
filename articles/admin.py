from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from articles.models import Article, Paragraph, Section, SummaryPoint
from articles.services import article_image_replace, article_text_renumber


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position", "description"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "description"]


class RightsFilter(admin.SimpleListFilter):
    """Each rights basis, and the articles still without one (stored before it was asked for)."""

    title = _("rights basis")
    parameter_name = "rights"
    NOT_CHOSEN = "none"

    def lookups(self, request, model_admin):
        return [(self.NOT_CHOSEN, _("Not chosen yet")), *Article.Rights.choices]

    def queryset(self, request, queryset):
        if self.value() == self.NOT_CHOSEN:
            return queryset.filter(rights="")
        if self.value() in Article.Rights.values:
            return queryset.filter(rights=self.value())
        return queryset


class OrderedTextInline(admin.TabularInline):
    extra = 1
    fields = ["position", "text"]
    ordering = ["position", "pk"]


class SummaryPointInline(OrderedTextInline):
    model = SummaryPoint


class ParagraphInline(OrderedTextInline):
    model = Paragraph
    extra = 2


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "section", "status", "published_at", "is_live"]
    list_filter = ["status", "section", RightsFilter, "published_at"]
    list_select_related = ["section"]
    search_fields = ["title", "original_title", "source_url", "slug"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["original_title"]}
    autocomplete_fields = ["section"]
    inlines = [SummaryPointInline, ParagraphInline]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["section", "title", "original_title", "slug"]}),
        (_("Source"), {"fields": ["source_name", "source_url", "rights"]}),
        (_("Image"), {"fields": ["image", "image_alt", "image_decorative", "image_caption"]}),
        (_("Publication"), {"fields": ["status", "published_at", "created_at", "updated_at"]}),
    ]

    def save_model(self, request, obj, form, change):
        if "image" in form.changed_data:
            # A new image (or none): its renditions are made now, once. Files written for a save
            # that then fails stay behind, as with Django's own uploads.
            upload = form.cleaned_data["image"] or None
            article_image_replace(article=obj, upload=upload, stored_files=[])
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        article_text_renumber(article=form.instance)

    @admin.display(boolean=True, description=_("visible to readers"))
    def is_live(self, article):
        return article.is_visible_to_readers
