"""A reader's walk through KJ News in a real browser: home, section, article."""

import io
import re
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.test import Client
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE
from tests.factories import ArticleFactory, SectionFactory, UserFactory, image_attach

pytestmark = pytest.mark.browser

SUMMARY = [f"要点{n}:両国の首脳が会談し、今後の協力について話し合った。" for n in range(1, 12)]
PARAGRAPHS = [
    "両国の首脳は東京で約二時間にわたって会談し、経済と安全保障の協力を確認した。",
    "会談では長年の懸案についても意見が交わされ、双方が歩み寄る姿勢を見せた。" * 12,
    "専門家の間では、今回の合意が地域の安定にどこまで寄与するかについて意見が分かれており",
]
SOURCE_URL = (
    "https://news.example.com/world/asia/2026/05/01/"
    "can-the-two-neighbours-really-work-together-after-decades-of-mistrust-0123456789"
)


def jpeg(width=1200, height=675):
    image = Image.new("RGB", (width, height), (40, 90, 140))
    ImageDraw.Draw(image).rectangle([width // 4, height // 4, width // 2, height // 2], "white")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG")
    return ContentFile(buffer.getvalue(), name="leaders.jpg")


@pytest.fixture
def news(live_server):
    """東アジア+ with one illustrated article, and another section with an article of its own."""
    east_asia = SectionFactory(name="東アジア+", slug="east-asia-plus", position=1)
    europe = SectionFactory(name="ヨーロッパ", slug="europe", position=2)
    article = ArticleFactory(
        section=east_asia,
        title="日韓首脳が会談、協力の継続を確認",
        original_title="Can the two neighbours really work together after decades of mistrust?",
        source_url=SOURCE_URL,
        image_caption="The two leaders shake hands before their talks in Tokyo",
        image_alt="握手する両国の首脳",
        summary=SUMMARY,
        body=PARAGRAPHS,
    )
    image_attach(article, jpeg())  # stored with its renditions, as the admin does
    other = ArticleFactory(section=europe, title="欧州議会選挙、投票率が過去最高に")
    return SimpleNamespace(section=east_asia, article=article, other=other)


def wait_for_images(page):
    """Brings every (lazily loaded) image into view and waits until it is loaded and decoded."""
    for image in page.locator("img").all():
        image.scroll_into_view_if_needed()
    page.evaluate("Promise.all([...document.images].map((image) => image.decode()))")
    page.evaluate("window.scrollTo(0, 0)")


def computed_styles(page):
    return page.evaluate(
        """() => ["body", ".site-header", "h1", "main"].map((selector) => {
            const style = getComputedStyle(document.querySelector(selector));
            return ["fontFamily", "fontSize", "color", "backgroundColor", "margin", "padding",
                    "maxWidth", "lineHeight"].map((property) => style[property]);
        })"""
    )


def test_reader_walks_from_home_through_the_section_to_the_article(page, live_server, news):
    article = news.article
    page.goto("/")
    card = page.locator("article.article-card").filter(has_text=article.title)
    expect(card.get_by_role("heading", level=2)).to_have_text(article.title)

    page.locator("nav.section-nav").get_by_role("link", name="東アジア+").click()
    expect(page).to_have_url(f"{live_server.url}/sections/east-asia-plus/")
    expect(page.get_by_role("heading", level=1)).to_have_text("東アジア+")
    expect(page.get_by_role("link", name=news.other.title)).to_have_count(0)

    page.get_by_role("link", name=article.title).click()
    expect(page.locator("h1.article-title")).to_have_text(article.title)
    # Each point ends with its own quiet 誤訳・誤りを指摘 link (suggestions).
    expect(page.locator("ul.summary li")).to_have_text(
        [f"{point}誤訳・誤りを指摘" for point in SUMMARY]
    )
    expect(page.locator("p.original-title[lang=en]")).to_contain_text(article.original_title)
    figure = page.locator("figure.article-image")
    expect(figure.get_by_role("img", name=article.image_alt)).to_be_attached()
    expect(figure.locator("figcaption")).to_have_text(article.image_caption)
    source = page.locator("p.source").get_by_role("link", name=SOURCE_URL)
    expect(source).to_have_attribute("href", SOURCE_URL)
    expect(source).to_have_attribute("rel", re.compile(r"(?=.*\bnoopener\b)(?=.*\bnoreferrer\b)"))
    expect(page.locator("ol.article-body > li")).to_have_count(len(PARAGRAPHS))
    expect(page.locator("ol.article-body")).to_have_css("list-style-type", "decimal")
    expect(page.locator("section#comments").get_by_role("heading", level=2)).to_have_text(
        "コメント"
    )


def test_article_image_is_served_and_shown(page, news):
    page.goto(news.article.get_absolute_url())
    image = page.locator("figure.article-image img")
    image.scroll_into_view_if_needed()

    page.wait_for_function("(image) => image.complete", arg=image.element_handle(), timeout=5_000)

    # A 1280 px wide window shows it 656 px wide: the 960 px WebP rendition is enough.
    assert image.evaluate("(image) => image.currentSrc").endswith("-960w.webp")
    # Decoded, and scaled for the sizes the page gave (656 CSS px from 960 image pixels).
    assert image.evaluate("(image) => image.naturalWidth") == round(image.bounding_box()["width"])
    expect(image).to_be_visible()


def test_site_stylesheet_is_served_and_changes_the_page(page, news):
    with page.expect_response(re.compile(r"\.css(\?|$)")) as stylesheet:
        page.goto("/")
    assert stylesheet.value.ok, f"{stylesheet.value.url} answered {stylesheet.value.status}"
    styled = computed_styles(page)

    page.evaluate("for (const sheet of document.styleSheets) sheet.disabled = true")

    assert computed_styles(page) != styled


def test_pages_load_nothing_from_other_origins(page, news, outside_requests):
    for url in ["/", news.section.get_absolute_url(), news.article.get_absolute_url()]:
        page.goto(url, wait_until="networkidle")

    assert outside_requests == []


@pytest.mark.parametrize(("device", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
@pytest.mark.parametrize("page_name", ["home", "article"])
def test_page_fits_the_screen_without_sideways_scrolling(
    new_page, news, screenshot_dir, device, viewport, page_name
):
    page = new_page(viewport=viewport, is_mobile=device == "phone", has_touch=device == "phone")
    page.goto(news.article.get_absolute_url() if page_name == "article" else "/")
    wait_for_images(page)
    page.screenshot(path=screenshot_dir / f"{page_name}-{device}.png", full_page=True)

    widths = page.evaluate(
        "({scroll: document.documentElement.scrollWidth,"
        " client: document.documentElement.clientWidth})"
    )

    assert widths["scroll"] <= widths["client"], widths


def test_draft_is_not_found_while_the_published_article_is(page, news):
    draft = ArticleFactory(section=news.section, title="未公開の下書き記事", draft=True)

    response = page.goto(draft.get_absolute_url())

    assert response.status == 404
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_role("heading", level=1)).to_have_text("ページが見つかりません")
    expect(page.get_by_text(draft.title)).to_have_count(0)
    assert page.goto(news.article.get_absolute_url()).status == 200


def test_editor_previews_a_draft_under_a_banner(new_page, live_server, news):
    draft = ArticleFactory(section=news.section, title="未公開の下書き記事", draft=True)
    editor = UserFactory(is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="change_article"))
    client = Client()
    client.force_login(editor)
    cookie = settings.SESSION_COOKIE_NAME
    page = new_page()
    page.context.add_cookies(
        [{"name": cookie, "value": client.cookies[cookie].value, "url": live_server.url}]
    )

    response = page.goto(draft.get_absolute_url())

    assert response.status == 200
    expect(page.locator(".preview-banner")).to_be_visible()
    expect(page.locator("h1.article-title")).to_have_text(draft.title)


def test_reader_without_javascript_walks_from_home_to_the_article(new_page, news):
    page = new_page(java_script_enabled=False)
    page.goto("/")

    page.locator("article.article-card").get_by_role("link", name=news.article.title).click()

    expect(page.locator("h1.article-title")).to_have_text(news.article.title)
    expect(page.locator("ul.summary li")).to_have_count(len(SUMMARY))
