"""Redis goes away, or hangs, under a live multi-worker gunicorn: readers still read and post.

Each test runs the site as `make run` does and breaks the cache for real: a port that refuses, a
listener that never answers, or a Redis of the test's own that it stops or freezes mid-test.
"""

import time

import pytest
import redis

from comments.models import Comment
from tests.factories import ArticleFactory, CommentFactory
from tests.servers import Reader, SilentListener, refused_port

# No request may wait on the cache for more than about two seconds (socket timeouts of 1 s).
CACHE_WAIT_LIMIT = 2.5


@pytest.fixture
def article(test_database_url):
    return ArticleFactory()


def site_with_cache(start_site, test_database_url, cache_url, **env):
    return start_site(
        database_url=test_database_url,
        cache_url=cache_url,
        workers=3,
        COMMENT_MIN_FILL_SECONDS="0",
        CACHE_RETRY_SECONDS="1",
        **env,
    )


def post_comment(reader, article, body):
    form = reader.open_comment_form(article.get_absolute_url())
    started = time.monotonic()
    response = reader.post_comment(article.get_absolute_url(), form, body=body)
    return response, time.monotonic() - started


def assert_posted(reader, response, body):
    assert response.status == 302, response.text[:500]
    assert body in reader.get(response.location).text


def test_with_redis_refusing_connections_pages_read_and_comments_post(
    start_site, test_database_url, article
):
    site = site_with_cache(start_site, test_database_url, f"redis://127.0.0.1:{refused_port()}/0")
    reader = Reader(site.url, "127.1.0.1")

    assert reader.get("/").status == 200
    response, _seconds = post_comment(reader, article, "キャッシュが落ちていても書ける")

    assert_posted(reader, response, "キャッシュが落ちていても書ける")
    assert Comment.objects.filter(article=article).count() == 1


def test_with_redis_refusing_connections_the_posting_limit_still_holds_across_workers(
    start_site, test_database_url, article
):
    site = site_with_cache(
        start_site,
        test_database_url,
        f"redis://127.0.0.1:{refused_port()}/0",
        COMMENT_RATE_LIMITS="3/m",
    )
    reader = Reader(site.url, "127.1.0.2")
    # Three workers: the posts land on different ones, and the database counts for them all.
    for n in range(3):
        assert post_comment(reader, article, f"{n + 1}件目")[0].status == 302

    response, _seconds = post_comment(reader, article, "四件目は待って")

    assert response.status == 429
    assert int(response.headers["Retry-After"]) > 0
    assert "四件目は待って" in response.text
    assert Comment.objects.filter(article=article).count() == 3


def test_with_redis_refusing_connections_readers_can_still_report(
    start_site, test_database_url, article
):
    comment = CommentFactory(article=article)
    site = site_with_cache(start_site, test_database_url, f"redis://127.0.0.1:{refused_port()}/0")
    reader = Reader(site.url, "127.1.0.3")
    report_path = f"{article.get_absolute_url()}comments/{comment.number}/report/"
    token = reader.get(report_path).hidden_field("csrfmiddlewaretoken")

    response = reader.post(
        report_path, {"csrfmiddlewaretoken": token, "reason": "spam", "note": "宣伝です"}
    )

    assert response.status == 302
    assert comment.reports.get().note == "宣伝です"


def test_a_cache_that_never_answers_delays_a_post_by_at_most_about_two_seconds(
    start_site, test_database_url, article
):
    with SilentListener() as silent:
        site = site_with_cache(start_site, test_database_url, f"redis://127.0.0.1:{silent.port}/0")
        reader = Reader(site.url, "127.1.0.4")

        timings = []
        for n in range(4):
            response, seconds = post_comment(reader, article, f"応答しないキャッシュ{n}")
            assert_posted(reader, response, f"応答しないキャッシュ{n}")
            timings.append(seconds)

    assert max(timings) < CACHE_WAIT_LIMIT, timings


def test_a_redis_stopped_mid_test_costs_no_comment_and_is_used_again_once_back(
    start_site, test_database_url, article, redis_server
):
    site = site_with_cache(start_site, test_database_url, redis_server.url())
    reader = Reader(site.url, "127.1.0.5")
    assert_posted(reader, post_comment(reader, article, "停止前")[0], "停止前")

    redis_server.stop()
    response, seconds = post_comment(reader, article, "停止中")
    assert_posted(reader, response, "停止中")
    assert seconds < CACHE_WAIT_LIMIT

    redis_server.start()
    redis.Redis.from_url(redis_server.url()).flushdb()
    time.sleep(1.5)  # the workers' breakers (CACHE_RETRY_SECONDS=1) let them ask Redis again
    assert_posted(reader, post_comment(reader, article, "再開後")[0], "再開後")

    assert redis.Redis.from_url(redis_server.url()).keys("*rl:*"), "rate limits count in Redis"
    assert Comment.objects.filter(article=article).count() == 3


def test_a_redis_frozen_mid_test_costs_no_comment(
    start_site, test_database_url, article, redis_server
):
    site = site_with_cache(start_site, test_database_url, redis_server.url())
    reader = Reader(site.url, "127.1.0.6")
    form = reader.open_comment_form(article.get_absolute_url())

    redis_server.pause()
    try:
        started = time.monotonic()
        response = reader.post_comment(article.get_absolute_url(), form, body="凍結中")
        seconds = time.monotonic() - started
        page = reader.get(article.get_absolute_url())
    finally:
        redis_server.resume()

    assert response.status == 302
    assert seconds < CACHE_WAIT_LIMIT
    assert page.status == 200
    assert "凍結中" in page.text


def test_the_moderators_notice_never_fails_a_saved_comment_while_the_cache_is_down(
    start_site, test_database_url, article
):
    site = site_with_cache(
        start_site,
        test_database_url,
        f"redis://127.0.0.1:{refused_port()}/0",
        MODERATION_NOTIFY_THRESHOLD="1",
        MODERATION_NOTIFY_EMAILS="moderators@example.com",
        COMMENT_HOLD_LINKS="0",
    )
    reader = Reader(site.url, "127.1.0.7")

    # A link holds the comment for review, which asks the notifier to run after the commit.
    response, _seconds = post_comment(reader, article, "参考：https://example.com/a")

    assert response.status == 302
    assert Comment.objects.get(article=article).is_pending
    assert "Not e-mailing about 1 waiting comments: the shared cache is unavailable" in site.log()
