"""Revisions of an article's text: every change to its headline, summary points, caption and
paragraphs is recorded with who made it, when and why; editors compare revisions and restore one.

django-reversion keeps them (docs/decisions.md says why): one `Revision` holds the article and
each of its summary points and paragraphs as they stood after the change, so an article's version
is one row to look up, and reverting it with `delete=True` brings back the rows deleted since and
deletes the rows added since. `ArticleRevision` adds what reversion does not know: which article,
and whether the editor called the change a correction (told to readers in a `Correction` note) or
a minor fix (told to no one).

Every write path records its revision here: the admin, the import (and so the demo loader),
`articles.passages.passage_change` and `revision_restore`.
"""

import datetime
import logging
from dataclasses import dataclass, field

import reversion
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import conditional_escape
from django.utils.translation import gettext
from reversion.models import Revision, Version

from articles.diffs import changed_span, char_diff_html
from articles.models import (
    Article,
    ArticleRevision,
    ChangeKind,
    Correction,
    Paragraph,
    PassageKind,
    SummaryPoint,
)
from articles.passages import Passage, article_passages

logger = logging.getLogger(__name__)

# Derived from the text whenever it changes (articles/signals.py): not worth a copy per revision.
_NOT_RECORDED = ["search_text", "search_document"]
# What a restore brings back; the rest of the article (address, status, source, image) stays as
# it is now, so a restore can neither move the page nor bring back image files since deleted.
_RESTORED_FIELDS = {"title", "image_caption"}

reversion.register(Article, exclude=_NOT_RECORDED, follow=["summary_points", "paragraphs"])
reversion.register(SummaryPoint)
reversion.register(Paragraph)


class RevisionNotOfArticle(LookupError):
    """The revision does not hold a version of this article."""


@dataclass(frozen=True)
class RevisionRecorded:
    article_revision: ArticleRevision
    # The notes told to readers: one per changed passage when the change is a correction.
    corrections: list[Correction] = field(default_factory=list)

    @property
    def revision_id(self) -> int:
        return self.article_revision.revision_id


def _in_site_language(text_of):
    """Comments are stored as text: written in the site's language (Japanese), as editors read
    them, whatever language the editor's browser asked for."""
    with translation.override(settings.LANGUAGE_CODE):
        return text_of()


def revision_baseline(*, article: Article) -> ArticleRevision | None:
    """Before the first recorded change of an article stored before revisions were kept (or by a
    path that keeps none, such as the bench data): its text as it stands, recorded as a revision
    of its own dated when it last changed, so that the change can be undone. None when the
    article already has revisions."""
    if ArticleRevision.objects.filter(article_id=article.pk).exists():
        return None
    stored = Article.objects.get(pk=article.pk)
    return _revision_save(
        article=stored,
        editor=None,
        comment=_in_site_language(lambda: gettext("The text before revisions were recorded")),
        kind=ChangeKind.MINOR,
        date_created=stored.modified_at,
    ).article_revision


def article_revision_record(
    *,
    article: Article,
    editor,
    comment: str,
    kind: ChangeKind = ChangeKind.MINOR,
    passages_before: list[Passage] | None = None,
    restored_from: Revision | None = None,
) -> RevisionRecorded:
    """Record the article's text as it now stands (in the database) as a revision by `editor`.

    When `kind` is a correction, each passage of `passages_before` whose text has since changed
    gets a `Correction` note for readers. Passages added or removed by the change get none: a note
    quotes what a passage said and now says.
    """
    kind = ChangeKind(kind)
    stored = Article.objects.get(pk=article.pk)
    recorded = _revision_save(
        article=stored, editor=editor, comment=comment, kind=kind, restored_from=restored_from
    )
    if kind != ChangeKind.CORRECTION or not passages_before:
        return recorded
    after = {passage.key: passage for passage in article_passages(stored)}
    corrections = [
        _correction_make(
            article=stored,
            before=before,
            after=after[before.key],
            editor=editor,
            revision_id=recorded.revision_id,
        )
        for before in passages_before
        if before.key in after and after[before.key].text != before.text
    ]
    return RevisionRecorded(recorded.article_revision, corrections)


