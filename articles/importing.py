"""Reading and checking article import files (the format is described in README.md).

Nothing here writes: `records_read` turns a file into records and `records_check` turns records
into `ArticleRecord`s or raises `ImportRejected` listing every problem found. The write path is
`articles.services.articles_import`.
"""

import datetime
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from PIL import Image

from articles.models import Article, Section

REQUIRED_KEYS = (
    "section",
    "title",
    "original_title",
    "summary",
    "body",
    "source_name",
    "source_url",
    "published_at",
)
OPTIONAL_KEYS = ("image", "status", "rights")
IMAGE_REQUIRED_KEYS = ("path",)
IMAGE_OPTIONAL_KEYS = ("alt", "decorative", "caption")
TEXT_KEYS = ("title", "original_title", "source_name", "source_url")
STATUSES = tuple(Article.Status.values)
RIGHTS = tuple(Article.Rights.values)
# What every browser shows; Pillow opens more (TIFF, BMP…) than a page can display.
IMAGE_FORMATS = ("JPEG", "PNG", "GIF", "WEBP")
# Model fields whose names differ from the keys an editor writes.
FIELD_KEYS = {
    "image_caption": "image.caption",
    "image_alt": "image.alt",
    "image_decorative": "image.decorative",
}


@dataclass(frozen=True)
class ImportProblem:
    """One thing wrong with an import file: where (record and field) and what."""

    message: str
    record: int | None = None  # 1-based position in the file; None for the file as a whole
    title: str = ""
    field: str = ""

    def __str__(self):
        if self.record is None:
            return self.message
        where = {"record": self.record, "title": self.title, "field": self.field}
        if self.title and self.field:
            place = _("Record %(record)d (“%(title)s”), %(field)s") % where
        elif self.title:
            place = _("Record %(record)d (“%(title)s”)") % where
        elif self.field:
            place = _("Record %(record)d, %(field)s") % where
        else:
            place = _("Record %(record)d") % where
        return f"{place}: {self.message}"


class ImportRejected(Exception):
    """The file cannot be imported. Nothing was written; `problems` lists everything found."""

    def __init__(self, problems: Iterable[ImportProblem]):
        self.problems = list(problems)
        super().__init__(self.problems)

    def __str__(self):
        count = len(self.problems)
        heading = ngettext(
            "Nothing was imported: %(count)d problem found.",
            "Nothing was imported: %(count)d problems found.",
            count,
        ) % {"count": count}
        return "\n".join([heading, *(f"- {problem}" for problem in self.problems)])


@dataclass(frozen=True)
class ArticleRecord:
    """One checked record, ready to be written."""

    index: int
    section: Section
    fields: dict[str, Any]  # Article model fields, by name
    summary: list[str]
    body: list[str]
    image_path: Path | None

    @property
    def source_url(self) -> str:
        return self.fields["source_url"]


def records_read(*, path: Path) -> list[Any]:
    """The records in a JSON file: its one object, or its list of them."""

    def rejected(message):
        return ImportRejected([ImportProblem(message)])

    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise rejected(
            _("%(path)s is not UTF-8 text (byte %(position)d).")
            % {"path": path, "position": error.start + 1}
        ) from error
    except OSError as error:
        raise rejected(
            _("Cannot read %(path)s: %(error)s.") % {"path": path, "error": error.strerror or error}
        ) from error
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise rejected(
            _("%(path)s is not valid JSON: %(error)s at line %(line)d, column %(column)d.")
            % {"path": path, "error": error.msg, "line": error.lineno, "column": error.colno}
        ) from error
    if isinstance(data, dict):
        return [data]
    if not isinstance(data, list):
        raise rejected(_("The file must hold one article object or a list of them."))
    if not data:
        raise rejected(_("The file holds an empty list: there is nothing to import."))
    return data


def records_check(*, records: list[Any], base_dir: Path) -> list[ArticleRecord]:
    """Every record checked; `ImportRejected` with all problems if any record has one."""
    if not records:
        raise ImportRejected([ImportProblem(_("There are no records to import."))])
    sections_by_slug = {section.slug: section for section in Section.objects.all()}
    sections_by_name = {section.name: section for section in sections_by_slug.values()}
    checked, problems = [], []
    first_index_of_url = {}
    for index, raw in enumerate(records, start=1):
        checker = _RecordChecker(
            raw,
            index=index,
            sections_by_slug=sections_by_slug,
            sections_by_name=sections_by_name,
            base_dir=base_dir,
        )
        record = checker.check()
        if checker.source_url is not None:
            other = first_index_of_url.setdefault(checker.source_url, index)
            if other != index:
                checker.problem(
                    "source_url",
                    _("The same source URL as record %(other)d; each article appears once.")
                    % {"other": other},
                )
        problems.extend(checker.problems)
        if record is not None and not checker.problems:
            checked.append(record)
    if problems:
        raise ImportRejected(problems)
    return checked


