"""An article's text as readers point at it: the headline, each summary point, the image caption
and each paragraph, each a *passage* with a key that outlives reordering and edits.

Reader suggestions (the corrections app) name passages by key and editors change them through
`passage_change`, the one write path for a single passage.
"""

from dataclasses import dataclass

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from articles.models import Article, Paragraph, SummaryPoint


class PassageKind(models.TextChoices):
    HEADLINE = "headline", _("headline")
    SUMMARY = "summary", _("summary point")
    CAPTION = "caption", _("image caption")
    PARAGRAPH = "paragraph", _("paragraph")


# The rows behind the kinds that have several passages per article.
_ROW_MODELS = {PassageKind.SUMMARY: SummaryPoint, PassageKind.PARAGRAPH: Paragraph}
_ARTICLE_FIELDS = {PassageKind.HEADLINE: "title", PassageKind.CAPTION: "image_caption"}

_NUMBERED_LABELS = {
    PassageKind.SUMMARY: pgettext_lazy("passage", "summary point %(number)s"),
    PassageKind.PARAGRAPH: pgettext_lazy("passage", "paragraph %(number)s"),
}


class ChangeKind(models.TextChoices):
    """What an editor says a change is: a correction is told to readers, a minor fix is not."""

    CORRECTION = "correction", _("correction")
    MINOR = "minor", _("minor fix")


class PassageNotFound(LookupError):
    """The key names no passage of the article (a row since deleted, or a made-up key)."""


@dataclass(frozen=True)
class Passage:
    kind: PassageKind
    text: str
    # The SummaryPoint or Paragraph behind the passage; None for the headline and the caption.
    row_id: int | None = None
    # Its place among its kind as readers count it (第3段落): 1-based, None when there is one.
    number: int | None = None

    @property
    def key(self) -> str:
        """Stable while the row exists: `headline`, `caption`, `summary-12`, `paragraph-345`."""
        return self.kind.value if self.row_id is None else f"{self.kind.value}-{self.row_id}"

    @property
    def label(self) -> str:
        """How a reader names it: 見出し, 要点2, 画像説明, 第3段落."""
        if self.number is None:
            return str(self.kind.label)
        return _NUMBERED_LABELS[self.kind] % {"number": self.number}

    @property
    def anchor(self) -> str:
        """The element id the article page gives the passage."""
        if self.kind is PassageKind.PARAGRAPH:
            return f"p-{self.number}"
        if self.kind is PassageKind.SUMMARY:
            return f"s-{self.number}"
        return {PassageKind.HEADLINE: "article-title", PassageKind.CAPTION: "image-caption"}[
            self.kind
        ]


def article_passages(article: Article) -> list[Passage]:
    """Every passage in reading order: headline, summary points, caption (if any), paragraphs."""
    passages = [Passage(PassageKind.HEADLINE, article.title)]
    passages += _rows(article.summary_points.all(), PassageKind.SUMMARY)
    if article.image and article.image_caption:
        passages.append(Passage(PassageKind.CAPTION, article.image_caption))
    passages += _rows(article.paragraphs.all(), PassageKind.PARAGRAPH)
    return passages


def _rows(rows, kind: PassageKind) -> list[Passage]:
    return [
        Passage(kind, row.text, row_id=row.pk, number=number)
        for number, row in enumerate(rows, start=1)
    ]


def passage_get(article: Article, key: str) -> Passage:
    for passage in article_passages(article):
        if passage.key == key:
            return passage
    raise PassageNotFound(key)


@dataclass(frozen=True)
class PassageChanged:
    before: Passage
    after: Passage
    kind: ChangeKind


@transaction.atomic
def passage_change(
    *, article: Article, key: str, text: str, editor, kind: ChangeKind = ChangeKind.MINOR
) -> PassageChanged:
    """Replace one passage's text as `editor` (a user), saying what kind of change it is.

    The article is saved too, so its modified time (page, JSON-LD, feeds, sitemaps) moves and
    every cached page showing it is renewed on commit (articles/signals.py).
    """
    article = Article.objects.select_for_update().get(pk=article.pk)
    before = passage_get(article, key)
    if before.kind in _ARTICLE_FIELDS:
        setattr(article, _ARTICLE_FIELDS[before.kind], text)
    else:
        row = _ROW_MODELS[before.kind].objects.get(pk=before.row_id)
        row.text = text
        row.save(update_fields=["text"])
    article.save()
    return PassageChanged(before=before, after=passage_get(article, key), kind=ChangeKind(kind))
