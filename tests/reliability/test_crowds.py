"""A story takes off: many readers post to one article at the same moment, on a live multi-worker
gunicorn, first on the embedded SQLite that `make run` uses, then on PostgreSQL."""

import datetime
import sqlite3

import pytest

from comments.models import Comment
from tests.factories import ArticleFactory
from tests.reliability.crowd import crowd_post
from tests.servers import manage, site_environment

FILL_SECONDS = 1.0


@pytest.fixture
def sqlite_database(tmp_path):
    """A fresh embedded database, migrated and loaded with the demo content as `make run` does."""
    path = tmp_path / "kjnews.sqlite3"
    url = f"sqlite:///{path}"
    env = site_environment(DATABASE_URL=url)
    manage("migrate", "--noinput", env=env)
    manage("seed_demo", "--if-empty", env=env)
    return path, url


def _newest_article_path(database: sqlite3.Connection) -> str:
    # Django keeps UTC times in SQLite as text that sorts and compares as written.
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S")
    (slug,) = database.execute(
        "SELECT slug FROM articles_article WHERE status = 'published' AND published_at <= ? "
        "ORDER BY published_at DESC LIMIT 1",
        [now],
    ).fetchone()
    return f"/articles/{slug}/"


def test_thirty_readers_posting_at_once_on_sqlite_all_get_their_comment_stored_once(
    sqlite_database, start_site, redis_server
):
    path, url = sqlite_database
    site = start_site(
        database_url=url,
        cache_url=redis_server.url(),
        COMMENT_MIN_FILL_SECONDS=str(FILL_SECONDS),
    )
    with sqlite3.connect(path) as database:
        article_path = _newest_article_path(database)

    result = crowd_post(site.url, article_path, posters=30, fill_seconds=FILL_SECONDS)

    assert result.failures == []
    assert result.statuses == {302: 30}, result.summary()
    with sqlite3.connect(path) as database:
        stored = database.execute(
            "SELECT c.number, c.body FROM comments_comment c "
            "JOIN articles_article a ON a.id = c.article_id "
            "WHERE a.slug = ? ORDER BY c.number",
            [article_path.split("/")[2]],
        ).fetchall()
    bodies = [body for _number, body in stored]
    assert sorted(bodies) == sorted(result.accepted)
    assert [number for number, _body in stored] == list(range(1, len(stored) + 1))


def test_a_hundred_readers_posting_at_once_on_postgresql_all_get_their_comment_stored_once(
    test_database_url, start_site, redis_server
):
    article = ArticleFactory()
    site = start_site(
        database_url=test_database_url,
        cache_url=redis_server.url(),
        COMMENT_MIN_FILL_SECONDS=str(FILL_SECONDS),
    )

    result = crowd_post(
        site.url, article.get_absolute_url(), posters=100, fill_seconds=FILL_SECONDS
    )

    assert result.failures == []
    assert result.statuses == {302: 100}, result.summary()
    stored = list(Comment.objects.filter(article=article).values_list("number", "body"))
    assert sorted(body for _number, body in stored) == sorted(result.accepted)
    assert [number for number, _body in stored] == list(range(1, 101))
