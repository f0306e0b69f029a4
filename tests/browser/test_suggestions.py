"""Reader suggestions in a real browser: a reader, keyboard only, points out an error in the
third paragraph; an editor sees the diff in the queue and accepts it; the article then reads
corrected. Screenshots at phone and desktop widths."""

import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from playwright.sync_api import expect

from suggestions.models import Suggestion
from tests.browser.conftest import DESKTOP
from tests.factories import ArticleFactory, EditorFactory, SuggestionFactory

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"
PHONE = {"width": 390, "height": 844}
VIEWPORTS = [("phone", PHONE), ("desktop", DESKTOP)]
BEFORE = "両国は今後も北朝鮮との協力を続けることで一致した。"
AFTER = "両国は今後も韓国との協力を続けることで一致した。"


@pytest.fixture(autouse=True)
def _readers_type_instantly(settings):
    settings.COMMENT_MIN_FILL_SECONDS = 0


@pytest.fixture
def article(live_server):
    return ArticleFactory(
        title="日韓首脳が会談、協力の継続を確認",
        body=[
            "会談は約二時間にわたって行われた。",
            "首脳は経済と安全保障について意見を交わした。",
            BEFORE,
            "詳細は後日発表される。",
        ],
    )


@pytest.fixture
def editor(live_server):
    # Live-server tests empty the database between tests, data migrations included.
    group, _created = Group.objects.get_or_create(name="Editors")
    group.permissions.add(
        Permission.objects.get(content_type__app_label="suggestions", codename="decide_suggestion")
    )
    return EditorFactory(username="editor", password=PASSWORD)


