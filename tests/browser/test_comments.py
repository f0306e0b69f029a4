"""Anonymous comments in a real browser: posting, replying, the rate limit, deleting, safe text."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from comments.models import Comment
from tests.browser.conftest import DESKTOP, PHONE
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.browser

WEEKDAYS = "月火水木金土日"
LONG_URL = (
    "https://news.example.com/world/asia/2026/05/01/"
    "can-the-two-neighbours-really-work-together-after-decades-of-mistrust-0123456789"
    "?utm_source=kjnews&utm_medium=comment&utm_campaign=summit"
)
LONG_JAPANESE = "改行も句読点もないままひたすら続いていくとても長い日本語の感想文" * 6
LONG_NAME = "KanjiAndKanaLoverFromOsakaPrefecture1234"  # 40 characters: the longest name allowed


@pytest.fixture(autouse=True)
def _readers_type_instantly(settings):
    """Playwright fills a form at once; only the fill-time test asks for a minimum."""
    settings.COMMENT_MIN_FILL_SECONDS = 0


@pytest.fixture
def article(live_server):
    return ArticleFactory(title="日韓首脳が会談、協力の継続を確認")


def comment_box(page):
    return page.locator("#comment-form").get_by_label("コメント", exact=True)


def post_comment(page, text):
    """Send a comment and wait, as a reader does, until the page shows the answer."""
    comment_box(page).fill(text)
    with page.expect_response(is_comment_post):
        page.get_by_role("button", name="コメントを投稿").click()
    # With JavaScript the answer replaces the comments section; its form's button is enabled.
    # (A function, not an expression: Playwright evaluates a bare expression with eval(), which
    # the site's Content-Security-Policy refuses.)
    page.wait_for_function(
        "() => !document.querySelector('#comment-form button[type=submit]')?.disabled"
    )


def is_comment_post(response):
    return response.request.method == "POST" and response.url.endswith("/comments/")


def shown_at(comment):
    """How the thread shows a comment's time to a reader in Japan: 2026/05/01(金) 12:34."""
    local = timezone.localtime(comment.created_at)
    return f"{local:%Y/%m/%d}({WEEKDAYS[local.weekday()]}) {local:%H:%M}"


def test_reader_posts_a_comment_and_lands_on_it_with_a_confirmation(page, live_server, article):
    page.goto(article.get_absolute_url())

    post_comment(page, "はじめまして。記事を読みました。")

    expect(page).to_have_url(f"{live_server.url}{article.get_absolute_url()}?cpage=1#c-1")
    confirmation = page.locator("#c-1").get_by_role("status")
    expect(confirmation).to_have_text("コメントを1番として投稿しました。")
    expect(confirmation).to_be_in_viewport()


def test_with_javascript_posting_keeps_the_reader_on_the_page_without_a_reload(page, article):
    page.goto(article.get_absolute_url())
    page.evaluate("window.sameDocument = true")

    post_comment(page, "再読み込みなしで投稿します。")

    confirmation = page.locator("#c-1").get_by_role("status")
    expect(confirmation).to_have_text("コメントを1番として投稿しました。")
    expect(confirmation).to_be_in_viewport()
    expect(page).to_have_url(re.compile(r"\?cpage=1#c-1$"))
    assert page.evaluate("window.sameDocument") is True, "the page was reloaded"


@pytest.mark.parametrize("javascript", [True, False], ids=["with-javascript", "without-javascript"])
def test_a_second_comment_can_follow_at_once(new_page, article, javascript):
    page = new_page(java_script_enabled=javascript)
    page.goto(article.get_absolute_url())

    post_comment(page, "一つ目。")
    post_comment(page, "二つ目。")

    expect(page.locator("#c-2 .comment__body")).to_have_text("二つ目。")


def test_posted_comment_shows_its_number_the_default_name_an_id_the_time_and_the_text(
    page, article
):
    page.goto(article.get_absolute_url())

    post_comment(page, "名前を書かずに投稿します。")

    comment = page.locator("#c-1")
    expect(comment.locator(".comment__number")).to_have_text("1")
    expect(comment.locator(".comment__name")).to_have_text("名無しさん")
    expect(comment.locator(".comment__poster-id")).to_have_text(re.compile(r"^ID:[\w-]{8}$"))
    expect(comment.locator("time")).to_have_text(shown_at(Comment.objects.get()))
    expect(comment.locator(".comment__body")).to_have_text("名前を書かずに投稿します。")


def test_reply_with_javascript_puts_the_anchor_in_the_comment_box_without_reloading(page, article):
    CommentFactory(article=article, body="最初のコメントです。")
    page.goto(article.get_absolute_url())
    page.evaluate("window.sameDocument = true")

    page.locator("#c-1").get_by_role("link", name="返信").click()

    expect(comment_box(page)).to_have_value(">>1\n")
    expect(comment_box(page)).to_be_focused()
    assert page.evaluate("window.sameDocument") is True, "the page was reloaded"


