"""A gunicorn worker dies in the middle of a post: gunicorn replaces it, nothing half-written is
visible, and the reader's retry goes through."""

import os
import signal
import threading

import psycopg

from comments.models import Comment, Thread
from tests.factories import ArticleFactory
from tests.servers import Reader, wait_until


def _worker_waiting_on_a_lock(database_url) -> int | None:
    """The pid of the worker whose database session waits for a lock (gunicorn.conf.py names
    every worker's connections after its pid)."""
    with psycopg.connect(database_url, autocommit=True) as monitor:
        row = monitor.execute(
            "SELECT application_name FROM pg_stat_activity "
            "WHERE wait_event_type = 'Lock' AND application_name LIKE 'kjnews-web-%%'"
        ).fetchone()
    return int(row[0].rsplit("-", 1)[1]) if row else None


def test_a_worker_killed_mid_post_is_replaced_and_the_retry_is_stored_once(
    test_database_url, start_site, redis_server
):
    article = ArticleFactory()
    thread = Thread.objects.create(article=article)
    site = start_site(
        database_url=test_database_url,
        cache_url=redis_server.url(),
        workers=2,
        COMMENT_MIN_FILL_SECONDS="0",
    )
    reader = Reader(site.url, "127.1.2.1", timeout=30)
    form = reader.open_comment_form(article.get_absolute_url())
    outcome = {}

    def send():
        try:
            outcome["response"] = reader.post_comment(
                article.get_absolute_url(), form, body="途中で落ちても大丈夫？"
            )
        except OSError as error:
            outcome["error"] = error

    # Another session holds the thread's numbering lock, so the post stops inside its transaction
    # until the worker handling it is killed.
    with psycopg.connect(test_database_url) as blocker:
        blocker.execute("SELECT 1 FROM comments_thread WHERE id = %s FOR UPDATE", [thread.pk])
        sender = threading.Thread(target=send)
        sender.start()
        victim = wait_until(
            lambda: _worker_waiting_on_a_lock(test_database_url), timeout=15, what="a stuck post"
        )
        os.kill(victim, signal.SIGKILL)
        sender.join(timeout=15)
        blocker.rollback()

    assert "error" in outcome, "the killed worker gave no answer"
    assert not Comment.objects.filter(article=article).exists()
    wait_until(
        lambda: len(site.worker_pids()) == 2 and victim not in site.worker_pids(),
        timeout=30,
        what="gunicorn to replace the killed worker",
    )

    retry = reader.post_comment(article.get_absolute_url(), form, body="途中で落ちても大丈夫？")

    assert retry.status == 302
    assert list(Comment.objects.filter(article=article).values_list("number", "body")) == [
        (1, "途中で落ちても大丈夫？")
    ]
