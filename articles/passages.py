"""An article's text as readers point at it: the headline, each summary point, the image caption
and each paragraph, each a *passage* with a key that outlives reordering and edits.

Reader suggestions (the corrections app) name passages by key and editors change them through
`passage_change`, the one write path for a single passage.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from articles.models import (
    Article,
    ChangeKind,
    Correction,
    Paragraph,
    PassageKind,
    SummaryPoint,
    passage_label,
)

__all__ = [
    "ChangeKind",
    "Passage",
    "PassageChanged",
    "PassageKind",
    "PassageNotFound",
    "article_passages",
    "passage_change",
    "passage_get",
    "passage_max_length",
]

# The rows behind the kinds that have several passages per article.
_ROW_MODELS = {PassageKind.SUMMARY: SummaryPoint, PassageKind.PARAGRAPH: Paragraph}
_ARTICLE_FIELDS = {PassageKind.HEADLINE: "title", PassageKind.CAPTION: "image_caption"}


def passage_max_length(kind: PassageKind) -> int | None:
    """The most a passage of this kind can hold: its article field's limit (headline, caption);
    None for summary points and paragraphs, which are unbounded text."""
    field = _ARTICLE_FIELDS.get(kind)
    return Article._meta.get_field(field).max_length if field else None


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
        return passage_label(self.kind, self.number)

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
    # The revision recording the change; None when the text was already `after` (nothing changed).
    revision_id: int | None = None
    # The note told to readers, for a correction.
    correction: Correction | None = None


@transaction.atomic
def passage_change(
    *, article: Article, key: str, text: str, editor, kind: ChangeKind = ChangeKind.MINOR
) -> PassageChanged:
    """Replace one passage's text as `editor` (a user), saying what kind of change it is.

    The change is recorded as a revision (articles/revisions.py) and in the admin's log; a
    correction also gets a note shown to readers at the end of the article and on the
    corrections page. The article is saved too, so its modified time (page, JSON-LD, feeds,
    sitemaps) moves and every cached page showing it is renewed on commit (articles/signals.py).
    Text equal to the passage's own changes nothing and records nothing.
    """
    # revisions reads passages (this module) to compare them, so it is imported at the call.
    from articles import revisions

    kind = ChangeKind(kind)
    article = Article.objects.select_for_update().get(pk=article.pk)
    before = passage_get(article, key)
    if text == before.text:
        return PassageChanged(before=before, after=before, kind=kind)
    _check_fits(before.kind, text)
    revisions.revision_baseline(article=article)
    if before.kind in _ARTICLE_FIELDS:
        setattr(article, _ARTICLE_FIELDS[before.kind], text)
    else:
        row = _ROW_MODELS[before.kind].objects.get(pk=before.row_id)
        row.text = text
        row.save(update_fields=["text"])
    article.save()
    after = passage_get(article, key)
    comment = revisions.change_comment(passages=[after], kind=kind)
    recorded = revisions.article_revision_record(
        article=article, editor=editor, comment=comment, kind=kind, passages_before=[before]
    )
    revisions.article_change_log(article=article, editor=editor, message=comment)
    return PassageChanged(
        before=before,
        after=after,
        kind=kind,
        revision_id=recorded.revision_id,
        correction=next(iter(recorded.corrections), None),
    )


def _check_fits(kind: PassageKind, text: str) -> None:
    if not text.strip():
        raise ValidationError(_("A passage cannot be empty."), code="empty")
    limit = passage_max_length(kind)
    if limit is not None and len(text) > limit:
        raise ValidationError(
            _("This passage can be at most %(limit)d characters long."),
            code="too_long",
            params={"limit": limit},
        )
