import json

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from articles.models import Article, ChangeKind, Paragraph, Section, SummaryPoint
from articles.passages import article_passages
from articles.revisions import (
    RevisionNotOfArticle,
    article_history,
    article_revision_get,
    article_revision_record,
    passages_compare,
    revision_baseline,
    revision_passages,
    revision_restore,
    revision_time,
)
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


class ChangeKindField(forms.ChoiceField):
    """Whether an edit is a correction told to readers or a minor fix (the default)."""

    def __init__(self, **kwargs):
        super().__init__(
            label=_("This change is"),
            choices=ChangeKind.choices,
            initial=ChangeKind.MINOR,
            required=False,
            widget=forms.RadioSelect,
            help_text=_(
                "A correction is told to readers at the end of the article and on the "
                "corrections page, one note for each passage whose text changed. A minor fix "
                "(a typo, a layout change) is recorded in the history only."
            ),
            **kwargs,
        )

    def clean(self, value):
        return ChangeKind(super().clean(value) or ChangeKind.MINOR)


class ArticleAdminForm(forms.ModelForm):
    change_kind = ChangeKindField()
    change_note = forms.CharField(
        label=_("Note for the history"),
        required=False,
        max_length=200,
        help_text=_("Optional: why you changed the text. Editors see it in the history."),
    )

    class Meta:
        model = Article
        fields = []  # the admin's fieldsets say which

    @cached_property
    def changed_data(self):
        # What the editor says about the change is not a change to the article (its log entry).
        return [name for name in super().changed_data if name not in ("change_kind", "change_note")]


class RestoreForm(forms.Form):
    change_kind = ChangeKindField()


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleAdminForm
    change_form_template = "admin/articles/article/change_form.html"
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

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets  # a new article has nothing to correct
        return [*fieldsets, (_("About this change"), {"fields": ["change_kind", "change_note"]})]

    def save_model(self, request, obj, form, change):
        # The text before the change, read before anything is written: a correction quotes it.
        form.passages_before = []
        if change:
            stored = Article.objects.get(pk=obj.pk)
            revision_baseline(article=stored)
            form.passages_before = article_passages(stored)
        if "image" in form.changed_data:
            # A new image (or none): its renditions are made now, once. Files written for a save
            # that then fails stay behind, as with Django's own uploads.
            upload = form.cleaned_data["image"] or None
            article_image_replace(article=obj, upload=upload, stored_files=[])
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        article_text_renumber(article=form.instance)
        # Django's own change message, as the admin's log keeps it (shown translated).
        message = self.construct_change_message(request, form, formsets, add=not change)
        article_revision_record(
            article=form.instance,
            editor=request.user,
            comment=form.cleaned_data.get("change_note") or json.dumps(message),
            kind=form.cleaned_data.get("change_kind") or ChangeKind.MINOR,
            passages_before=form.passages_before,
        )

    # History and restore ----------------------------------------------------------------

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/revisions/",
                self.admin_site.admin_view(self.revisions_view),
                name="{}_{}_revisions".format(*info),
            ),
            path(
                "<path:object_id>/revisions/<int:revision_id>/restore/",
                self.admin_site.admin_view(self.restore_view),
                name="{}_{}_restore".format(*info),
            ),
            *super().get_urls(),
        ]

    def _article_for_revisions(self, request, object_id) -> Article:
        article = self.get_object(request, unquote(object_id))
        if article is None:
            raise Http404
        # Whoever may change the article may read its history and restore it (editors and
        # superusers).
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        return article

    def revisions_view(self, request, object_id):
        article = self._article_for_revisions(request, object_id)
        context = {
            **self.admin_site.each_context(request),
            "title": _("History of the text: %(article)s") % {"article": article},
            "subtitle": None,
            "opts": self.opts,
            "original": article,
            "entries": article_history(article),
        }
        return TemplateResponse(request, "admin/articles/article/revisions.html", context)

    def restore_view(self, request, object_id, revision_id):
        article = self._article_for_revisions(request, object_id)
        try:
            chosen = article_revision_get(article, revision_id)
        except RevisionNotOfArticle:
            raise Http404 from None
        form = RestoreForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            revision_restore(
                article=article,
                revision=chosen.revision,
                editor=request.user,
                kind=form.cleaned_data["change_kind"],
            )
            self.message_user(
                request,
                _("The text of the version of %(when)s is back.")
                % {"when": revision_time(chosen.revision.date_created)},
                messages.SUCCESS,
            )
            return redirect(self._revisions_url(article))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Restore this version?"),
            "subtitle": None,
            "opts": self.opts,
            "original": article,
            "chosen": chosen,
            "form": form,
            "diffs": passages_compare(
                article_passages(article), revision_passages(chosen.revision)
            ),
            "revisions_url": self._revisions_url(article),
        }
        return TemplateResponse(request, "admin/articles/article/restore_confirm.html", context)

    def _revisions_url(self, article) -> str:
        return reverse("admin:articles_article_revisions", args=[article.pk])

    @admin.display(boolean=True, description=_("visible to readers"))
    def is_live(self, article):
        return article.is_visible_to_readers
