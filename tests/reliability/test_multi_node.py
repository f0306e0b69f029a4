"""Two nodes, one site: two gunicorn instances on their own ports over the same PostgreSQL and the
same Redis, as behind a load balancer. Whatever a reader or an editor does through one node holds
on the other: limits, comments, reports and logins live in the shared services, not in a node."""

import os
from pathlib import Path

import pytest
from django.urls import reverse

from articles.models import ChangeKind
from articles.passages import passage_change
from comments.models import Comment
from tests.factories import ArticleFactory, CommentFactory, EditorFactory
from tests.servers import Gunicorn, Reader, RedisServer, site_environment

EDITOR_PASSWORD = "correct horse battery staple"  # tests/factories.py


@pytest.fixture
def article(test_database_url):
    return ArticleFactory()


@pytest.fixture(scope="module")
def two_nodes(django_db_setup, django_db_blocker, collected_static, tmp_path_factory):
    """Started once for the module: each test's committed rows are emptied after it
    (`test_database_url`), and each test reads and posts from addresses of its own."""
    from django.db import connection

    with django_db_blocker.unblock():
        params = connection.settings_dict
    database_url = (
        f"postgres://{params['USER']}:{params['PASSWORD']}@{params['HOST']}:{params['PORT']}"
        f"/{params['NAME']}"
    )
    log_dir = Path(os.environ.get("TEST_OUTPUT_DIR", "var/test-output")) / "servers"
    log_dir.mkdir(parents=True, exist_ok=True)
    with RedisServer(tmp_path_factory.mktemp("redis")) as redis:
        environment = site_environment(
            DATABASE_URL=database_url,
            CACHE_URL=redis.url(),
            COMMENT_MIN_FILL_SECONDS="0",
            COMMENT_RATE_LIMITS="2/m",
            COMMENT_REPORT_THRESHOLD="2",
        )
        nodes = [
            Gunicorn(environment, workers=2, log_path=log_dir / f"multi-node-{name}.log")
            for name in ("a", "b")
        ]
        with nodes[0], nodes[1]:
            yield nodes


def _post(reader, article, body):
    path = article.get_absolute_url()
    return reader.post_comment(path, reader.open_comment_form(path), body=body)


def test_a_posting_limit_reached_through_one_node_holds_on_the_other(two_nodes, article):
    node_a, node_b = two_nodes
    through_a = Reader(node_a.url, "127.1.4.1")
    assert _post(through_a, article, "一つ目").status == 302
    assert _post(through_a, article, "二つ目").status == 302

    through_b = Reader(node_b.url, "127.1.4.1")  # the same reader, sent to the other node
    response = _post(through_b, article, "三つ目はもう一台から")

    assert response.status == 429
    assert "三つ目はもう一台から" in response.text
    assert Comment.objects.filter(article=article).count() == 2


def test_a_comment_posted_through_one_node_is_visible_at_once_through_the_other(two_nodes, article):
    node_a, node_b = two_nodes
    # Every worker of node B has the page in the shared cache, and a copy of its own.
    for _ in range(2 * node_b.workers):
        assert Reader(node_b.url, "127.1.4.3").get(article.get_absolute_url()).status == 200

    assert _post(Reader(node_a.url, "127.1.4.2"), article, "一台目から投稿").status == 302

    for _ in range(2 * node_b.workers):
        page = Reader(node_b.url, "127.1.4.3").get(article.get_absolute_url())
        assert "一台目から投稿" in page.text


def test_reports_through_both_nodes_add_up_to_hide_a_comment(two_nodes, article):
    node_a, node_b = two_nodes
    comment = CommentFactory(article=article, body="両方の台で通報されるコメント")
    report_path = f"{article.get_absolute_url()}comments/{comment.number}/report/"
    for node, address in [(node_a, "127.1.4.4"), (node_b, "127.1.4.5")]:
        reader = Reader(node.url, address)
        token = reader.get(report_path).hidden_field("csrfmiddlewaretoken")
        assert (
            reader.post(report_path, {"csrfmiddlewaretoken": token, "reason": "spam"}).status == 302
        )

    for node in two_nodes:
        page = Reader(node.url, "127.1.4.6").get(article.get_absolute_url()).text
        assert "通報により非表示" in page
        assert "両方の台で通報されるコメント" not in page


def test_an_editor_logged_in_on_one_node_is_logged_in_on_the_other(two_nodes, test_database_url):
    node_a, node_b = two_nodes
    editor = EditorFactory(username="desk")
    browser = Reader(node_a.url, "127.1.4.7")
    token = browser.get(reverse("admin:login")).hidden_field("csrfmiddlewaretoken")
    login = browser.post(
        f"{reverse('admin:login')}?next={reverse('admin:index')}",
        {"csrfmiddlewaretoken": token, "username": editor.username, "password": EDITOR_PASSWORD},
    )
    assert login.status == 302

    browser.base_url = node_b.url
    dashboard = browser.get(reverse("admin:index"))

    assert dashboard.status == 200
    assert "ログアウト" in dashboard.text


def test_a_correction_shows_at_once_through_every_worker_of_every_node(
    two_nodes, article, settings
):
    paragraph = article.paragraphs.all()[1]
    for node in two_nodes:
        # Every worker has the page in the shared cache, and a copy of its own.
        for _ in range(2 * node.workers):
            page = Reader(node.url, "127.1.4.8").get(article.get_absolute_url())
            assert "両国は協力を確認した。" in page.text
    # Written by this process as a worker would write it: committed, then the pages' generations
    # bumped in the nodes' Redis.
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": two_nodes[0].env["CACHE_URL"]}
    }

    passage_change(
        article=article,
        key=f"paragraph-{paragraph.pk}",
        text="両国は協力の強化で一致した。",
        editor=EditorFactory(),
        kind=ChangeKind.CORRECTION,
    )

    for node in two_nodes:
        for _ in range(2 * node.workers):
            page = Reader(node.url, "127.1.4.8").get(article.get_absolute_url()).text
            assert "両国は協力の強化で一致した。" in page
            assert "第2段落の「両国は協力を確認した」を「両国は協力の強化で一致した」" in page