@pytest.mark.parametrize("javascript", [True, False], ids=["with-javascript", "without-javascript"])
def test_reader_replies_and_the_reply_links_to_the_comment_it_answers(
    new_page, article, javascript
):
    CommentFactory(article=article, body="最初のコメントです。")
    page = new_page(java_script_enabled=javascript)
    page.goto(article.get_absolute_url())

    page.locator("#c-1").get_by_role("link", name="返信").click()
    expect(comment_box(page)).to_have_value(re.compile(r"^>>1\n"))
    # Where the caret lands after the reply link differs between runs; type after the anchor.
    comment_box(page).fill(comment_box(page).input_value() + "同感です。")
    page.get_by_role("button", name="コメントを投稿").click()

    reply = page.locator("#c-2")
    expect(reply.locator(".comment__body")).to_have_text(">>1同感です。")
    expect(reply.get_by_role("link", name=">>1")).to_have_attribute(
        "href", f"{article.get_absolute_url()}?cpage=1#c-1"
    )


def test_following_a_reply_link_brings_the_earlier_comment_into_view(page, article):
    for number in range(1, 6):
        CommentFactory(article=article, body=f"{number}番目のコメントです。")
    CommentFactory(article=article, body=">>1 いちばん最初のコメントに賛成です。")
    page.goto(reverse("comments:permalink", kwargs={"slug": article.slug, "number": 6}))
    first = page.locator("#c-1")
    expect(first).not_to_be_in_viewport()

    page.locator("#c-6").get_by_role("link", name=">>1").click()

    expect(page).to_have_url(re.compile(r"#c-1$"))
    expect(first).to_be_in_viewport()


def test_posting_too_often_is_refused_with_the_wait_and_the_text_kept(page, article, settings):
    # django-ratelimit counts in fixed windows that end at a random second of each period (the
    # offset comes from the poster hash, keyed with a per-run SECRET_KEY). With "2/m" one run in
    # forty would straddle a window's end and see its third post go through; "2/d" makes that
    # one in tens of thousands while testing the same behaviour.
    settings.COMMENT_RATE_LIMITS = ["2/d"]
    page.goto(article.get_absolute_url())
    post_comment(page, "一つ目のコメント。")
    post_comment(page, "二つ目のコメント。")
    expect(page.locator("#c-2")).to_be_visible()

    with page.expect_response(is_comment_post) as refused:
        post_comment(page, "三つ目のコメント、消えないでほしい。")

    assert refused.value.status == 429
    # The window can end at any second of the hour: a wait under two minutes is told in seconds.
    expect(page.get_by_role("alert")).to_have_text(
        re.compile(
            r"投稿の間隔が短すぎます。(\d+秒後|約\d+分後（\d{2}:\d{2}以降）)にもう一度お試しください。"
        )
    )
    expect(comment_box(page)).to_have_value("三つ目のコメント、消えないでほしい。")
    expect(page.locator("#c-3")).to_have_count(0)


def test_poster_deletes_their_own_comment_and_its_number_stays(page, article):
    page.goto(article.get_absolute_url())
    post_comment(page, "やっぱり取り消したいコメント。")

    page.locator("#c-1").get_by_role("button", name="削除").click()

    expect(page.get_by_role("status")).to_have_text("コメントを削除しました。")
    comment = page.locator("#c-1")
    expect(comment).to_contain_text("このコメントは削除されました。")
    expect(comment.locator(".comment__number")).to_have_text("1")
    expect(comment).not_to_contain_text("やっぱり取り消したいコメント。")


def test_only_the_browser_that_posted_a_comment_sees_its_delete_button(new_page, article):
    poster = new_page()
    poster.goto(article.get_absolute_url())
    post_comment(poster, "自分だけが削除できるコメント。")
    expect(poster.locator("#c-1").get_by_role("button", name="削除")).to_be_visible()

    other_reader = new_page()
    other_reader.goto(article.get_absolute_url())

    expect(other_reader.locator("#c-1")).to_contain_text("自分だけが削除できるコメント。")
    expect(other_reader.get_by_role("button", name="削除")).to_have_count(0)


def test_markup_in_a_comment_is_shown_as_text_and_never_runs(page, article):
    hostile = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">'
    page.goto(article.get_absolute_url())

    post_comment(page, hostile)

    body = page.locator("#c-1 .comment__body")
    expect(body).to_have_text(hostile)
    expect(body.locator("script, img")).to_have_count(0)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("typeof window.__pwned") == "undefined"


