"""A real streaming replica under a live site: readers' pages come from it, everything that must
be current comes from the primary, and losing it costs no page.

The replica is built from the tests' own PostgreSQL cluster with `pg_basebackup -R` (Debian's
binaries) and streams from it. To make it lag on purpose, a test pauses its WAL replay
(`pg_wal_replay_pause()`): it keeps answering with what it had, as a replica far behind would.
"""

import contextlib
import os
import re
from pathlib import Path

import psycopg
import pytest
from django.urls import reverse

from tests.servers import (
    Gunicorn,
    PostgresReplica,
    Reader,
    RedisServer,
    manage,
    site_environment,
)

EDITOR_PASSWORD = "replica-editor-Password-1"


@pytest.fixture(scope="module")
def replica(demo_cluster):
    demo_cluster.ensure_running()
    with PostgresReplica(demo_cluster) as replica:
        yield replica


@pytest.fixture
def lagging(replica):
    """The replica, caught up, with its replay paused for the test (and resumed afterwards)."""
    replica.ensure_running()
    replica.wait_until_caught_up()
    replica.pause_replay()
    yield replica
    with contextlib.suppress(psycopg.Error):
        replica.resume_replay()


@pytest.fixture(scope="module")
def site(demo_cluster, replica, collected_static, tmp_path_factory):
    """One site for the module, reading from the replica; a stopped replica is tried again after
    a second, so the tests do not depend on their order."""
    demo_cluster.ensure_running()
    log_dir = Path(os.environ.get("TEST_OUTPUT_DIR", "var/test-output")) / "servers"
    log_dir.mkdir(parents=True, exist_ok=True)
    with RedisServer(tmp_path_factory.mktemp("redis")) as redis:
        environment = site_environment(
            DATABASE_URL=demo_cluster.url("kjnews"),
            CACHE_URL=redis.url(),
            DATABASE_REPLICA_URLS=replica.url("kjnews"),
            COMMENT_MIN_FILL_SECONDS="0",
            COMMENT_RATE_LIMITS="1000/m",
            REPLICA_RETRY_SECONDS="1",
        )
        with Gunicorn(environment, workers=2, log_path=log_dir / "replicas.log") as site:
            yield site


@pytest.fixture(autouse=True)
def _replica_running(replica):
    replica.ensure_running()
    yield
    replica.ensure_running()


def _primary(cluster, sql, *params):
    with psycopg.connect(cluster.url("kjnews"), autocommit=True) as connection:
        cursor = connection.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


def _newest_article(cluster) -> tuple[str, str]:
    [(slug, title)] = _primary(
        cluster,
        "SELECT slug, title FROM articles_article WHERE status = 'published' "
        "AND published_at <= now() ORDER BY published_at DESC LIMIT 1",
    )
    return f"/articles/{slug}/", title


def _posted(reader, article_path, body):
    form = reader.open_comment_form(article_path)
    response = reader.post_comment(article_path, form, body=body)
    assert response.status == 302, response.text[:300]
    return reader.get(response.location)


# A page rendered for one reader alone (here: the reply link's page, which prefills the form) reads
# from a replica; a page rendered for the shared cache always reads from the primary.
UNSHARED = "?reply=1"


def test_a_lagging_replica_serves_readers_while_the_poster_sees_their_comment_at_once(
    demo_cluster, lagging, site
):
    article_path, _title = _newest_article(demo_cluster)
    poster, passer_by = Reader(site.url, "127.1.3.1"), Reader(site.url, "127.1.3.2")
    body = "レプリカが遅れていても自分のコメントは見える"

    after_posting = _posted(poster, article_path, body)

    # The poster's own next page comes from the primary: their comment is there at once.
    assert body in after_posting.text
    assert "番として投稿しました" in after_posting.text
    # A page rendered for another reader alone comes from the replica, not replayed yet.
    assert body not in passer_by.get(article_path + UNSHARED).text

    lagging.resume_replay()
    lagging.wait_until_caught_up()
    assert body in passer_by.get(article_path + UNSHARED).text


def test_a_lagging_replica_never_puts_an_old_page_in_the_shared_cache(demo_cluster, lagging, site):
    article_path, _title = _newest_article(demo_cluster)
    body = "共有キャッシュには最新のページだけ"

    _posted(Reader(site.url, "127.1.3.3"), article_path, body)
    shared = Reader(site.url, "127.1.3.4").get(article_path)

    assert shared.headers["X-Page-Cache"] == "miss"
    assert body in shared.text, "rendered from the primary, so every reader sees the comment"