def change_comment(*, passages: list[Passage], kind: ChangeKind) -> str:
    """The comment of a revision changing these passages: 「第3段落を訂正しました」."""

    def text():
        if ChangeKind(kind) == ChangeKind.CORRECTION:
            message = gettext("Corrected %(passages)s.")
        else:
            message = gettext("Changed %(passages)s.")
        # Translators: between the names of passages in a list (要点2、第3段落).
        separator = gettext(", ")
        return message % {"passages": separator.join(p.label for p in passages)}

    return _in_site_language(text)


def _revision_save(
    *,
    article: Article,
    editor,
    comment: str,
    kind: ChangeKind,
    restored_from: Revision | None = None,
    date_created: datetime.datetime | None = None,
) -> RevisionRecorded:
    # Managed by hand, not from save signals: the article and (following it) its rows are read
    # from the database once the change is complete, so a revision holds the text as committed,
    # the admin's renumbering included (bulk_update sends no signals).
    with reversion.create_revision(manage_manually=True):
        reversion.set_user(editor if editor is not None and editor.pk else None)
        reversion.set_comment(comment)
        if date_created is not None:
            reversion.set_date_created(date_created)
        reversion.add_to_revision(article)
    version = Version.objects.get_for_object(article).select_related("revision").first()
    article_revision = ArticleRevision.objects.create(
        revision=version.revision, article=article, kind=kind, restored_from=restored_from
    )
    return RevisionRecorded(article_revision)


def _correction_make(
    *, article: Article, before: Passage, after: Passage, editor, revision_id: int
) -> Correction:
    quoted_before, quoted_after = changed_span(before.text, after.text)
    correction = Correction.objects.create(
        article=article,
        passage_kind=after.kind,
        passage_number=after.number,
        quoted_before=quoted_before,
        quoted_after=quoted_after,
        text_before=before.text,
        text_after=after.text,
        made_by=editor if editor is not None and editor.pk else None,
        revision_id=revision_id,
    )
    # The article was saved before its notes were made: its row is updated, not saved again.
    Article.objects.filter(pk=article.pk).update(last_corrected_at=correction.made_at)
    article.last_corrected_at = correction.made_at
    return correction


# Reading revisions --------------------------------------------------------------------------


def revision_passages(revision: Revision) -> list[Passage]:
    """The article's passages as the revision holds them, in reading order, as
    `articles.passages.article_passages` reads them from the database."""
    title, caption = "", ""
    rows = {PassageKind.SUMMARY: [], PassageKind.PARAGRAPH: []}
    kinds = {SummaryPoint: PassageKind.SUMMARY, Paragraph: PassageKind.PARAGRAPH}
    for version in revision.version_set.all():
        model, values = version._model, version.field_dict
        if model is Article:
            title = values["title"]
            caption = values["image_caption"] if values["image"] else ""
        elif model in kinds:
            rows[kinds[model]].append((values["position"], int(version.object_id), values["text"]))
    passages = [Passage(PassageKind.HEADLINE, title)]
    passages += _numbered(rows[PassageKind.SUMMARY], PassageKind.SUMMARY)
    if caption:
        passages.append(Passage(PassageKind.CAPTION, caption))
    passages += _numbered(rows[PassageKind.PARAGRAPH], PassageKind.PARAGRAPH)
    return passages


def _numbered(rows, kind: PassageKind) -> list[Passage]:
    return [
        Passage(kind, text, row_id=row_id, number=number)
        for number, (_position, row_id, text) in enumerate(sorted(rows), start=1)
    ]


@dataclass(frozen=True)
class PassageDiff:
    label: str
    # "changed", "added" or "removed"; "first" for the text of the first recorded version
    change: str
    html: str


def passages_compare(before: list[Passage], after: list[Passage]) -> list[PassageDiff]:
    """The passages that differ, in the reading order of `after` with removed ones last, each
    with its character-level diff (articles.diffs)."""
    earlier = {passage.key: passage for passage in before}
    later = {passage.key: passage for passage in after}
    diffs = []
    for passage in after:
        old = earlier.get(passage.key)
        if old is None:
            diffs.append(PassageDiff(passage.label, "added", char_diff_html("", passage.text)))
        elif old.text != passage.text:
            html = char_diff_html(old.text, passage.text)
            diffs.append(PassageDiff(passage.label, "changed", html))
    diffs += [
        PassageDiff(passage.label, "removed", char_diff_html(passage.text, ""))
        for passage in before
        if passage.key not in later
    ]
    return diffs


