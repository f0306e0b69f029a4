"""The moderators' review screen in a real browser: readers report, a moderator restores, bans, and
clears a queue from the keyboard.

Readers are told apart by address. The live server sees the loopback address for every context, so
these tests trust it as a proxy and give each reader's browser its own X-Forwarded-For.
"""

import datetime
import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import expect

from comments.models import Ban, Comment, Report
from comments.posters import Poster
from comments.services import comment_report
from tests.browser.conftest import DESKTOP, PHONE
from tests.factories import ArticleFactory, CommentFactory, ModeratorFactory

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"
LONG_URL = "https://news.example.com/world/asia/2026/05/01/" + "very-long-path-segment-" * 6


@pytest.fixture(autouse=True)
def _behind_one_proxy(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1/32", "::1/128"]
    settings.COMMENT_MIN_FILL_SECONDS = 0


@pytest.fixture
def moderator(live_server):
    # Live-server tests empty the database between tests, data migrations included.
    group, _created = Group.objects.get_or_create(name="Moderators")
    group.permissions.add(
        Permission.objects.get(content_type__app_label="comments", codename="moderate_comment")
    )
    return ModeratorFactory(username="moderator", password=PASSWORD)


@pytest.fixture
def article(live_server):
    return ArticleFactory(title="日韓首脳が会談、協力の継続を確認")


def in_japanese(label):
    with translation.override("ja"):
        return str(label)


def reader(new_page, address, **options):
    return new_page(extra_http_headers={"X-Forwarded-For": address}, **options)


def log_in(page, user):
    """Through Django's admin login, as a moderator would; lands back on the review screen."""
    page.goto("/moderation/")
    login = re.escape(reverse("admin:login"))
    expect(page).to_have_url(re.compile(rf"{login}\?next=/moderation/$"))
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("heading", name="コメント管理")).to_be_visible()
    page.wait_for_load_state()  # the shortcuts script runs once the page has loaded


def post_comment(page, text):
    page.locator("#comment-form").get_by_label("コメント", exact=True).fill(text)
    page.get_by_role("button", name="コメントを投稿").click()


def test_three_readers_report_a_comment_and_a_moderator_restores_it(new_page, article, moderator):
    CommentFactory(article=article, body="首脳会談は成功だったと思う。")
    reports = [
        ("198.51.100.1", Report.Reason.ABUSE, "他の読者への悪口です"),
        ("198.51.100.2", Report.Reason.SPAM, "宣伝に見えます"),
        ("198.51.100.3", Report.Reason.OFF_TOPIC, "記事と関係ありません"),
    ]
    readers = []
    for address, reason, note in reports:
        page = reader(new_page, address)
        page.goto(article.get_absolute_url())
        page.locator("#c-1").get_by_role("link", name="通報").click()
        page.get_by_label(in_japanese(reason.label)).check()
        page.get_by_label("モデレーターへの補足").fill(note)
        page.get_by_role("button", name="通報する").click()
        expect(page.get_by_role("status").first).to_contain_text("通報を受け付けました")
        readers.append(page)

    first_reader = readers[0]
    first_reader.reload()
    expect(first_reader.locator("#c-1")).to_contain_text("通報により非表示")
    expect(first_reader.locator("#c-1")).not_to_contain_text("首脳会談は成功だったと思う。")

    moderator_page = new_page()
    log_in(moderator_page, moderator)
    entry = moderator_page.locator(".queue-entry", has_text="首脳会談は成功だったと思う。")
    expect(entry.locator(".report")).to_have_count(3)
    for _address, reason, note in reports:
        expect(entry.locator(".report-list")).to_contain_text(in_japanese(reason.label))
        expect(entry.locator(".report-list")).to_contain_text(note)
    entry.get_by_role("button", name="承認").click()

    expect(moderator_page.get_by_role("status")).to_have_text("1件のコメントを承認しました。")
    expect(moderator_page.locator(".queue-entry")).to_have_count(0)
    first_reader.reload()
    expect(first_reader.locator("#c-1 .comment__body")).to_have_text("首脳会談は成功だったと思う。")


def test_a_banned_posters_next_comment_is_refused(new_page, article, moderator):
    poster = reader(new_page, "203.0.113.77")
    poster.goto(article.get_absolute_url())
    post_comment(poster, f"見てください {LONG_URL}1 {LONG_URL}2 {LONG_URL}3")
    expect(poster.get_by_role("status").first).to_contain_text("モデレーターの確認後に表示されます")

    moderator_page = new_page()
    log_in(moderator_page, moderator)
    moderator_page.get_by_role("link", name=re.compile("保留中")).click()
    entry = moderator_page.locator(".queue-entry", has_text="見てください")
    entry.get_by_label("禁止期間").select_option(label="7日")
    entry.get_by_role("button", name="投稿禁止").click()
    expect(moderator_page.get_by_role("status")).to_contain_text("投稿禁止にしました（7日）")

    poster.goto(article.get_absolute_url())
    post_comment(poster, "懲りずにもう一度書き込みます。")

    expect(poster.get_by_role("alert")).to_contain_text(
        "現在、このコメントを受け付けることができません。"
    )
    assert not Comment.objects.filter(body="懲りずにもう一度書き込みます。").exists()
    assert Ban.objects.get().expires_at > timezone.now() + datetime.timedelta(days=6)


@pytest.fixture
def held_pair(article):
    """Two held comments: the newer one is listed first."""
    now = timezone.now()
    older = CommentFactory(
        article=article,
        body="先に保留されたコメント",
        status=Comment.Status.PENDING,
        hold_reason=Comment.HoldReason.LINKS,
        created_at=now - datetime.timedelta(minutes=10),
    )
    newer = CommentFactory(
        article=article,
        body="後から保留されたコメント",
        status=Comment.Status.PENDING,
        hold_reason=Comment.HoldReason.BLOCKED_TERM,
        created_at=now - datetime.timedelta(minutes=1),
    )
    return older, newer