def test_posts_while_the_replica_lags_are_stored_on_the_primary_and_numbered_in_order(
    demo_cluster, lagging, site
):
    article_path, _title = _newest_article(demo_cluster)
    slug = article_path.split("/")[2]
    [(last_number,)] = _primary(
        demo_cluster,
        "SELECT coalesce(max(c.number), 0) FROM comments_comment c "
        "JOIN articles_article a ON a.id = c.article_id WHERE a.slug = %s",
        slug,
    )
    posters = [Reader(site.url, f"127.1.3.{n}") for n in range(10, 13)]

    pages = [_posted(poster, article_path, f"遅延中の投稿{n}") for n, poster in enumerate(posters)]

    for n, page in enumerate(pages):
        assert f"コメントを{last_number + n + 1}番として投稿しました" in page.text
    stored = _primary(
        demo_cluster,
        "SELECT c.number, c.body FROM comments_comment c JOIN articles_article a "
        "ON a.id = c.article_id WHERE a.slug = %s AND c.number > %s ORDER BY c.number",
        slug,
        last_number,
    )
    assert stored == [(last_number + n + 1, f"遅延中の投稿{n}") for n in range(3)]


# A newsroom editor who also moderates: signs in with a password alone (two-factor sign-in is
# required of superusers, and of staff who have set it up).
_MAKE_EDITOR = """
import os
from django.contrib.auth.models import Group, User
user, _ = User.objects.get_or_create(username="chief", defaults={"is_staff": True})
user.set_password(os.environ["EDITOR_PASSWORD"])
user.save()
user.groups.add(*Group.objects.filter(name__in=["Editors", "Moderators"]))
"""


@pytest.fixture
def editor_password(demo_cluster):
    env = site_environment(DATABASE_URL=demo_cluster.url("kjnews"), EDITOR_PASSWORD=EDITOR_PASSWORD)
    manage("shell", "--no-imports", "-c", _MAKE_EDITOR, env=env)
    return EDITOR_PASSWORD


def _logged_in(site, password) -> Reader:
    editor = Reader(site.url, "127.1.3.20")
    login = editor.get(reverse("admin:login"))
    response = editor.post(
        reverse("admin:login"),
        {
            "csrfmiddlewaretoken": login.hidden_field("csrfmiddlewaretoken"),
            "username": "chief",
            "password": password,
            "next": reverse("admin:index"),
        },
    )
    assert response.status == 302, response.text[:300]
    return editor


def test_editors_and_moderators_see_the_primary_while_readers_see_the_lagging_replica(
    demo_cluster, lagging, site, editor_password
):
    article_path, title = _newest_article(demo_cluster)
    editor = _logged_in(site, editor_password)
    new_title = f"{title}（更新）"
    _primary(
        demo_cluster, "UPDATE articles_article SET title = %s WHERE title = %s", new_title, title
    )
    held = "確認待ちになるコメント http://a.example http://b.example http://c.example"
    _posted(Reader(site.url, "127.1.3.21"), article_path, held)

    try:
        reader_page = Reader(site.url, "127.1.3.22").get(article_path + UNSHARED).text
        admin_list = editor.get(reverse("admin:articles_article_changelist")).text
        preview = editor.get(article_path).text
        queue = editor.get("/moderation/?queue=held").text
    finally:
        _primary(
            demo_cluster,
            "UPDATE articles_article SET title = %s WHERE title = %s",
            title,
            new_title,
        )

    assert new_title not in reader_page
    assert new_title in admin_list
    assert new_title in preview
    assert "確認待ちになるコメント" in queue


def test_with_the_replica_stopped_pages_are_served_from_the_primary(demo_cluster, replica, site):
    article_path, _title = _newest_article(demo_cluster)
    reader = Reader(site.url, "127.1.3.30")
    for _ in range(4):  # every worker holds a connection to the replica
        assert reader.get(article_path).status == 200

    replica.stop()
    try:
        statuses = [reader.get(path).status for path in ["/", article_path + UNSHARED] * 4]
    finally:
        replica.start()

    assert statuses == [200] * 8
    assert re.search(r"Read replica replica1 unavailable", site.log())
