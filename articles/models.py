from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchQueryField, SearchVectorField
from django.core.exceptions import ValidationError
from django.db import connections, models, transaction
from django.db.models import BooleanField, Func, OuterRef, Subquery, Value
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from articles.images import Picture
from articles.search import SearchTerms

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

    def search(self, terms: SearchTerms):
        """Articles whose headline, original headline, summary or text hold every term
        (articles/search.py says how); none for a query without terms."""
        if not terms:
            return self.none()
        found = self
        to_confirm = terms.terms
        if connections[self.db].vendor == "postgresql":
            # The index finds the articles holding every gram; the text confirms longer terms.
            found = found.filter(_DocumentHolds(terms.tsquery))
            to_confirm = terms.terms_to_confirm
        for term in to_confirm:
            found = found.filter(search_text__contains=term)
        return found

    def search_results(self, terms: SearchTerms) -> "SearchResults":
        """The matches for listing: newest first, with their sections, taken a page at a time
        (`results[start:stop]`)."""
        return SearchResults(self, terms)


# How a search finds its newest matches (see SearchResults): the SEARCH_RECENT_WINDOW newest
# articles first, then every match through the index, confirmed SEARCH_CONFIRM_BATCH at a time.
SEARCH_RECENT_WINDOW = 500
SEARCH_CONFIRM_BATCH = 50


class SearchResults:
    """A search's matches newest first, fetched by slices (`results[start:stop]`).

    PostgreSQL's planner has two ways to the newest matches, and each is slow for some words:
    walking the articles newest first and testing each one's document (fast for a common word,
    but each test reads a few KB from TOAST storage, so a rare word costs a walk through every
    article), or taking every match from the GIN index and sorting them (fast for a rare word,
    but 100,000 matches for 「の」). It cannot tell which applies, because it does not count the
    cost of reading a document, and it guesses for any gram its statistics do not list. So the
    SEARCH_RECENT_WINDOW newest articles are walked first, which is bounded whatever the word;
    only when they hold too few matches for the page, so the word is rare, are the matches taken
    from the index and sorted. Terms longer than two characters are then confirmed in the text,
    newest candidates first and a batch at a time, so only about as many texts are read as the
    page needs. Each step tells the planner which way to go (`enable_indexscan`,
    `enable_seqscan`) for its queries. docs/decisions.md has the figures.
    """

    def __init__(self, articles, terms: SearchTerms):
        self.articles = articles
        self.terms = terms
        self.found = (
            articles.search(terms).select_related("section").order_by("-published_at", "-pk")
        )

    def __getitem__(self, window: slice) -> list:
        connection = connections[self.found.db]
        if connection.vendor != "postgresql":
            return list(self.found[window])
        outermost = not connection.in_atomic_block
        with transaction.atomic(using=self.found.db), connection.cursor() as cursor:
            try:
                _planner_walks(cursor, True)
                recent = self._among_the_newest(window)
                if recent is not None:
                    return recent
                return self._through_the_index(window, cursor)
            finally:
                if not outermost:
                    # Inside an outer transaction SET LOCAL would outlive this block.
                    cursor.execute(_PLANNER_RESET)

    def _among_the_newest(self, window: slice) -> list | None:
        """The page, when the newest articles hold all of it; None when they do not."""
        newest = self.articles.order_by("-published_at", "-pk")
        cutoff = newest.values_list("published_at", flat=True)[
            SEARCH_RECENT_WINDOW - 1 : SEARCH_RECENT_WINDOW
        ]
        if not cutoff:
            return list(self.found[window])  # they are all among the newest
        recent = list(self.found.filter(published_at__gte=cutoff[0])[window])
        return recent if len(recent) == window.stop - window.start else None

    def _through_the_index(self, window: slice, cursor) -> list:
        if not self.terms.terms_to_confirm:
            _planner_walks(cursor, False)
            return list(self.found[window])  # the index's answer is exact
        candidates = (
            self.articles.filter(_DocumentHolds(self.terms.tsquery))
            .order_by("-published_at", "-pk")
            .values_list("pk", flat=True)
        )
        confirmed, start, batch_size = [], 0, SEARCH_CONFIRM_BATCH * 20
        while len(confirmed) < window.stop:
            _planner_walks(cursor, False)
            batch = list(candidates[start : start + batch_size])
            # Each candidate by its key: a bitmap of the query's grams would decode them all.
            _planner_walks(cursor, True)
            for first in range(0, len(batch), SEARCH_CONFIRM_BATCH):
                chunk = batch[first : first + SEARCH_CONFIRM_BATCH]
                confirmed += self.found.filter(pk__in=chunk)
                if len(confirmed) >= window.stop:
                    break
            if len(batch) < batch_size:
                break
            start += batch_size
        return confirmed[window]


_PLANNER_RESET = (
    "SET LOCAL enable_seqscan TO DEFAULT; SET LOCAL enable_indexscan TO DEFAULT; "
    "SET LOCAL jit TO DEFAULT"
)


def _planner_walks(cursor, walks: bool) -> None:
    """Lets the planner walk an index in order (True), or only take bitmaps from the GIN index
    (False); never a sequential scan, which would read every document."""
    cursor.execute(
        f"SET LOCAL enable_indexscan = {'on' if walks else 'off'}; "
        "SET LOCAL enable_seqscan = off; SET LOCAL jit = off"
    )


class ArticleManager(models.Manager.from_queryset(ArticleQuerySet)):
    def get_queryset(self):
        # A few KB an article, read by nothing but the search, which filters on them in SQL.
        return super().get_queryset().defer("search_text", "search_document")


