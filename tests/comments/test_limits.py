"""Rate limits hold with the shared cache gone: the same limits, counted from the database."""

from http import HTTPStatus

import pytest
from django.test import Client

from comments.models import Comment, Report
from tests.comments.test_views import submit
from tests.factories import CommentFactory
from tests.servers import refused_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def cache_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "kjnews.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{refused_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Overrides the suite's cache clearing: the cache is down in these tests."""


def test_with_the_cache_down_readers_can_still_post(client, article, cache_down):
    response = submit(client, article, body="キャッシュが落ちていても投稿できる")

    assert response.status_code == HTTPStatus.FOUND
    assert Comment.objects.get().body == "キャッシュが落ちていても投稿できる"


def test_with_the_cache_down_the_posting_limit_counts_the_posters_stored_comments(
    client, article, settings, cache_down
):
    settings.COMMENT_RATE_LIMITS = ["2/m"]
    submit(client, article, body="一件目")
    submit(client, article, body="二件目")

    response = submit(client, article, body="三件目はまだ")

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert 0 < int(response["Retry-After"]) <= 60
    assert "三件目はまだ" in response.text
    assert Comment.objects.count() == 2


def test_with_the_cache_down_other_posters_are_not_limited(article, settings, cache_down):
    settings.COMMENT_RATE_LIMITS = ["1/m"]
    submit(Client(REMOTE_ADDR="198.51.100.1"), article, body="一件目")

    response = submit(Client(REMOTE_ADDR="198.51.100.2"), article, body="別の人")

    assert response.status_code == HTTPStatus.FOUND


def test_with_the_cache_down_the_reporting_limit_counts_the_readers_stored_reports(
    client, article, settings, cache_down
):
    settings.COMMENT_REPORT_RATE_LIMITS = ["1/m"]
    first, second = CommentFactory.create_batch(2, article=article)
    report = {"reason": Report.Reason.SPAM, "note": ""}
    client.post(f"{article.get_absolute_url()}comments/{first.number}/report/", report)

    response = client.post(f"{article.get_absolute_url()}comments/{second.number}/report/", report)

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert Report.objects.count() == 1