class _RecordChecker:
    def __init__(self, raw, *, index, sections_by_slug, sections_by_name, base_dir):
        self.raw = raw
        self.index = index
        self.sections_by_slug = sections_by_slug
        self.sections_by_name = sections_by_name
        self.base_dir = base_dir
        self.problems: list[ImportProblem] = []
        self.source_url: str | None = None
        self.image_size: tuple[int, int] | None = None
        title = raw.get("title") if isinstance(raw, dict) else None
        self.title = Truncator(title.strip()).chars(40) if isinstance(title, str) else ""

    def problem(self, field, message):
        self.problems.append(
            ImportProblem(message, record=self.index, title=self.title, field=field)
        )

    def check(self) -> ArticleRecord | None:
        raw = self.raw
        if not isinstance(raw, dict):
            self.problem("", _("Expected an object with the article’s keys."))
            return None
        allowed = REQUIRED_KEYS + OPTIONAL_KEYS
        for key in raw:
            if key not in allowed:
                self.problem(
                    key, _("Unknown key. Known keys: %(keys)s.") % {"keys": ", ".join(allowed)}
                )
        for key in REQUIRED_KEYS:
            if key not in raw:
                self.problem(key, _("This key is required."))

        fields = {key: text for key in TEXT_KEYS if (text := self.text(key)) is not None}
        url = fields.get("source_url")
        if url is not None and urlsplit(url).scheme.lower() not in ("http", "https"):
            self.problem("source_url", _("Must be an http:// or https:// address."))
            del fields["source_url"]
        self.source_url = fields.get("source_url")
        if (published_at := self.published_at()) is not None:
            fields["published_at"] = published_at
        if (status := self.status()) is not None:
            fields["status"] = status
        if (rights := self.rights()) is not None:
            fields["rights"] = rights
        section = self.section()
        summary = self.text_list("summary")
        body = self.text_list("body")
        image_path = self.image(fields)

        checked = [
            *TEXT_KEYS,
            "published_at",
            "status",
            "rights",
            "image_caption",
            "image_alt",
            "image_decorative",
        ]
        self.full_clean(
            fields,
            section,
            image_path,
            unchecked=[name for name in checked if name not in fields],
        )
        if self.problems:
            return None
        return ArticleRecord(self.index, section, fields, summary, body, image_path)

    def text(self, key, *, container=None, field=None):
        """A required, non-empty string, stripped; None (and a problem) when it is not one."""
        container = self.raw if container is None else container
        field = field or key
        if key not in container:
            return None
        value = container[key]
        if not isinstance(value, str):
            self.problem(field, _("Expected a string."))
            return None
        if not value.strip():
            self.problem(field, _("Must not be empty."))
            return None
        if "\x00" in value:
            self.problem(field, _("Contains a NUL character."))
            return None
        return value.strip()

    def published_at(self):
        text = self.text("published_at")
        if text is None:
            return None
        example = "2026-11-20T09:00:00+09:00"
        try:
            value = datetime.datetime.fromisoformat(text)
        except ValueError:
            self.problem(
                "published_at",
                _("“%(value)s” is not an ISO 8601 date and time such as %(example)s.")
                % {"value": text, "example": example},
            )
            return None
        if value.utcoffset() is None:
            self.problem(
                "published_at",
                _("“%(value)s” has no UTC offset; write it with one, such as %(example)s.")
                % {"value": text, "example": example},
            )
            return None
        return value

    def status(self):
        if "status" not in self.raw:
            return Article.Status.PUBLISHED
        value = self.raw["status"]
        if value not in STATUSES:
            self.problem(
                "status",
                _("Must be one of: %(choices)s.") % {"choices": ", ".join(STATUSES)},
            )
            return None
        return value

    def rights(self):
        """The rights basis; empty when the key is absent (a published article then fails the
        model's rule, which names the key)."""
        if "rights" not in self.raw:
            return ""
        value = self.raw["rights"]
        if value not in RIGHTS:
            self.problem(
                "rights", _("Must be one of: %(choices)s.") % {"choices": ", ".join(RIGHTS)}
            )
            return None
        return value

    def section(self):
        value = self.text("section")
        if value is None:
            return None
        section = self.sections_by_slug.get(value) or self.sections_by_name.get(value)
        if section is None:
            self.problem(
                "section",
                _("No section has the slug or name “%(value)s”. Sections: %(known)s.")
                % {"value": value, "known": ", ".join(self.sections_by_slug) or "-"},
            )
        return section

    def text_list(self, key):
        if key not in self.raw:
            return None
        items = self.raw[key]
        if not isinstance(items, list) or not items:
            self.problem(key, _("Expected a non-empty list of strings."))
            return None
        texts = []
        for number, item in enumerate(items, start=1):
            if not isinstance(item, str):
                self.problem(key, _("Item %(number)d is not a string.") % {"number": number})
            elif not item.strip():
                self.problem(key, _("Item %(number)d is empty.") % {"number": number})
            elif "\x00" in item:
                self.problem(
                    key, _("Item %(number)d contains a NUL character.") % {"number": number}
                )
            else:
                texts.append(item.strip())
        return texts if len(texts) == len(items) else None

    def image(self, fields):
        """The image file's path; caption and alt text go into `fields`."""
        if "image" not in self.raw:
            fields["image_caption"] = fields["image_alt"] = ""
            fields["image_decorative"] = False
            return None
        image = self.raw["image"]
        if not isinstance(image, dict):
            self.problem("image", _("Expected an object with path, alt and caption."))
            return None
        allowed = IMAGE_REQUIRED_KEYS + IMAGE_OPTIONAL_KEYS
        for key in image:
            if key not in allowed:
                self.problem(
                    f"image.{key}",
                    _("Unknown key. Known keys: %(keys)s.") % {"keys": ", ".join(allowed)},
                )
        for key in IMAGE_REQUIRED_KEYS:
            if key not in image:
                self.problem(f"image.{key}", _("This key is required."))
        for key in ("alt", "caption"):  # may be empty
            value = image.get(key, "")
            if not isinstance(value, str):
                self.problem(f"image.{key}", _("Expected a string."))
            elif "\x00" in value:
                self.problem(f"image.{key}", _("Contains a NUL character."))
            else:
                fields[f"image_{key}"] = value.strip()
        decorative = image.get("decorative", False)
        if isinstance(decorative, bool):
            fields["image_decorative"] = decorative
        else:
            self.problem("image.decorative", _("Expected true or false."))
        relative = self.text("path", container=image, field="image.path")
        if relative is None:
            return None
        if Path(relative).is_absolute():
            self.problem("image.path", _("Must be relative to the JSON file’s folder."))
            return None
        path = self.base_dir / relative
        if not path.is_file():
            self.problem("image.path", _("No file at %(path)s.") % {"path": path})
            return None
        try:
            with Image.open(path) as opened:
                image_format = opened.format
                self.image_size = opened.size
                opened.verify()
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
            self.problem(
                "image.path",
                _("%(path)s is not an image Pillow can read (%(error)s).")
                % {"path": path, "error": error},
            )
            return None
        if image_format not in IMAGE_FORMATS:
            self.problem(
                "image.path",
                _("%(path)s is a %(format)s image; use one of: %(formats)s.")
                % {"path": path, "format": image_format, "formats": ", ".join(IMAGE_FORMATS)},
            )
            return None
        return path

    def full_clean(self, fields, section, image_path, *, unchecked):
        """The model's own rules (lengths, URL form, what publishing needs) on what passed the
        checks above."""
        image = {}
        if image_path is not None:
            # Given its size, the model does not look for the file in the storage.
            width, height = self.image_size
            image = {"image": image_path.name, "image_width": width, "image_height": height}
        article = Article(section=section, **fields, **image)
        exclude = {"slug", "image", *unchecked}
        if section is None:
            exclude.add("section")
        try:
            article.full_clean(exclude=exclude, validate_unique=False)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                if name in unchecked:
                    continue  # its value was refused above, with a message of its own
                field = "" if name == NON_FIELD_ERRORS else FIELD_KEYS.get(name, name)
                for message in messages:
                    self.problem(field, message)
