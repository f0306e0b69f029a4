"""PostgreSQL restarts under a live site: readers get a Japanese 503 while it is away, the site
comes back by itself, and no comment is ever reported as posted and then lost.

The test runs a PostgreSQL cluster of its own (Debian's server binaries), migrated and loaded with
the demo content, so it can stop and restart it without touching anyone else's database.
"""

import html
import threading
import time
from collections import Counter

import psycopg
import pytest

from tests.servers import Reader, readers, wait_until


@pytest.fixture
def cluster(demo_cluster_running):
    return demo_cluster_running


@pytest.fixture
def site(cluster, start_site, redis_server):
    return start_site(
        database_url=cluster.url("kjnews"),
        cache_url=redis_server.url(),
        workers=3,
        COMMENT_MIN_FILL_SECONDS="0",
        COMMENT_RATE_LIMITS="1000/m",
    )


def _query(cluster, sql, *params):
    with psycopg.connect(cluster.url("kjnews")) as connection:
        return connection.execute(sql, params).fetchall()


def _article_path(cluster) -> str:
    [(slug,)] = _query(
        cluster,
        "SELECT slug FROM articles_article WHERE status = 'published' AND published_at <= now() "
        "ORDER BY published_at DESC LIMIT 1",
    )
    return f"/articles/{slug}/"


def _stored_bodies(cluster, article_path) -> list[str]:
    rows = _query(
        cluster,
        "SELECT c.body FROM comments_comment c JOIN articles_article a ON a.id = c.article_id "
        "WHERE a.slug = %s ORDER BY c.number",
        article_path.split("/")[2],
    )
    return [body for (body,) in rows]


def test_while_the_database_is_down_pages_that_need_it_answer_503_in_japanese(cluster, site):
    reader = Reader(site.url, "127.1.1.1")
    assert reader.get("/").status == 200

    cluster.stop()
    try:
        cached = reader.get("/")
        page = reader.get("/sections/europe/")  # nobody has asked for it: it needs the database
    finally:
        cluster.start()

    assert cached.status == 200, "pages in the shared cache are still served"
    assert cached.headers["X-Page-Cache"] == "hit"
    assert page.status == 503
    assert page.headers["Retry-After"]
    assert "no-store" in page.headers["Cache-Control"]
    assert "一時的" in page.text
    assert "psycopg" not in page.text


def test_a_comment_sent_while_the_database_is_down_is_not_stored_and_its_text_is_kept(
    cluster, site
):
    article_path = _article_path(cluster)
    reader = Reader(site.url, "127.1.1.2")
    form = reader.open_comment_form(article_path)
    text = "停止中に書いた<コメント>です。\n二行目"

    cluster.stop()
    try:
        response = reader.post_comment(article_path, form, body=text, name="匿名希望")
    finally:
        cluster.start()

    assert response.status == 503
    assert "投稿されていません" in response.text
    assert html.escape(text) in response.text
    assert 'value="匿名希望"' in response.text
    assert text not in _stored_bodies(cluster, article_path)

    # The page it gave back sends the same comment again once the database is back.
    resent = reader.post(
        response.headers.get("Content-Location") or f"{article_path}comments/",
        {
            "csrfmiddlewaretoken": _hidden(response, "csrfmiddlewaretoken"),
            "started": _hidden(response, "started"),
            "name": "匿名希望",
            "body": text,
            "website": "",
        },
    )
    assert resent.status == 302
    assert _stored_bodies(cluster, article_path).count(text) == 1


def _hidden(response, name):
    return response.hidden_field(name)


def test_the_site_recovers_from_a_database_restart_by_itself(cluster, site):
    reader = Reader(site.url, "127.1.1.3")
    workers = sorted(site.worker_pids())

    cluster.stop()
    assert reader.get("/").status == 503
    cluster.start()

    # Every worker's old connection is gone; each notices, reconnects and serves again.
    wait_until(lambda: reader.get("/").status == 200, timeout=15, what="the site to recover")
    for _ in range(10):
        assert reader.get("/").status == 200
    assert sorted(site.worker_pids()) == workers, "no worker was restarted"


def test_comments_posted_across_a_restart_are_stored_exactly_when_readers_were_told_so(
    cluster, site
):
    article_path = _article_path(cluster)
    crowd = readers(site.url, 8)
    forms = [reader.open_comment_form(article_path) for reader in crowd]
    before = len(_stored_bodies(cluster, article_path))
    statuses, accepted, refused = Counter(), [], []
    lock = threading.Lock()
    stop = threading.Event()

    def keep_posting(index):
        for n in range(200):
            if stop.is_set():
                return
            body = f"再起動をまたぐ投稿 {index}-{n}"
            try:
                response = crowd[index].post_comment(article_path, forms[index], body=body)
            except OSError:
                continue
            with lock:
                statuses[response.status] += 1
                if response.status == 302:
                    accepted.append(body)
                elif response.status == 503:
                    assert html.escape(body) in response.text
                    refused.append(body)
            time.sleep(0.02)

    threads = [threading.Thread(target=keep_posting, args=(i,)) for i in range(len(crowd))]
    for thread in threads:
        thread.start()
    time.sleep(1)
    cluster.stop(mode="fast")
    time.sleep(1)
    cluster.start()
    time.sleep(2)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)

    stored = _stored_bodies(cluster, article_path)[before:]
    assert set(statuses) <= {302, 503}, statuses
    assert statuses[503] > 0, "some posts fell into the restart"
    assert sorted(stored) == sorted(accepted), "every accepted comment is stored, once"
    assert not set(refused) & set(stored), "no refused comment was stored"