def tab_until(page, check: str, limit=80):
    """Press Tab until `check` (a JavaScript function of the focused element) holds."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => ({check})(document.activeElement)"):
            return
    raise AssertionError(f"never reached by Tab: {check}")


def suggest_with_the_keyboard(page, article):
    page.goto(article.get_absolute_url())
    tab_until(page, "el => el.getAttribute('aria-label') === '第3段落の誤訳・誤りを指摘'")
    link = page.get_by_role("link", name="第3段落の誤訳・誤りを指摘")
    expect(link).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="誤訳・誤りを指摘する")).to_be_visible()
    expect(page.locator("blockquote")).to_have_text(BEFORE)
    tab_until(page, "el => el.id === 'id_proposed_text'")
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(AFTER)
    tab_until(page, "el => el.id === 'id_note'")
    page.keyboard.type("原文は South Korea です。")
    tab_until(page, "el => el.type === 'submit'")
    page.keyboard.press("Enter")


def log_in(page, user):
    page.goto(reverse("editorial:suggestions"))
    expect(page).to_have_url(re.compile(re.escape(reverse("admin:login"))))
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("heading", name="読者からの指摘")).to_be_visible()


def test_a_reader_suggests_by_keyboard_and_an_editor_accepts_it(
    new_page, live_server, article, editor, screenshot_dir
):
    reader = new_page(java_script_enabled=False)
    suggest_with_the_keyboard(reader, article)

    expect(reader).to_have_url(re.compile(r"#p-3$"))
    paragraph = reader.locator("#p-3")
    expect(paragraph.get_by_role("status").first).to_have_text(
        "ご指摘ありがとうございます。編集部に送りました。"
    )
    expect(paragraph.get_by_text("あなたの指摘（第3段落）は編集部の確認待ちです。")).to_be_visible()
    assert Suggestion.objects.get().proposed_text == AFTER

    desk = new_page()
    log_in(desk, editor)
    diff = desk.locator(".diff").first
    expect(diff.locator("del")).to_have_text("北朝鮮")
    expect(diff.locator("ins")).to_have_text("韓国")
    expect(desk.get_by_text("1人がこの修正を提案")).to_be_visible()
    desk.screenshot(path=screenshot_dir / "suggestions-queue-desktop.png", full_page=True)
    desk.get_by_role("button", name="採用する").click()
    expect(desk.get_by_text("1件の指摘を採用しました。")).to_be_visible()

    someone = new_page()
    someone.goto(article.get_absolute_url())
    expect(someone.locator("#p-3")).to_contain_text(AFTER)
    expect(someone.get_by_text("確認待ち")).to_have_count(0)
    reader.goto(article.get_absolute_url())
    expect(reader.locator("#p-3")).to_contain_text(AFTER)
    expect(reader.get_by_text("編集部の確認待ちです")).to_have_count(0)


@pytest.mark.parametrize(("device", "viewport"), VIEWPORTS)
def test_the_suggest_links_are_quiet_and_the_pages_fit_the_screen(
    new_page, article, editor, screenshot_dir, device, viewport
):
    SuggestionFactory(
        article=article,
        passage_key=f"paragraph-{article.paragraphs.all()[2].pk}",
        proposed_text=AFTER,
        note="原文は South Korea です。",
    )
    options = {"viewport": viewport, "is_mobile": device == "phone", "has_touch": device == "phone"}
    page = new_page(**options)
    page.goto(article.get_absolute_url())
    page.screenshot(path=screenshot_dir / f"suggestions-article-{device}.png", full_page=True)
    link = page.locator("#p-3 .suggest-link")
    size = link.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
    body = page.locator("#p-3").evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
    assert size < body * 0.8, "the link is smaller than the text it follows"

    page.goto(reverse("suggestions:suggest", kwargs={"slug": article.slug, "key": "headline"}))
    page.screenshot(path=screenshot_dir / f"suggestions-form-{device}.png", full_page=True)
    assert_no_sideways_scrolling(page)

    desk = new_page(**options)
    log_in(desk, editor)
    desk.screenshot(path=screenshot_dir / f"suggestions-queue-{device}.png", full_page=True)
    assert_no_sideways_scrolling(desk)


def assert_no_sideways_scrolling(page):
    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth,"
        " client: document.documentElement.clientWidth})"
    )
    assert widths["scroll"] <= widths["client"], widths


@pytest.fixture
def desk_editor(live_server):
    """An editor who decides suggestions and edits articles, as the Editors group's migrations
    allow (live-server tests empty the database between tests, data migrations included)."""
    group, _created = Group.objects.get_or_create(name="Editors")
    group.permissions.add(
        Permission.objects.get(content_type__app_label="suggestions", codename="decide_suggestion"),
        *Permission.objects.filter(
            content_type__app_label="articles", codename__in=["view_article", "change_article"]
        ),
    )
    return EditorFactory(username="desk", password=PASSWORD)


@pytest.mark.parametrize(("device", "viewport"), VIEWPORTS)
def test_a_reader_suggests_a_correction_an_editor_accepts_it_and_can_restore_the_old_text(
    new_page, live_server, article, desk_editor, screenshot_dir, device, viewport
):
    options = {"viewport": viewport, "is_mobile": device == "phone", "has_touch": device == "phone"}
    reader = new_page(**options)
    reader.goto(article.get_absolute_url())
    reader.get_by_role("link", name="第3段落の誤訳・誤りを指摘").click()
    reader.locator("#id_proposed_text").fill(AFTER)
    reader.locator("#id_original_text").fill("Both agreed to keep working with South Korea.")
    reader.get_by_role("button", name="指摘を送る").click()
    expect(reader.get_by_text("あなたの指摘（第3段落）は編集部の確認待ちです。")).to_be_visible()

    desk = new_page(**options)
    log_in(desk, desk_editor)
    proposal = desk.locator(".diff").first
    expect(proposal.locator("del")).to_have_text("北朝鮮")
    expect(proposal.locator("ins")).to_have_text("韓国")
    expect(desk.get_by_label("訂正")).to_be_checked()
    desk.get_by_role("button", name="採用する").click()
    expect(desk.get_by_text("1件の指摘を採用しました。")).to_be_visible()

    someone = new_page(**options)
    someone.goto(article.get_absolute_url())
    expect(someone.locator("#p-3")).to_contain_text(AFTER)
    note = someone.locator(".article-corrections")
    expect(note).to_contain_text(
        re.compile(
            r"訂正（\d{4}年\d{1,2}月\d{1,2}日）：第3段落の「両国は今後も北朝鮮との協力を続けること"
            r"で一致した」を「両国は今後も韓国との協力を続けることで一致した」に訂正しました。"
        )
    )
    someone.screenshot(path=screenshot_dir / f"correction-note-{device}.png", full_page=True)

    desk.goto(reverse("admin:articles_article_revisions", args=[article.pk]))
    newest = desk.locator(".revision").first
    expect(newest).to_contain_text("訂正")
    expect(newest).to_contain_text("desk")
    expect(newest.locator("del")).to_have_text("北朝鮮")
    expect(newest.locator("ins")).to_have_text("韓国")
    desk.locator(".revision").nth(1).get_by_role("link", name="この版に戻す").click()
    desk.get_by_role("button", name="はい、この版に戻します").click()
    expect(desk.locator(".messagelist")).to_contain_text("の版の文面に戻しました。")
    restored = desk.locator(".revision").first
    expect(restored).to_contain_text("の版に戻しました")
    expect(restored.locator("ins")).to_have_text("北朝鮮")
    expect(desk.locator(".revision")).to_have_count(3)

    someone.reload()
    expect(someone.locator("#p-3")).to_contain_text(BEFORE)
