import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError
from django.utils import translation
from PIL import Image

from articles import services
from articles.importing import ImportRejected
from articles.models import Article
from articles.services import articles_import
from tests.factories import SectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked against their English source text."""
    with translation.override("en"):
        yield


def record(**changes):
    """A valid record for the 東アジア+ section; `changes` replace keys, None removes one."""
    values = {
        "section": "east-asia-plus",
        "title": "日韓、海峡のごみで共同調査へ",
        "original_title": "Can Japan and South Korea clean up the strait they share?",
        "summary": ["両国が共同調査で合意した。", "来春から観測を始める。"],
        "body": ["両国の環境当局が合意した。", "観測地点は20か所。", "結果は毎年公表する。"],
        "source_name": "Pacific Desk (デモ)",
        "source_url": "https://news.example.org/asia/strait-litter",
        "published_at": "2026-11-20T09:00:00+09:00",
        "rights": "translated_with_permission",
    }
    values.update(changes)
    return {key: value for key, value in values.items() if value is not None}


def file_with(tmp_path, data, name="articles.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def picture(tmp_path, name="photo.jpg", size=(40, 30), colour="teal"):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, colour).save(path, "JPEG")
    return path


def run_import(path, **options):
    out = StringIO()
    call_command("import_articles", str(path), stdout=out, **options)
    return out.getvalue()


def import_error(path):
    with pytest.raises(CommandError) as raised:
        call_command("import_articles", str(path), stdout=StringIO())
    return str(raised.value)


def problems_in(records, base_dir):
    with pytest.raises(ImportRejected) as raised:
        articles_import(records=records, base_dir=base_dir)
    return [(problem.record, problem.field) for problem in raised.value.problems]


def test_a_file_with_one_object_creates_one_article(tmp_path, section):
    output = run_import(file_with(tmp_path, record()))

    assert "1 created, 0 updated." in output
    assert Article.objects.get().title == "日韓、海峡のごみで共同調査へ"


def test_a_file_with_a_list_creates_every_article(tmp_path, section):
    records = [record(), record(title="二本目", source_url="https://news.example.org/asia/2")]

    output = run_import(file_with(tmp_path, records))

    assert "2 created, 0 updated." in output
    assert set(Article.objects.values_list("title", flat=True)) == {record()["title"], "二本目"}


def test_summary_points_keep_the_order_of_the_file(tmp_path, section):
    run_import(file_with(tmp_path, record(summary=["三", "一", "二"])))

    points = Article.objects.get().summary_points.values_list("text", flat=True)
    assert list(points) == ["三", "一", "二"]


def test_paragraphs_keep_the_order_of_the_file(tmp_path, section):
    run_import(file_with(tmp_path, record(body=["最初の段落。", "次の段落。", "最後の段落。"])))

    paragraphs = Article.objects.get().paragraphs.values_list("text", flat=True)
    assert list(paragraphs) == ["最初の段落。", "次の段落。", "最後の段落。"]


def test_imported_article_keeps_source_and_publication_time(tmp_path, section):
    run_import(file_with(tmp_path, record()))

    article = Article.objects.get()
    assert (article.source_name, article.source_url) == (
        "Pacific Desk (デモ)",
        "https://news.example.org/asia/strait-litter",
    )
    assert article.published_at.isoformat() == "2026-11-20T00:00:00+00:00"


def test_slug_of_a_new_article_comes_from_the_original_headline(tmp_path, section):
    run_import(file_with(tmp_path, record()))

    assert Article.objects.get().slug == "can-japan-and-south-korea-clean-up-the-strait-they-share"


def test_image_is_attached_with_its_caption_and_alt_text(tmp_path, section):
    picture(tmp_path / "images", "beach.jpg")
    image = {"path": "images/beach.jpg", "caption": "A beach", "alt": "砂浜"}

    run_import(file_with(tmp_path, record(image=image)))

    article = Article.objects.get()
    assert article.image.name.startswith("articles/")
    assert article.image.name.endswith(".jpg")
    assert Image.open(article.image.path).size == (40, 30)
    assert (article.image_caption, article.image_alt) == ("A beach", "砂浜")


def test_image_path_is_relative_to_the_json_file_not_the_working_directory(tmp_path, section):
    picture(tmp_path / "batch", "beach.jpg")
    image = {"path": "beach.jpg", "alt": "砂浜"}

    run_import(file_with(tmp_path / "batch", record(image=image)))

    assert Article.objects.get().image


def test_article_is_published_unless_the_file_says_otherwise(tmp_path, section):
    run_import(file_with(tmp_path, record()))

    assert Article.objects.get().status == Article.Status.PUBLISHED


def test_draft_status_is_respected(tmp_path, section):
    run_import(file_with(tmp_path, record(status="draft")))

    assert Article.objects.get().status == Article.Status.DRAFT


def test_section_can_be_given_by_its_exact_name(tmp_path, section):
    run_import(file_with(tmp_path, record(section="東アジア+")))

    assert Article.objects.get().section == section


def test_unknown_section_is_rejected_naming_record_and_field(tmp_path, section):
    message = import_error(file_with(tmp_path, record(section="asia")))

    assert "Record 1 (“日韓、海峡のごみで共同調査へ”), section:" in message
    assert "No section has the slug or name “asia”" in message
    assert Article.objects.count() == 0


def test_one_bad_record_among_good_ones_imports_nothing(tmp_path, section):
    records = [
        record(),
        record(source_url="https://news.example.org/2", title="二本目", section="asia"),
        record(source_url="https://news.example.org/3", title="三本目"),
    ]

    message = import_error(file_with(tmp_path, records))

    assert "Record 2 (“二本目”), section:" in message
    assert Article.objects.count() == 0


def test_every_problem_is_listed_not_just_the_first(tmp_path, section):
    records = [
        record(summary=[]),
        record(source_url="ftp://example.com/x", published_at="2026-11-20T09:00:00"),
    ]

    problems = problems_in(records, tmp_path)

    assert problems == [(1, "summary"), (2, "source_url"), (2, "published_at")]


def test_message_counts_the_problems_found(tmp_path, section):
    records = [record(section="asia"), record(source_url="https://x.example.org/", title="")]

    message = import_error(file_with(tmp_path, records))

    assert message.startswith("Nothing was imported: 2 problems found.")


def test_record_without_a_title_is_named_by_its_position(tmp_path, section):
    message = import_error(file_with(tmp_path, record(title=None)))

    assert "Record 1, title: This key is required." in message


def test_unknown_key_is_rejected_as_a_likely_typo(tmp_path, section):
    message = import_error(file_with(tmp_path, record(sumary=["要点。"])))

    assert "sumary: Unknown key." in message


def test_naive_publication_time_is_rejected(tmp_path, section):
    message = import_error(file_with(tmp_path, record(published_at="2026-11-20T09:00:00")))

    assert "published_at: “2026-11-20T09:00:00” has no UTC offset" in message
    assert Article.objects.count() == 0


def test_publication_time_that_is_not_iso_8601_is_rejected(tmp_path, section):
    message = import_error(file_with(tmp_path, record(published_at="20 November 2026")))

    assert "published_at: “20 November 2026” is not an ISO 8601 date and time" in message


def test_source_url_must_be_a_web_address(tmp_path, section):
    message = import_error(file_with(tmp_path, record(source_url="ftp://example.com/story")))

    assert "source_url: Must be an http:// or https:// address." in message


def test_malformed_source_url_is_rejected_by_the_model_rules(tmp_path, section):
    message = import_error(file_with(tmp_path, record(source_url="https://exa mple.com/")))

    assert "source_url: Enter a valid URL." in message


def test_headline_longer_than_the_model_allows_is_rejected(tmp_path, section):
    message = import_error(file_with(tmp_path, record(title="長" * 201)))

    assert "title: Ensure this value has at most 200 characters (it has 201)." in message


def test_empty_summary_point_is_rejected_naming_its_number(tmp_path, section):
    message = import_error(file_with(tmp_path, record(summary=["要点。", "  "])))

    assert "summary: Item 2 is empty." in message


def test_body_must_be_a_list_of_paragraphs(tmp_path, section):
    message = import_error(file_with(tmp_path, record(body="一つの段落。")))

    assert "body: Expected a non-empty list of strings." in message


def test_unknown_status_is_rejected(tmp_path, section):
    message = import_error(file_with(tmp_path, record(status="live")))

    assert "status: Must be one of: draft, published." in message


def test_same_source_url_twice_in_one_file_is_rejected(tmp_path, section):
    message = import_error(file_with(tmp_path, [record(), record(title="同じ記事")]))

    assert "Record 2 (“同じ記事”), source_url: The same source URL as record 1" in message


def test_missing_image_file_is_rejected(tmp_path, section):
    image = {"path": "images/missing.jpg", "alt": "写真"}

    message = import_error(file_with(tmp_path, record(image=image)))

    assert "image.path: No file at" in message
    assert Article.objects.count() == 0


def test_image_file_that_is_not_an_image_is_rejected(tmp_path, section):
    (tmp_path / "notes.jpg").write_text("not a picture")
    image = {"path": "notes.jpg", "alt": "写真"}

    message = import_error(file_with(tmp_path, record(image=image)))

    assert "image.path:" in message
    assert "is not an image Pillow can read" in message


def test_image_in_a_format_browsers_do_not_show_is_rejected(tmp_path, section):
    Image.new("RGB", (10, 10)).save(tmp_path / "scan.tiff", "TIFF")
    image = {"path": "scan.tiff", "alt": "写真"}

    message = import_error(file_with(tmp_path, record(image=image)))

    assert "is a TIFF image; use one of: JPEG, PNG, GIF, WEBP." in message


def test_a_published_image_needs_alt_text_or_the_decorative_mark(tmp_path, section):
    picture(tmp_path)

    message = import_error(file_with(tmp_path, record(image={"path": "photo.jpg"})))

    assert (
        "Record 1 (“日韓、海峡のごみで共同調査へ”), image.alt: Describe the image in its "
        "alternative text, or mark it as decorative, before publishing."
    ) in message
    assert Article.objects.count() == 0


def test_a_decorative_image_is_imported_with_empty_alt_text(tmp_path, section):
    picture(tmp_path)

    run_import(file_with(tmp_path, record(image={"path": "photo.jpg", "decorative": True})))

    article = Article.objects.get()
    assert (article.image_decorative, article.image_alt_text) == (True, "")


def test_a_decorative_image_with_alt_text_is_rejected_as_contradictory(tmp_path, section):
    picture(tmp_path)
    image = {"path": "photo.jpg", "alt": "写真", "decorative": True}

    message = import_error(file_with(tmp_path, record(image=image)))

    assert "image.alt: A decorative image has no alternative text" in message


def test_decorative_must_be_true_or_false(tmp_path, section):
    picture(tmp_path)
    image = {"path": "photo.jpg", "decorative": "yes"}

    message = import_error(file_with(tmp_path, record(image=image)))

    assert "image.decorative: Expected true or false." in message


def test_a_draft_may_wait_for_its_alt_text(tmp_path, section):
    picture(tmp_path)

    run_import(file_with(tmp_path, record(status="draft", image={"path": "photo.jpg"})))

    assert Article.objects.get().image_alt == ""


# The rights basis


def test_the_rights_basis_is_imported(tmp_path, section):
    run_import(file_with(tmp_path, record(rights="summary_quoting_source")))

    assert Article.objects.get().rights == Article.Rights.SUMMARY_QUOTING_SOURCE


def test_a_published_article_without_a_rights_basis_imports_nothing_and_is_named(tmp_path, section):
    records = [
        record(source_url="https://news.example.org/first"),
        record(title="権利の根拠のない記事", rights=None),
    ]

    message = import_error(file_with(tmp_path, records))

    assert (
        "Record 2 (“権利の根拠のない記事”), rights: Choose the rights basis (on what terms we "
        "publish this text) before publishing."
    ) in message
    assert Article.objects.count() == 0


def test_a_draft_may_wait_for_its_rights_basis(tmp_path, section):
    run_import(file_with(tmp_path, record(status="draft", rights=None)))

    assert Article.objects.get().rights == ""


def test_an_unknown_rights_basis_is_rejected_with_the_choices(tmp_path, section):
    message = import_error(file_with(tmp_path, record(rights="fair use")))

    assert (
        "rights: Must be one of: translated_with_permission, summary_quoting_source, "
        "open_license, public_domain."
    ) in message
    assert "before publishing" not in message


def test_invalid_json_reports_line_and_column(tmp_path, section):
    path = tmp_path / "broken.json"
    path.write_text(
        '[\n  {"title": "見出し",\n   "body": ["段落。"]\n  }\n  {"title": "二本目"}\n]'
    )

    message = import_error(path)

    assert "is not valid JSON: Expecting ',' delimiter at line 5, column 3." in message


def test_missing_file_is_reported(tmp_path, section):
    message = import_error(tmp_path / "nowhere.json")

    assert "Cannot read" in message
    assert "nowhere.json" in message


def test_file_with_an_empty_list_is_rejected(tmp_path, section):
    message = import_error(file_with(tmp_path, []))

    assert "there is nothing to import" in message


def test_reimport_of_the_same_source_url_updates_the_article(tmp_path, section):
    run_import(file_with(tmp_path, record()))

    output = run_import(file_with(tmp_path, record(title="見出しを直した")))

    assert "0 created, 1 updated." in output
    assert Article.objects.count() == 1
    assert Article.objects.get().title == "見出しを直した"


def test_reimport_replaces_the_paragraphs(tmp_path, section):
    run_import(file_with(tmp_path, record(body=["古い一。", "古い二。", "古い三。"])))

    run_import(file_with(tmp_path, record(body=["新しい段落。"])))

    assert list(Article.objects.get().paragraphs.values_list("text", flat=True)) == ["新しい段落。"]


def test_reimport_replaces_the_summary_points(tmp_path, section):
    run_import(file_with(tmp_path, record(summary=["古い要点。"])))

    run_import(file_with(tmp_path, record(summary=["新しい一。", "新しい二。"])))

    points = Article.objects.get().summary_points.values_list("text", flat=True)
    assert list(points) == ["新しい一。", "新しい二。"]


def test_reimport_keeps_the_slug_even_when_the_original_headline_changes(tmp_path, section):
    run_import(file_with(tmp_path, record()))

    run_import(file_with(tmp_path, record(original_title="A different headline")))

    assert Article.objects.get().slug == "can-japan-and-south-korea-clean-up-the-strait-they-share"


def test_reimport_replaces_the_image(tmp_path, section):
    picture(tmp_path, "first.jpg", size=(40, 30))
    run_import(file_with(tmp_path, record(image={"path": "first.jpg", "alt": "一枚目"})))
    picture(tmp_path, "second.jpg", size=(80, 60))

    run_import(file_with(tmp_path, record(image={"path": "second.jpg", "alt": "二枚目"})))

    article = Article.objects.get()
    assert Image.open(article.image.path).size == (80, 60)
    assert article.image_alt == "二枚目"


def test_reimport_without_an_image_removes_it(tmp_path, section):
    picture(tmp_path)
    run_import(file_with(tmp_path, record(image={"path": "photo.jpg", "alt": "写真"})))

    run_import(file_with(tmp_path, record()))

    article = Article.objects.get()
    assert not article.image
    assert article.image_alt == ""


def test_summary_counts_created_and_updated_articles(tmp_path, section):
    run_import(file_with(tmp_path, record()))
    records = [record(), record(title="新しい記事", source_url="https://news.example.org/new")]

    output = run_import(file_with(tmp_path, records))

    assert "1 created, 1 updated." in output


def test_higher_verbosity_lists_each_article(tmp_path, section):
    output = run_import(file_with(tmp_path, record()), verbosity=2)

    assert "Created: 日韓、海峡のごみで共同調査へ" in output


def test_a_database_error_midway_leaves_nothing_imported(tmp_path, section, monkeypatch):
    written = []

    def write_then_fail(article, record, **kwargs):
        if written:
            raise DatabaseError("disk full")
        written.append(record)
        real_write(article, record, **kwargs)

    real_write = services._article_write
    monkeypatch.setattr(services, "_article_write", write_then_fail)
    records = [record(), record(title="二本目", source_url="https://news.example.org/2")]

    with pytest.raises(DatabaseError):
        run_import(file_with(tmp_path, records))

    assert Article.objects.count() == 0


def test_an_imported_image_gets_its_renditions(tmp_path, section):
    picture(tmp_path, size=(1200, 800))

    run_import(file_with(tmp_path, record(image={"path": "photo.jpg", "alt": "写真"})))

    renditions = Article.objects.get().image_renditions
    assert sorted((item["width"], item["mime_type"]) for item in renditions) == [
        (480, "image/jpeg"),
        (480, "image/webp"),
        (960, "image/jpeg"),
        (960, "image/webp"),
        (1200, "image/jpeg"),
        (1200, "image/webp"),
    ]


def test_a_reimported_image_leaves_only_the_new_files_once_committed(
    tmp_path, settings, section, django_capture_on_commit_callbacks
):
    picture(tmp_path, "first.jpg", size=(600, 400))
    with django_capture_on_commit_callbacks(execute=True):
        run_import(file_with(tmp_path, record(image={"path": "first.jpg", "alt": "一枚目"})))
    picture(tmp_path, "second.jpg", size=(500, 400))

    with django_capture_on_commit_callbacks(execute=True):
        run_import(file_with(tmp_path, record(image={"path": "second.jpg", "alt": "二枚目"})))

    article = Article.objects.get()
    stored = {
        path.relative_to(settings.MEDIA_ROOT).as_posix()
        for path in Path(settings.MEDIA_ROOT).rglob("*")
        if path.is_file()
    }
    assert stored == {article.image.name, *(item["name"] for item in article.image_renditions)}
    assert len(stored) == 5  # the original, and 480 and 500 wide as WebP and JPEG


def test_images_stored_before_a_database_error_are_removed(tmp_path, settings, monkeypatch):
    SectionFactory(slug="east-asia-plus")
    picture(tmp_path)
    monkeypatch.setattr(services.Paragraph.objects, "bulk_create", fail_with_database_error)

    with pytest.raises(DatabaseError):
        run_import(file_with(tmp_path, record(image={"path": "photo.jpg", "alt": "写真"})))

    # Neither the original nor any of its renditions.
    assert [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()] == []


def fail_with_database_error(*args, **kwargs):
    raise DatabaseError("disk full")


def test_service_returns_the_created_and_updated_articles(tmp_path, section):
    first = articles_import(records=[record()], base_dir=tmp_path)

    second = articles_import(records=[record()], base_dir=tmp_path)

    assert (len(first.created), first.updated) == (1, [])
    assert (second.created, second.updated) == ([], first.created)


def test_duplicate_source_url_is_reported_alongside_other_problems(tmp_path, section):
    records = [record(), record(title="同じ記事", section="asia")]

    problems = problems_in(records, tmp_path)

    assert problems == [(2, "section"), (2, "source_url")]


def test_long_title_is_shortened_where_a_problem_names_the_record(tmp_path, section):
    message = import_error(file_with(tmp_path, record(title="長" * 60, section="asia")))

    assert f"Record 1 (“{'長' * 39}…”), section:" in message