def test_without_javascript_checked_comments_are_removed_from_the_bulk_bar(
    new_page, moderator, held_pair
):
    page = new_page(java_script_enabled=False)
    log_in(page, moderator)
    page.goto("/moderation/?queue=held")

    for comment in held_pair:
        page.get_by_label(f"{comment.number}番を選択").check()
    page.locator("#bulk-form").get_by_role("button", name="削除").click()

    expect(page.get_by_role("status")).to_have_text("2件のコメントを削除しました。")
    statuses = set(Comment.objects.values_list("status", flat=True))
    assert statuses == {Comment.Status.REMOVED_BY_MODERATOR}


def test_j_then_a_approves_the_first_held_comment(new_page, moderator, held_pair):
    older, newer = held_pair
    page = new_page()
    log_in(page, moderator)
    page.goto("/moderation/?queue=held")

    page.keyboard.press("j")
    expect(page.locator(f"#q-{newer.pk}")).to_be_focused()
    page.keyboard.press("a")

    expect(page.get_by_role("status")).to_have_text("1件のコメントを承認しました。")
    newer.refresh_from_db()
    older.refresh_from_db()
    assert newer.is_published
    assert older.is_pending
    # The queue comes back at the next entry, so the moderator can carry on with the keyboard.
    expect(page.locator(f"#q-{older.pk}")).to_be_focused()


def test_selecting_with_x_then_r_removes_the_selected_comments(new_page, moderator, held_pair):
    page = new_page()
    log_in(page, moderator)
    page.goto("/moderation/?queue=held")

    for _ in held_pair:
        page.keyboard.press("j")
        page.keyboard.press("x")
    expect(page.locator("[data-selected-count]")).to_have_text("2件選択中")
    page.keyboard.press("r")

    expect(page.get_by_role("status")).to_have_text("2件のコメントを削除しました。")
    statuses = set(Comment.objects.values_list("status", flat=True))
    assert statuses == {Comment.Status.REMOVED_BY_MODERATOR}


def test_b_chooses_a_ban_duration_and_enter_bans(new_page, moderator, held_pair):
    _older, newer = held_pair
    page = new_page()
    log_in(page, moderator)
    page.goto("/moderation/?queue=held")

    page.keyboard.press("j")
    page.keyboard.press("b")
    duration = page.locator(f"#q-{newer.pk}").get_by_label("禁止期間")
    expect(duration).to_be_focused()
    duration.select_option("30d")  # what ↓ ↓ does on a focused select
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_contain_text("投稿禁止にしました（30日）")
    ban = Ban.objects.get()
    assert ban.poster_hash == newer.poster_hash
    assert ban.expires_at > timezone.now() + datetime.timedelta(days=29)


def test_shortcut_keys_are_ignored_while_typing_a_reason(new_page, moderator, held_pair):
    _older, newer = held_pair
    page = new_page()
    log_in(page, moderator)
    page.goto("/moderation/?queue=held")

    reason = page.locator(f"#q-{newer.pk}").get_by_label("理由（任意・記録に残ります）")
    reason.fill("")
    reason.press_sequentially("jarhs")
    reason.press("Enter")

    expect(reason).to_have_value("jarhs")
    assert set(Comment.objects.values_list("status", flat=True)) == {Comment.Status.PENDING}


def test_question_mark_hides_and_shows_the_shortcut_list(page, moderator):
    log_in(page, moderator)
    shortcuts = page.locator("#shortcuts dl")
    expect(shortcuts).to_be_visible()
    expect(shortcuts).to_contain_text("次 / 前のコメント")

    page.keyboard.press("?")
    expect(shortcuts).to_be_hidden()
    page.keyboard.press("?")
    expect(shortcuts).to_be_visible()


@pytest.fixture
def busy_queue(article):
    """Reported comments that stretch a layout: long text and address, long notes, history."""
    other_article = ArticleFactory(title="米中首脳が電話会談、通商問題で意見交換 " * 2)
    for n in range(1, 4):
        poster_hash = f"{n:064x}"
        CommentFactory(
            article=other_article, poster_hash=poster_hash, body=f"以前の発言その{n}。" * 12
        )
        comment = CommentFactory(
            article=article,
            name="KanjiAndKanaLoverFromOsakaPrefecture1234" if n == 1 else "",
            poster_hash=poster_hash,
            body=(
                f">>1 読者{n}のコメントです。改行も句読点もないままひたすら続く長い感想文" * 4
                + f"\n参考: {LONG_URL}"
            ),
        )
        for r, reason in enumerate(Report.Reason.values[: 4 - n]):
            comment_report(
                comment=comment,
                reporter=Poster(address=f"198.51.100.{n * 10 + r}"),
                reason=reason,
                note="ずっと同じ人が他の読者を攻撃しています。対応をお願いします。" * (r + 1),
            )


@pytest.mark.parametrize(("device", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_queue_fits_the_screen_without_sideways_scrolling(
    new_page, moderator, busy_queue, screenshot_dir, device, viewport
):
    page = new_page(viewport=viewport, is_mobile=device == "phone", has_touch=device == "phone")
    log_in(page, moderator)
    expect(page.locator(".queue-entry")).to_have_count(3)
    page.keyboard.press("j")
    page.keyboard.press("x")
    page.screenshot(path=screenshot_dir / f"moderation-{device}.png", full_page=True)

    widths = page.evaluate(
        "({scroll: document.documentElement.scrollWidth,"
        " client: document.documentElement.clientWidth})"
    )

    assert widths["scroll"] <= widths["client"], widths