class _DocumentHolds(Func):
    """`search_document @@ '<query>'::tsquery`: the query is built by SearchTerms, not parsed
    by a text-search configuration, which would split and stem it."""

    arg_joiner = " @@ "
    template = "(%(expressions)s)"
    output_field = BooleanField()

    def __init__(self, tsquery: str):
        super().__init__(
            models.F("search_document"), Cast(Value(tsquery), output_field=SearchQueryField())
        )


class SearchDocumentIndex(GinIndex):
    """A GIN index on PostgreSQL; elsewhere (SQLite for development) a plain one, so migrations
    that rebuild the table there still run."""

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return models.Index.create_sql(self, model, schema_editor, using=using, **kwargs)
        return super().create_sql(model, schema_editor, using=using, **kwargs)


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
    # When a correction note was last added (articles/revisions.py); None for the many articles
    # never corrected, whose pages then need no query for notes.
    last_corrected_at = models.DateTimeField(
        _("last corrected"), null=True, blank=True, editable=False
    )
    # Derived from the headlines, summary points and paragraphs whenever they change
    # (articles/signals.py); articles/search.py describes both.
    search_text = models.TextField(editable=False, blank=True, default="")
    search_document = SearchVectorField(editable=False, null=True)

    objects = ArticleManager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        indexes = [
            models.Index(fields=["status", "published_at"]),
            # A section's page lists its newest published articles.
            models.Index(fields=["section", "status", "-published_at"]),
            SearchDocumentIndex(fields=["search_document"], name="article_search_document"),
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

    @property
    def correction_notes(self) -> list:
        """The correction notes readers see at the end of the article, oldest first."""
        return list(self.corrections.all()) if self.last_corrected_at else []

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


# Passages and corrections ----------------------------------------------------------------------
# articles/passages.py names an article's passages and changes them; the kinds live here, beside
# the correction notes that store them.


class PassageKind(models.TextChoices):
    HEADLINE = "headline", _("headline")
    SUMMARY = "summary", _("summary point")
    CAPTION = "caption", _("image caption")
    PARAGRAPH = "paragraph", _("paragraph")


NUMBERED_PASSAGE_LABELS = {
    PassageKind.SUMMARY: pgettext_lazy("passage", "summary point %(number)s"),
    PassageKind.PARAGRAPH: pgettext_lazy("passage", "paragraph %(number)s"),
}


def passage_label(kind: PassageKind, number: int | None) -> str:
    """How a reader names a passage: 見出し, 要点2, 画像説明, 第3段落."""
    if number is None:
        return str(PassageKind(kind).label)
    return NUMBERED_PASSAGE_LABELS[PassageKind(kind)] % {"number": number}


class ChangeKind(models.TextChoices):
    """What an editor says a change is: a correction is told to readers, a minor fix is not."""

    CORRECTION = "correction", _("correction")
    MINOR = "minor", _("minor fix")


class ArticleRevision(models.Model):
    """One recorded version of an article's text (a django-reversion revision holding the
    article and its summary points and paragraphs), with what the editor said the change was.
    articles/revisions.py records and restores them."""

    revision = models.OneToOneField(
        "reversion.Revision", on_delete=models.CASCADE, related_name="article_revision"
    )
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("article")
    )
    kind = models.CharField(
        _("kind of change"), max_length=10, choices=ChangeKind.choices, default=ChangeKind.MINOR
    )
    # The earlier revision whose text this one brought back, when it is a restore.
    restored_from = models.ForeignKey(
        "reversion.Revision", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-revision_id"]
        verbose_name = _("article revision")
        verbose_name_plural = _("article revisions")

    def __str__(self):
        return f"{self.article} ({self.revision_id})"


class CorrectionQuerySet(models.QuerySet):
    def published(self):
        """Corrections readers may see: those of the articles they may see."""
        return self.filter(article__in=Article.objects.published())

    def for_listing(self):
        """Newest first, with the article and its section (the corrections page and feeds)."""
        return self.select_related("article__section").order_by("-made_at", "-pk")


class Correction(models.Model):
    """A note told to readers at the end of an article: which passage was corrected, from what
    to what, and when. Kept as it was written, whatever later edits do to the passage."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="corrections", verbose_name=_("article")
    )
    passage_kind = models.CharField(_("passage"), max_length=10, choices=PassageKind.choices)
    # Its number among its kind when corrected (第3段落): later edits may renumber the passages.
    passage_number = models.PositiveSmallIntegerField(null=True, blank=True)
    # The changed part of each text (articles.diffs.changed_span), as the note quotes them.
    quoted_before = models.TextField(_("quoted before"))
    quoted_after = models.TextField(_("quoted after"))
    text_before = models.TextField(_("text before"))
    text_after = models.TextField(_("text after"))
    made_at = models.DateTimeField(_("corrected at"), default=timezone.now, db_index=True)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("corrected by"),
    )
    revision = models.ForeignKey(
        "reversion.Revision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="corrections",
    )

    objects = CorrectionQuerySet.as_manager()

    class Meta:
        ordering = ["made_at", "pk"]
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")

    def __str__(self):
        return f"{self.article}: {self.passage_label}"

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#{self.anchor}"

    @property
    def passage_label(self) -> str:
        return passage_label(self.passage_kind, self.passage_number)

    @property
    def anchor(self) -> str:
        """The element id of the note on the article's page."""
        return f"correction-{self.pk}"
