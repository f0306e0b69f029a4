"""An editor restores an earlier version of an article in a real browser: the history with its
character diffs, the confirmation, and the reader's page showing the old text again."""

import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from playwright.sync_api import expect

from articles.models import ChangeKind
from articles.passages import passage_change
from tests.browser.conftest import DESKTOP
from tests.factories import ArticleFactory, EditorFactory, SectionFactory

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"
PHONE_390 = {"width": 390, "height": 844}
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push({directive: event.effectiveDirective, blocked: event.blockedURI});
});
"""


@pytest.fixture
def editor(live_server):
    # Live-server tests empty the database between tests, data migrations included.
    group, _created = Group.objects.get_or_create(name="Editors")
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="articles",
            codename__in=["view_article", "change_article", "add_article"],
        )
    )
    return EditorFactory(username="desk", password=PASSWORD)


@pytest.fixture
def corrected(live_server, editor):
    """An article whose second paragraph an editor corrected after publication."""
    article = ArticleFactory(
        section=SectionFactory(name="東アジア+", slug="east-asia-plus"),
        title="日韓首脳が会談、協力の継続を確認",
        body=[
            "会談は約二時間にわたって行われた。",
            "両国は協力を確認した。",
            "詳細は後日発表される。",
        ],
    )
    paragraph = article.paragraphs.all()[1]
    passage_change(
        article=article,
        key=f"paragraph-{paragraph.pk}",
        text="両国は協力の強化で一致した。",
        editor=editor,
        kind=ChangeKind.CORRECTION,
    )
    return article


def log_in(page, user, next_url):
    page.goto(f"{reverse('admin:login')}?next={next_url}")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()


@pytest.mark.parametrize(("device", "viewport"), [("phone", PHONE_390), ("desktop", DESKTOP)])
def test_an_editor_sees_the_diff_restores_the_earlier_version_and_readers_get_it_back(
    new_page, corrected, editor, screenshot_dir, device, viewport
):
    reader = new_page(viewport=viewport)
    reader.goto(corrected.get_absolute_url())
    expect(reader.locator("#p-2")).to_contain_text("両国は協力の強化で一致した。")
    expect(reader.locator(".article-corrections")).to_contain_text(
        "第2段落の「両国は協力を確認した」を「両国は協力の強化で一致した」に訂正しました。"
    )

    desk = new_page(viewport=viewport, is_mobile=device == "phone", has_touch=device == "phone")
    desk.add_init_script(RECORD_VIOLATIONS)
    log_in(desk, editor, reverse("admin:articles_article_change", args=[corrected.pk]))
    desk.get_by_role("link", name="文面の履歴").click()
    expect(desk.get_by_role("heading", level=1)).to_contain_text("文面の履歴")
    newest = desk.locator(".revision").first
    expect(newest).to_contain_text("訂正")
    expect(newest).to_contain_text("desk")
    expect(newest.locator("ins")).to_have_text("の強化で一致")
    expect(newest.locator("del")).to_have_text("を確認")
    desk.screenshot(path=screenshot_dir / f"revisions-history-{device}.png", full_page=True)

    desk.locator(".revision").last.get_by_role("link", name="この版に戻す").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("この版に戻しますか？")
    desk.screenshot(path=screenshot_dir / f"revisions-restore-{device}.png", full_page=True)
    desk.get_by_role("button", name="はい、この版に戻します").click()

    expect(desk.locator(".messagelist")).to_contain_text("の版の文面に戻しました。")
    expect(desk.locator(".revision").first).to_contain_text(re.compile(r"の版に戻しました"))
    assert desk.evaluate("window.cspViolations") == []
    reader.reload()
    expect(reader.locator("#p-2")).to_contain_text("両国は協力を確認した。")
    reader.screenshot(path=screenshot_dir / f"revisions-article-{device}.png", full_page=True)
