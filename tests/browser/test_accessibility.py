"""Accessibility in a real browser: axe-core on every kind of reader page, and the keyboard alone.

axe-core is the npm package pinned in tests/browser/axe/package-lock.json (installed by
tests/run_suite.sh), injected into each page. Contexts bypass a Content-Security-Policy, which
would otherwise refuse the injected script: the test tool is not the page.
"""

import os
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from articles.models import ChangeKind
from articles.passages import passage_change
from tests.browser.conftest import DESKTOP, PHONE
from tests.factories import ArticleFactory, CommentFactory, EditorFactory, SectionFactory

pytestmark = pytest.mark.browser

AXE_SCRIPT = Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
# What a reader cannot get past: the impacts that fail a page.
BLOCKING = {"serious", "critical"}
DEVICES = [("phone", PHONE), ("desktop", DESKTOP)]


@pytest.fixture(scope="session")
def axe_script():
    if not AXE_SCRIPT.exists():
        reason = (
            f"{AXE_SCRIPT} is missing: run tests/run_suite.sh, which installs axe-core "
            "(npm ci --ignore-scripts in tests/browser/axe)"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return AXE_SCRIPT


@pytest.fixture(autouse=True)
def _readers_type_instantly(settings):
    settings.COMMENT_MIN_FILL_SECONDS = 0


@pytest.fixture
def site(live_server):
    """A section with an article that has a correction, comments and an open comment form."""
    section = SectionFactory(name="東アジア+", slug="east-asia-plus", position=1)
    SectionFactory(name="ヨーロッパ", slug="europe", position=2)
    article = ArticleFactory(
        section=section,
        title="韓国で大統領選挙、投票率は過去最高",
        summary=["韓国の選挙管理委員会が速報値を発表した。", "投票率は8割に迫った。"],
        body=["有権者の関心は高く、各地の投票所に列ができた。", "結果は明日判明する。"],
    )
    ArticleFactory.create_batch(3, section=section)
    passage_change(
        article=article,
        key=f"paragraph-{article.paragraphs.all()[1].pk}",
        text="結果は明後日に判明する見通し。",
        editor=EditorFactory(),
        kind=ChangeKind.CORRECTION,
    )
    CommentFactory(article=article, name="通りすがり", body="続報を待っています。")
    CommentFactory(article=article, body=">>1 同感です。https://example.com/ も参考に。")
    return article


def page_paths(article):
    return {
        "home": "/",
        "section": article.section.get_absolute_url(),
        "article": article.get_absolute_url(),
        "search": "/search/?q=韓国",
        "corrections": reverse("articles:corrections"),
    }


def blocking_violations(page, axe_script):
    page.add_script_tag(path=str(axe_script))
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(str(node["target"]) for node in violation["nodes"][:5])
        for violation in results["violations"]
        if violation["impact"] in BLOCKING
    ]


@pytest.mark.parametrize(("device", "viewport"), DEVICES)
@pytest.mark.parametrize("page_name", ["home", "section", "article", "search", "corrections"])
def test_reader_pages_have_no_serious_accessibility_violations(
    new_page, site, axe_script, page_name, device, viewport
):
    page = new_page(
        viewport=viewport,
        is_mobile=device == "phone",
        has_touch=device == "phone",
        bypass_csp=True,
    )
    page.goto(page_paths(site)[page_name])

    assert blocking_violations(page, axe_script) == []


# The keyboard alone


def tab_to(page, locator, *, most=60):
    """Press Tab until `locator` has the focus, as a keyboard user would; fails after `most`."""
    for _press in range(most):
        page.keyboard.press("Tab")
        if locator.evaluate("(element) => element === document.activeElement"):
            return
    raise AssertionError(f"{locator} never got the focus in {most} presses of Tab")


def focus_is_visible(locator):
    """The focused element draws an outline (the site's :focus-visible ring)."""
    return locator.evaluate(
        """(element) => {
            const style = getComputedStyle(element);
            return element.matches(':focus-visible') && style.outlineStyle !== 'none'
                && parseFloat(style.outlineWidth) >= 2;
        }"""
    )


def test_keyboard_reader_searches_and_opens_a_hit(page, site):
    page.goto("/")

    box = page.get_by_role("searchbox", name="記事を検索")
    tab_to(page, box)
    assert focus_is_visible(box)
    page.keyboard.type("韓国")
    page.keyboard.press("Enter")

    hit = page.locator("article.search-result").get_by_role("link", name=site.title)
    tab_to(page, hit)
    assert focus_is_visible(hit)
    page.keyboard.press("Enter")

    expect(page.locator("h1.article-title")).to_have_text(site.title)


def test_keyboard_reader_reaches_a_comments_report_link_and_opens_the_report_form(page, site):
    page.goto(site.get_absolute_url())

    report = page.locator("#c-1").get_by_role("link", name="通報")
    tab_to(page, report, most=80)
    assert focus_is_visible(report)
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("コメントを通報")


def test_keyboard_reader_reaches_the_comment_form_and_its_button(page, site):
    page.goto(site.get_absolute_url())

    box = page.locator("#comment-form").get_by_label("コメント", exact=True)
    tab_to(page, box, most=80)
    assert focus_is_visible(box)
    page.keyboard.type("キーボードだけで書いたコメント")
    button = page.get_by_role("button", name="コメントを投稿")
    tab_to(page, button, most=5)

    assert focus_is_visible(button)