def test_address_in_japanese_text_links_only_the_address(page, article):
    page.goto(article.get_absolute_url())

    post_comment(page, "詳しくはhttps://example.com/a?b=1を参照。")

    body = page.locator("#c-1 .comment__body")
    link = body.get_by_role("link")
    expect(link).to_have_count(1)
    expect(link).to_have_attribute("href", "https://example.com/a?b=1")
    expect(link).to_have_text("https://example.com/a?b=1")
    for word in ["nofollow", "ugc", "noopener", "noreferrer"]:
        expect(link).to_have_attribute("rel", re.compile(rf"(^|\s){word}(\s|$)"))
    expect(body).to_have_text("詳しくはhttps://example.com/a?b=1を参照。")


def test_comment_sent_faster_than_a_person_types_comes_back_with_its_text(page, article, settings):
    settings.COMMENT_MIN_FILL_SECONDS = 60
    page.goto(article.get_absolute_url())

    with page.expect_response(is_comment_post) as refused:
        post_comment(page, "急いで書いたコメント。")

    assert refused.value.status == 400
    expect(page.get_by_role("alert")).to_have_text(
        "送信が早すぎます。コメントを確認して、もう一度送信してください。"
    )
    expect(comment_box(page)).to_have_value("急いで書いたコメント。")


@pytest.fixture
def busy_thread(article):
    """Five comments that stretch a layout: names, a long address, unbroken Japanese, a removal."""
    CommentFactory(
        article=article,
        name="山田太郎",
        body="首脳会談の結果に期待しています。\n今後の具体的な動きに注目したいと思います。",
    )
    CommentFactory(article=article, body=f"元の記事はこちらです。{LONG_URL}")
    CommentFactory(article=article, name="通りすがりの読者", body=f">>1\n{LONG_JAPANESE}")
    CommentFactory(
        article=article, body="消されたコメント", status=Comment.Status.REMOVED_BY_POSTER
    )
    CommentFactory(article=article, name=LONG_NAME, body=">>2 >>3 ありがとうございます。")
    return article


@pytest.mark.parametrize(("device", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_comments_fit_the_screen_without_sideways_scrolling(
    new_page, busy_thread, screenshot_dir, device, viewport
):
    page = new_page(viewport=viewport, is_mobile=device == "phone", has_touch=device == "phone")
    page.goto(busy_thread.get_absolute_url())
    expect(page.locator(".comment-list > li")).to_have_count(5)
    page.screenshot(path=screenshot_dir / f"comments-{device}.png", full_page=True)

    widths = page.evaluate(
        "({scroll: document.documentElement.scrollWidth,"
        " client: document.documentElement.clientWidth})"
    )

    assert widths["scroll"] <= widths["client"], widths


def reaction_button(page, number, label):
    return page.locator(f"#c-{number} .comment__reactions").get_by_role("button", name=label)


def test_with_javascript_a_reaction_counts_at_once_without_a_reload(page, article):
    CommentFactory(article=article, body="よくまとまった記事だと思います。")
    page.goto(article.get_absolute_url())
    page.evaluate("window.sameDocument = true")

    reaction_button(page, 1, "共感した").click()

    expect(reaction_button(page, 1, "共感した")).to_have_attribute("aria-pressed", "true")
    expect(reaction_button(page, 1, "共感した").locator(".reaction__count")).to_have_text("1")
    assert page.evaluate("window.sameDocument") is True, "the page was reloaded"

    reaction_button(page, 1, "共感した").click()

    expect(reaction_button(page, 1, "共感した")).to_have_attribute("aria-pressed", "false")
    expect(reaction_button(page, 1, "共感した").locator(".reaction__count")).to_have_text("0")


def test_without_javascript_a_reaction_brings_the_reader_back_to_the_comment(new_page, article):
    for number in range(1, 4):
        CommentFactory(article=article, body=f"{number}番目のコメントです。")
    page = new_page(java_script_enabled=False)
    page.goto(article.get_absolute_url())

    reaction_button(page, 2, "なるほど").click()

    expect(page).to_have_url(re.compile(r"#c-2$"))
    expect(reaction_button(page, 2, "なるほど")).to_have_attribute("aria-pressed", "true")
    expect(reaction_button(page, 2, "なるほど").locator(".reaction__count")).to_have_text("1")


def test_reactions_can_be_reached_and_pressed_from_the_keyboard(page, article):
    CommentFactory(article=article, body="キーボードでも押せますか。")
    page.goto(article.get_absolute_url())

    reaction_button(page, 1, "うーん").focus()
    page.keyboard.press("Enter")

    expect(reaction_button(page, 1, "うーん")).to_have_attribute("aria-pressed", "true")


def test_a_reader_can_switch_the_order_of_the_comments(page, article):
    for number in range(1, 4):
        CommentFactory(article=article, body=f"{number}番目のコメントです。")
    page.goto(article.get_absolute_url())

    page.get_by_role("navigation", name="コメントの並び順").get_by_role(
        "link", name="新着順"
    ).click()

    expect(page.locator(".comment-list > li").first).to_have_id("c-3")
