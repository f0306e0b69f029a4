import datetime

import pytest
from django.utils import timezone

from articles.models import Article
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_published_includes_only_published_articles_whose_time_has_come():
    visible = ArticleFactory()
    ArticleFactory(draft=True)
    ArticleFactory(scheduled=True)

    assert list(Article.objects.published()) == [visible]


def test_slug_comes_from_the_original_headline():
    article = ArticleFactory(original_title="Can Japan and Korea work together?", slug="")

    assert article.slug == "can-japan-and-korea-work-together"


def test_slug_falls_back_to_the_date_when_the_original_headline_gives_nothing():
    published_at = timezone.make_aware(datetime.datetime(2026, 11, 25, 9, 0))
    first = ArticleFactory(original_title="", slug="", published_at=published_at)
    second = ArticleFactory(original_title="", slug="", published_at=published_at)

    assert (first.slug, second.slug) == ("article-20261125", "article-20261125-2")


def test_listing_carries_the_first_summary_point_as_lead():
    ArticleFactory(summary=["最初の要点。", "二番目の要点。"])

    assert Article.objects.published().for_listing().get().lead == "最初の要点。"


def test_test_database_sorts_japanese_with_a_utf8_c_locale():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT datcollate, pg_encoding_to_char(encoding) FROM pg_database"
            " WHERE datname = current_database()"
        )
        assert cursor.fetchone() == ("C.UTF-8", "UTF8")
