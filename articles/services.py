"""Writes that span several rows: importing articles, loading the demo content, and keeping
each article's search document in step with its text."""

import datetime
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from django.apps import apps as installed_apps
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connections, transaction
from django.utils import translation
from django.utils.translation import gettext

from articles import demo
from articles.images import image_load, renditions_make
from articles.importing import ArticleRecord, records_check, records_read
from articles.models import Article, Paragraph, Section, SummaryPoint
from articles.revisions import article_revision_record, revision_baseline
from articles.search import SearchDocument

SEARCH_BATCH = 500


@dataclass(frozen=True)
class ImportResult:
    created: list[Article] = field(default_factory=list)
    updated: list[Article] = field(default_factory=list)


def articles_import(*, records: list[dict[str, Any]], base_dir: Path, editor=None) -> ImportResult:
    """Create or update (by source URL) one article per record: all of them, or none.

    Every record is checked before anything is written; `ImportRejected` lists every problem
    found. Image paths are relative to `base_dir`. An update keeps the article's slug and replaces
    everything else, summary points, paragraphs and image included. Each article's text is
    recorded as a revision by `editor` (None: the command line), as a minor fix.
    """
    stored_files = []  # written to storage, to remove if the transaction rolls back
    try:
        with transaction.atomic():
            checked = records_check(records=records, base_dir=base_dir)
            existing = Article.objects.in_bulk(
                [record.source_url for record in checked], field_name="source_url"
            )
            result = ImportResult()
            for record in checked:
                article = existing.get(record.source_url) or Article()
                (result.updated if article.pk else result.created).append(article)
                if article.pk:
                    revision_baseline(article=article)
                _article_write(article, record, stored_files=stored_files)
                article_revision_record(
                    article=article, editor=editor, comment=_import_comment(article)
                )
            return result
    except BaseException:
        for name in stored_files:
            default_storage.delete(name)
        raise


def _import_comment(article: Article) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return gettext("Imported")


def _article_write(article: Article, record: ArticleRecord, *, stored_files: list[str]) -> None:
    for name, value in record.fields.items():
        setattr(article, name, value)
    article.section = record.section
    if record.image_path is None:
        article_image_replace(article=article, upload=None, stored_files=stored_files)
    else:
        with record.image_path.open("rb") as image_file:
            upload = File(image_file, name=record.image_path.name)
            article_image_replace(article=article, upload=upload, stored_files=stored_files)
    article.save()

    article.summary_points.all().delete()
    SummaryPoint.objects.bulk_create(
        SummaryPoint(article=article, position=position, text=text)
        for position, text in enumerate(record.summary, start=1)
    )
    article.paragraphs.all().delete()
    Paragraph.objects.bulk_create(
        Paragraph(article=article, position=position, text=text)
        for position, text in enumerate(record.body, start=1)
    )


def article_image_replace(
    *, article: Article, upload: File | None, stored_files: list[str]
) -> None:
    """Gives the article `upload` as its image, with its renditions made now; None removes it.

    The article is not saved: its caller saves it with the rest of its changes. The files written
    are added to `stored_files`, for a caller whose transaction fails to remove; the files of the
    image it had (original and renditions) are deleted once the transaction commits.
    """
    previous = _image_files(article)
    if upload is None:
        article.image = ""
        article.image_renditions = []
    else:
        upload.seek(0)
        image = image_load(upload)  # read before storing: an object store may close the file
        article.image.save(upload.name, upload, save=False)
        stored_files.append(article.image.name)
        renditions = renditions_make(image, name=article.image.name)
        stored_files.extend(rendition.name for rendition in renditions)
        article.image_renditions = [rendition.as_json() for rendition in renditions]
    current = {article.image.name, *(item["name"] for item in article.image_renditions)}
    for name in sorted(previous - current):
        transaction.on_commit(partial(default_storage.delete, name))


def _image_files(article: Article) -> set[str]:
    """The files of the article's image as stored now (the instance may hold a new one)."""
    if article.pk is None:
        return set()
    stored = Article.objects.filter(pk=article.pk).values("image", "image_renditions").first()
    if stored is None:
        return set()
    names = {stored["image"], *(item["name"] for item in stored["image_renditions"])}
    return {name for name in names if name}