@dataclass(frozen=True)
class HistoryEntry:
    article_revision: ArticleRevision
    # Against the revision before it; for the first version recorded, its whole text.
    diffs: list[PassageDiff]
    is_current: bool

    @property
    def revision(self) -> Revision:
        return self.article_revision.revision


HISTORY_LENGTH = 50


def article_history(article: Article, *, limit: int = HISTORY_LENGTH) -> list[HistoryEntry]:
    """The article's latest `limit` revisions, newest first, each compared with the one before."""
    recorded = list(
        ArticleRevision.objects.filter(article=article)
        .select_related("revision__user", "restored_from")
        .prefetch_related("revision__version_set")
        .order_by("-revision_id")[: limit + 1]
    )
    texts = [revision_passages(entry.revision) for entry in recorded]
    entries = []
    for index, entry in enumerate(recorded[:limit]):
        if index + 1 < len(texts):
            diffs = passages_compare(texts[index + 1], texts[index])
        else:
            # The first version recorded: its text as it is, not as a list of additions.
            diffs = [
                PassageDiff(passage.label, "first", conditional_escape(passage.text))
                for passage in texts[index]
            ]
        entries.append(HistoryEntry(entry, diffs, is_current=index == 0))
    return entries


def article_revision_get(article: Article, revision_id: int) -> ArticleRevision:
    try:
        return ArticleRevision.objects.select_related("revision__user").get(
            article=article, revision_id=revision_id
        )
    except ArticleRevision.DoesNotExist:
        raise RevisionNotOfArticle(revision_id) from None


# Restoring --------------------------------------------------------------------------------


@transaction.atomic
def revision_restore(
    *,
    article: Article,
    revision: Revision,
    editor,
    kind: ChangeKind = ChangeKind.MINOR,
) -> RevisionRecorded:
    """Bring back the article's headline, caption, summary points and paragraphs as `revision`
    holds them (rows deleted since come back with their ids, rows added since are deleted), as a
    new revision by `editor`, logged in the admin's log. As a correction, each passage it changes
    gets a note for readers.

    The rest of the article stays as it is now. The article is saved afterwards as any edit is,
    so its modified time moves, its search document is rebuilt and every cached page showing it
    is renewed on commit (articles/signals.py): reversion writes the rows as raw saves, which
    would otherwise put back the old modified time too.
    """
    article = Article.objects.select_for_update().get(pk=article.pk)
    if not ArticleRevision.objects.filter(article=article, revision=revision).exists():
        raise RevisionNotOfArticle(revision.pk)
    passages_before = article_passages(article)
    kept = {
        field.attname: getattr(article, field.attname)
        for field in Article._meta.concrete_fields
        if field.name not in _RESTORED_FIELDS | {*_NOT_RECORDED, "updated_at"}
    }
    kept["image"] = article.image.name

    revision.revert(delete=True)

    restored = Article.objects.get(pk=article.pk)
    for name, value in kept.items():
        setattr(restored, name, value)
    restored.save()
    comment = _in_site_language(
        lambda: (
            gettext("Restored the version of %(when)s")
            % {"when": revision_time(revision.date_created)}
        )
    )
    recorded = article_revision_record(
        article=restored,
        editor=editor,
        comment=comment,
        kind=kind,
        passages_before=passages_before,
        restored_from=revision,
    )
    article_change_log(article=restored, editor=editor, message=comment)
    logger.info(
        "Article %s restored to revision %s by %s",
        restored.pk,
        revision.pk,
        getattr(editor, "pk", None),
    )
    return recorded


def revision_time(value: datetime.datetime) -> str:
    """2026年11月29日 10:05: a revision's time as editors name it, in the active language."""
    value = timezone.localtime(value)
    return f"{date_format(value, 'DATE_FORMAT')} {value:%H:%M}"


def article_change_log(*, article: Article, editor, message: str) -> None:
    """An entry in the admin's log (its history of the article), as the admin's own saves make."""
    if editor is None or not editor.pk:
        return
    LogEntry.objects.log_actions(
        user_id=editor.pk, queryset=[article], action_flag=CHANGE, change_message=message
    )
