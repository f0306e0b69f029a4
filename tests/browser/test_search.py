"""Searching in a real browser: the header's search box, marked results, phone and desktop."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def korea_news(live_server):
    """Three articles about South Korea, one about Europe."""
    section = SectionFactory(name="東アジア+", slug="east-asia-plus", position=1)
    now = timezone.now()
    hits = [
        ArticleFactory(
            section=section,
            title=title,
            summary=[summary],
            published_at=now - datetime.timedelta(hours=hours),
        )
        for hours, title, summary in [
            (1, "韓国で大統領選挙、投票率は過去最高", "韓国の選挙管理委員会が速報値を発表した。"),
            (2, "ソウルの地下鉄に新路線", "韓国の首都圏で通勤時間が短くなる見込み。"),
            (3, "ＫＯＲＥＡ半導体の輸出が回復", "韓国産の半導体が再び伸びている。"),
        ]
    ]
    other = ArticleFactory(
        section=SectionFactory(name="ヨーロッパ", slug="europe", position=2),
        title="欧州議会選挙、投票率が過去最高に",
        summary=["欧州の有権者が投票した。"],
        body=["結果は来週に確定する。"],
        original_title="Europe votes",
    )
    return hits, other


def test_reader_searches_korea_from_the_header_and_opens_the_hit(page, live_server, korea_news):
    hits, other = korea_news
    page.goto("/")

    box = page.get_by_role("searchbox", name="記事を検索")
    box.fill("韓国")
    box.press("Enter")

    expect(page).to_have_url(re.compile(r"/search/\?q=%E9%9F%93%E5%9B%BD$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("「韓国」の検索結果")
    results = page.locator("article.search-result")
    expect(results).to_have_count(3)
    expect(results.first.locator("h2 mark")).to_have_text("韓国")
    expect(results.nth(1).locator(".search-result__snippet mark")).to_have_text("韓国")
    expect(page.get_by_text(other.title)).to_have_count(0)
    expect(box).to_have_value("韓国")

    results.first.get_by_role("link", name=hits[0].title).click()

    expect(page.locator("h1.article-title")).to_have_text(hits[0].title)


def test_a_half_width_query_finds_and_marks_full_width_text(page, korea_news):
    page.goto("/search/?q=korea")

    expect(page.locator("article.search-result h2 mark")).to_have_text("ＫＯＲＥＡ")


def test_a_search_without_results_says_so_in_the_page(page, korea_news):
    page.goto("/")
    page.get_by_role("searchbox", name="記事を検索").fill("量子暗号")
    page.get_by_role("button", name="検索").click()

    expect(page.get_by_text("「量子暗号」に一致する記事は見つかりませんでした。")).to_be_visible()


@pytest.mark.parametrize(("device", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_search_page_fits_the_screen_with_the_box_usable(
    new_page, korea_news, screenshot_dir, device, viewport
):
    page = new_page(viewport=viewport, is_mobile=device == "phone", has_touch=device == "phone")
    page.goto("/search/?q=韓国")
    page.screenshot(path=screenshot_dir / f"search-{device}.png", full_page=True)

    widths = page.evaluate(
        "({scroll: document.documentElement.scrollWidth,"
        " client: document.documentElement.clientWidth})"
    )
    box = page.get_by_role("searchbox", name="記事を検索").bounding_box()
    button = page.get_by_role("button", name="検索").bounding_box()

    assert widths["scroll"] <= widths["client"], widths
    assert box["width"] >= 150
    assert button["x"] + button["width"] <= widths["client"]
    assert 24 <= box["height"] < 48
    assert button["height"] == pytest.approx(box["height"], abs=2)  # its word on one line
