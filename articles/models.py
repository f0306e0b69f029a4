from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from articles.images import Picture

# A paragraph that ends with none of these was cut off mid-sentence (the source was truncated).
SENTENCE_ENDINGS = tuple('。．.！!？?」』）)”"…‥')


class Section(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)
    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(
        _("position in navigation"), default=0, help_text=_("Lower numbers come first.")
    )

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:section", kwargs={"slug": self.slug})


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """What readers may see: published, and its publication time has come."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())

    def for_listing(self):
        """Rows for the home and section pages: section and the first summary point in one query."""
        lead = SummaryPoint.objects.filter(article=OuterRef("pk")).order_by("position", "pk")
        return (
            self.select_related("section")
            .annotate(lead=Subquery(lead.values("text")[:1]))
            .order_by("-published_at", "-pk")
        )


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    class Rights(models.TextChoices):
        """On what terms KJ News publishes an article's text (shown beside its source)."""

        # The rights holder agreed to this translation being published.
        TRANSLATED_WITH_PERMISSION = "translated_with_permission", _("Translated with permission")
        # Our own summary; passages quoted, clearly marked and credited (as Japanese copyright
        # law's quotation rule, Article 32, asks).
        SUMMARY_QUOTING_SOURCE = "summary_quoting_source", _("Summary quoting the source")
        # The source's licence allows translation and republication (e.g. CC BY), with credit.
        OPEN_LICENSE = "open_license", _("Translated under an open licence")
        # No copyright restricts it (expired, waived, or a text the law leaves unprotected).
        PUBLIC_DOMAIN = "public_domain", _("Public domain")

    section = models.ForeignKey(
        Section, on_delete=models.PROTECT, related_name="articles", verbose_name=_("section")
    )
    title = models.CharField(_("headline"), max_length=200)
    original_title = models.CharField(
        _("original headline"),
        max_length=300,
        blank=True,
        help_text=_("The headline exactly as the source published it."),
    )
    slug = models.SlugField(
        _("slug"),
        max_length=120,
        unique=True,
        blank=True,
        help_text=_("Part of the address. Left blank, it is made from the original headline."),
    )
    source_name = models.CharField(_("source name"), max_length=100, blank=True)
    source_url = models.URLField(_("source URL"), max_length=500, unique=True)
    rights = models.CharField(
        _("rights basis"),
        max_length=30,
        choices=Rights.choices,
        blank=True,
        help_text=_(
            "On what terms KJ News publishes this text. Shown beside the source; required "
            "before publishing."
        ),
    )
    image = models.ImageField(
        _("image"),
        upload_to="articles/%Y/%m/",
        blank=True,
        width_field="image_width",
        height_field="image_height",
    )
    # Recorded on upload so the page reserves the image's space and does not jump as it loads.
    image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_caption = models.CharField(_("image caption"), max_length=300, blank=True)
    image_alt = models.CharField(_("image alt text"), max_length=300, blank=True)
    image_decorative = models.BooleanField(
        _("decorative image"),
        default=False,
        help_text=_(
            "Tick when a reader who cannot see the image misses nothing: it then has empty "
            "alternative text. Otherwise describe it in the alt text."
        ),
    )
    # What pages and feeds need of the image's renditions (articles.images), made when it is stored.
    image_renditions = models.JSONField(default=list, blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(
        _("publication time"),
        default=timezone.now,
        db_index=True,
        help_text=_("A future time schedules the article: readers see it from then on."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        indexes = [
            models.Index(fields=["status", "published_at"]),
            # A section's page lists its newest published articles.
            models.Index(fields=["section", "status", "-published_at"]),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = self.unique_slug()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:detail", kwargs={"slug": self.slug})

    def clean(self):
        """What an article needs before it is published (the admin form and the import)."""
        errors = {}
        if self.image_decorative and self.image_alt:
            errors["image_alt"] = ValidationError(
                _(
                    "A decorative image has no alternative text: clear the text or untick "
                    "“decorative image”."
                ),
                code="decorative_with_alt",
            )
        elif (
            self.status == self.Status.PUBLISHED
            and self.image
            and not self.image_decorative
            and not self.image_alt.strip()
        ):
            errors["image_alt"] = ValidationError(
                _(
                    "Describe the image in its alternative text, or mark it as decorative, "
                    "before publishing."
                ),
                code="alt_required",
            )
        if self.status == self.Status.PUBLISHED and not self.rights:
            errors["rights"] = ValidationError(
                _(
                    "Choose the rights basis (on what terms we publish this text) before "
                    "publishing."
                ),
                code="rights_required",
            )
        if errors:
            raise ValidationError(errors)

    def unique_slug(self):
        """A readable ASCII slug from the original headline; a dated one when that gives nothing."""
        base = slugify(self.original_title)[:100].strip("-")
        if not base:
            base = f"article-{timezone.localtime(self.published_at):%Y%m%d}"
        candidate, suffix = base, 2
        others = Article.objects.exclude(pk=self.pk)
        while others.filter(slug=candidate).exists():
            candidate = f"{base}-{suffix}"
            suffix += 1
        return candidate

    @property
    def is_visible_to_readers(self):
        return self.status == self.Status.PUBLISHED and self.published_at <= timezone.now()

    @property
    def modified_at(self):
        """When readers' copy last changed: the last edit, or the publication if that is later
        (an article edited before its scheduled time). `published_at` is the first publication:
        edits never move it."""
        return max(self.updated_at, self.published_at)

    @cached_property
    def picture(self) -> Picture | None:
        """The image's renditions for `<picture>`, previews and feeds; None without them."""
        if not self.image:
            return None
        return Picture.from_json(self.image_renditions)

    @property
    def image_alt_text(self) -> str:
        """The `alt` attribute: empty for a decorative image."""
        return "" if self.image_decorative else self.image_alt


class OrderedText(models.Model):
    """One piece of an article's text, kept in editor-chosen order."""

    position = models.PositiveSmallIntegerField(
        _("order"), default=0, help_text=_("0 puts a new row after the others.")
    )
    text = models.TextField(_("text"))

    class Meta:
        abstract = True
        ordering = ["position", "pk"]

    def __str__(self):
        return self.text[:50]


class SummaryPoint(OrderedText):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="summary_points")

    class Meta(OrderedText.Meta):
        verbose_name = _("summary point")
        verbose_name_plural = _("summary points")


class Paragraph(OrderedText):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="paragraphs")

    class Meta(OrderedText.Meta):
        verbose_name = _("paragraph")
        verbose_name_plural = _("paragraphs")

    @property
    def ends_mid_sentence(self):
        return not self.text.rstrip().endswith(SENTENCE_ENDINGS)