@transaction.atomic
def article_renditions_make(*, article: Article) -> None:
    """Makes the renditions of the image an article already has (images stored before
    renditions existed); the ones it had, if any, are deleted once the transaction commits."""
    previous = {item["name"] for item in article.image_renditions}
    if article.image:
        with article.image.open("rb") as image_file:
            image = image_load(image_file)
        renditions = renditions_make(image, name=article.image.name)
        article.image_renditions = [rendition.as_json() for rendition in renditions]
    else:
        article.image_renditions = []
    article.save(update_fields=["image_renditions"])
    for name in sorted(previous - {item["name"] for item in article.image_renditions}):
        transaction.on_commit(partial(default_storage.delete, name))


@transaction.atomic
def demo_seed(*, now: datetime.datetime) -> ImportResult:
    """The demo sections (those missing) and the demo articles, dated relative to `now`.

    The articles go through `articles_import`, so a second run updates them instead of adding
    copies. Their images are drawn into a temporary folder that lives only during the import.
    """
    for position, (slug, name, description) in enumerate(demo.SECTIONS, start=1):
        Section.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "position": position}
        )
    records = demo.records_dated(records=records_read(path=demo.ARTICLES_FILE), now=now)
    with tempfile.TemporaryDirectory(prefix="kjnews-demo-") as image_dir:
        demo.images_draw(records=records, base_dir=Path(image_dir))
        return articles_import(records=records, base_dir=Path(image_dir))


@transaction.atomic
def article_text_renumber(*, article: Article) -> None:
    """Number the article's summary points and paragraphs 1, 2, 3… in their current order.

    Editors type positions in the admin; a row left at 0 is new and goes after the numbered ones,
    in the order it was added, so nobody has to renumber by hand to append or insert.
    """
    for rows in (article.summary_points, article.paragraphs):
        ordered = sorted(rows.all(), key=lambda row: (row.position == 0, row.position, row.pk))
        for number, row in enumerate(ordered, start=1):
            row.position = number
        rows.model.objects.bulk_update(ordered, ["position"])


def search_documents_refresh(*, article_ids: Iterable[int], apps=installed_apps) -> None:
    """Rebuild the articles' search text and document from their headlines, summary points and
    paragraphs (articles/search.py): three reads and one UPDATE per SEARCH_BATCH articles.
    `apps` is a migration's own registry when one calls it."""
    article_model = apps.get_model("articles", "Article")
    ids = list(dict.fromkeys(article_ids))
    for start in range(0, len(ids), SEARCH_BATCH):
        batch = ids[start : start + SEARCH_BATCH]
        texts = defaultdict(list)
        for name in ("SummaryPoint", "Paragraph"):
            rows = apps.get_model("articles", name).objects.filter(article_id__in=batch)
            for article_id, text in rows.order_by("position", "pk").values_list(
                "article_id", "text"
            ):
                texts[article_id].append(text)
        articles = article_model.objects.filter(pk__in=batch)
        documents = {
            pk: SearchDocument.of([title, original_title, *texts[pk]])
            for pk, title, original_title in articles.values_list("pk", "title", "original_title")
        }
        _search_documents_write(article_model, documents, using=articles.db)


def _search_documents_write(article_model, documents: dict, *, using: str) -> None:
    if not documents:
        return
    connection = connections[using]
    if connection.vendor != "postgresql":
        # No index to feed: the text alone is searched (SQLite, for development).
        article_model.objects.using(using).bulk_update(
            [article_model(pk=pk, search_text=doc.text) for pk, doc in documents.items()],
            ["search_text"],
        )
        return
    # One statement for the batch, its values as three arrays: bulk_update's CASE over 500
    # documents of a few KB took longer to build in Python than PostgreSQL took to run it.
    table = connection.ops.quote_name(article_model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS article "
            "SET search_text = new.text, search_document = new.document::tsvector "
            "FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS new(id, text, document) "
            "WHERE article.id = new.id",
            [
                list(documents),
                [doc.text for doc in documents.values()],
                [doc.vector for doc in documents.values()],
            ],
        )
