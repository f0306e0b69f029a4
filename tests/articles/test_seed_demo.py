import datetime
import json
from io import StringIO
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import translation
from PIL import Image

from articles import demo
from articles.models import Article, Paragraph, Section
from tests.factories import ArticleFactory, SectionFactory

NOW = datetime.datetime(2027, 3, 1, 12, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
DEMO_RECORDS = json.loads(demo.ARTICLES_FILE.read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def _pinned(time_machine):
    time_machine.move_to(NOW, tick=False)
    with translation.override("en"):
        yield


def seed(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded(db):
    seed()


def test_seed_demo_creates_east_asia_plus_as_the_first_section(seeded):
    first = Section.objects.first()

    assert (first.name, first.slug) == ("東アジア+", "east-asia-plus")


def test_seed_demo_creates_every_demo_section_with_a_description(seeded):
    sections = Section.objects.values_list("slug", "description")

    assert [slug for slug, _ in sections] == [slug for slug, _, _ in demo.SECTIONS]
    assert all(description for _, description in sections)


def test_seed_demo_loads_every_demo_article(seeded):
    assert Article.objects.count() == len(DEMO_RECORDS)


def test_east_asia_plus_has_at_least_four_demo_articles(seeded):
    assert Article.objects.filter(section__slug="east-asia-plus").count() >= 4


def test_newest_demo_article_readers_see_is_an_hour_old(seeded):
    newest = Article.objects.published().first()

    assert newest.published_at == NOW - datetime.timedelta(hours=1)


def test_one_demo_article_is_scheduled_a_week_ahead(seeded):
    scheduled = Article.objects.get(published_at__gt=NOW)

    assert scheduled.published_at == NOW + datetime.timedelta(days=7)
    assert scheduled.status == Article.Status.PUBLISHED


def test_one_demo_article_is_a_draft(seeded):
    assert Article.objects.filter(status=Article.Status.DRAFT).count() == 1


def test_demo_articles_span_the_last_two_weeks(seeded):
    oldest = Article.objects.last()

    assert (
        NOW - datetime.timedelta(days=14) <= oldest.published_at < NOW - datetime.timedelta(days=7)
    )


def test_demo_images_are_generated_1200_by_675_jpegs(seeded):
    articles = Article.objects.exclude(image="")

    assert articles.count() == sum("image" in record for record in DEMO_RECORDS)
    for article in articles:
        with Image.open(article.image.path) as image:
            assert (image.format, image.size) == ("JPEG", (1200, 675))


def test_demo_images_have_an_english_caption_and_japanese_alt_text(seeded):
    for article in Article.objects.exclude(image=""):
        assert article.image_caption.isascii()
        assert not article.image_alt.isascii()


def test_demo_has_a_paragraph_of_over_1500_characters(seeded):
    longest = max(len(text) for text in Paragraph.objects.values_list("text", flat=True))

    assert longest >= 1500


def test_demo_has_an_article_cut_off_mid_sentence(seeded):
    last_paragraphs = [article.paragraphs.last() for article in Article.objects.all()]

    assert sum(paragraph.ends_mid_sentence for paragraph in last_paragraphs) == 1


def test_demo_articles_have_5_to_11_summary_points_and_4_to_10_paragraphs():
    for record in DEMO_RECORDS:
        assert 5 <= len(record["summary"]) <= 11, record["title"]
        assert 4 <= len(record["body"]) <= 10, record["title"]


def test_demo_sources_are_invented_example_addresses():
    for record in DEMO_RECORDS:
        assert urlsplit(record["source_url"]).hostname in ("example.com", "news.example.org")
        assert record["source_name"].endswith("(デモ)")


def test_some_demo_original_headlines_are_questions():
    assert sum(record["original_title"].endswith("?") for record in DEMO_RECORDS) >= 3


def test_seed_demo_reports_what_it_loaded(db):
    assert f"Demo content: {len(DEMO_RECORDS)} created, 0 updated." in seed()


def test_second_seed_updates_the_demo_articles_instead_of_duplicating_them(seeded):
    output = seed()

    assert f"0 created, {len(DEMO_RECORDS)} updated." in output
    assert Article.objects.count() == len(DEMO_RECORDS)
    assert Section.objects.count() == len(demo.SECTIONS)


def test_second_seed_keeps_the_slugs(seeded):
    slugs = set(Article.objects.values_list("slug", flat=True))

    seed()

    assert set(Article.objects.values_list("slug", flat=True)) == slugs


def test_seed_demo_leaves_an_existing_section_as_editors_left_it(db):
    SectionFactory(slug="europe", name="欧州", description="編集部が書いた説明", position=9)

    seed()

    europe = Section.objects.get(slug="europe")
    assert (europe.name, europe.description) == ("欧州", "編集部が書いた説明")


def test_seed_demo_if_empty_loads_the_demo_into_an_empty_database(db):
    seed("--if-empty")

    assert Article.objects.count() == len(DEMO_RECORDS)


def test_seed_demo_if_empty_does_nothing_when_an_article_exists(db):
    ArticleFactory()

    output = seed("--if-empty")

    assert "Articles exist already: demo content not loaded." in output
    assert Article.objects.count() == 1
    assert not Section.objects.filter(slug="east-asia-plus").exists()


def test_demo_dates_move_by_the_time_since_the_anchor():
    records = [{"published_at": "2026-11-20T08:00:00+09:00"}]

    dated = demo.records_dated(records=records, now=demo.ANCHOR + datetime.timedelta(days=2))

    assert dated == [{"published_at": "2026-11-22T08:00:00+09:00"}]
