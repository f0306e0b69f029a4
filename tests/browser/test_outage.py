"""A reader writes a comment, the database goes away, they press 投稿: in a real browser.

The site runs under gunicorn on the tests' own PostgreSQL cluster, which the test stops between
the reader opening the page and sending the comment.
"""

from urllib.parse import urlsplit

import psycopg
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.browser

TEXT = "データベースが止まっていても、\nこの文章は消えないはず。"


@pytest.fixture
def site(demo_cluster_running, start_site, redis_server):
    return start_site(
        database_url=demo_cluster_running.url("kjnews"),
        cache_url=redis_server.url(),
        workers=2,
        COMMENT_MIN_FILL_SECONDS="0",
    )


def _article_path(cluster) -> str:
    with psycopg.connect(cluster.url("kjnews")) as connection:
        [(slug,)] = connection.execute(
            "SELECT slug FROM articles_article WHERE status = 'published' "
            "AND published_at <= now() ORDER BY published_at DESC LIMIT 1"
        ).fetchall()
    return f"/articles/{slug}/"


def _page_on(browser, site, viewport):
    origin = urlsplit(site.url)[:2]
    context = browser.new_context(
        base_url=site.url, locale="ja-JP", timezone_id="Asia/Tokyo", viewport=viewport
    )
    context.set_default_timeout(10_000)
    context.route(
        "**/*",
        lambda route: (
            route.continue_() if urlsplit(route.request.url)[:2] == origin else route.abort()
        ),
    )
    return context, context.new_page()


@pytest.mark.parametrize(("device", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_a_comment_sent_during_an_outage_comes_back_and_can_be_sent_again(
    browser, site, demo_cluster_running, screenshot_dir, device, viewport
):
    cluster = demo_cluster_running
    article_path = _article_path(cluster)
    context, page = _page_on(browser, site, viewport)
    try:
        page.goto(article_path)
        page.locator("#comment-form").get_by_label("コメント", exact=True).fill(
            f"{TEXT}（{device}）"
        )

        cluster.stop()
        try:
            page.get_by_role("button", name="コメントを投稿").click()
            expect(page.get_by_role("heading", name="コメントは投稿されていません")).to_be_visible()
            expect(page.get_by_label("コメント", exact=True)).to_have_value(f"{TEXT}（{device}）")
            page.screenshot(path=screenshot_dir / f"comment-outage-{device}.png", full_page=True)
        finally:
            cluster.start()

        page.get_by_role("button", name="もう一度送信").click()

        expect(page.get_by_role("status").filter(has_text="番として投稿しました")).to_be_visible()
        shown = f"{TEXT}（{device}）".replace("\n", "")  # the line break is a <br>
        expect(page.locator(".comment__body").last).to_have_text(shown)
    finally:
        context.close()
