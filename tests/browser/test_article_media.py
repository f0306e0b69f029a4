"""An illustrated article in a real browser: the rendition it picks for the screen, the space the
image keeps before it loads, and the structured data under a strict Content-Security-Policy."""

import json

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE
from tests.factories import ArticleFactory, SectionFactory, image_attach, jpeg_upload

pytestmark = pytest.mark.browser

# What a strict policy allows: this site's own files, no inline script or style.
STRICT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "object-src 'none'; base-uri 'none'"
)
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push({directive: event.effectiveDirective, blocked: event.blockedURI});
});
"""


@pytest.fixture
def article(live_server):
    article = ArticleFactory(
        section=SectionFactory(name="東アジア+", slug="east-asia-plus"),
        title="日韓首脳が会談、協力の継続を確認",
        summary=["両国の首脳が東京で会談した。"],
        image_caption="The two leaders shake hands before their talks in Tokyo",
    )
    return image_attach(article, jpeg_upload("leaders.jpg", size=(2400, 1350)))


@pytest.mark.parametrize(
    ("device", "viewport", "chosen"), [("phone", PHONE, 480), ("desktop", DESKTOP, 960)]
)
def test_the_browser_loads_the_webp_rendition_the_screen_needs(
    new_page, article, screenshot_dir, device, viewport, chosen
):
    page = new_page(viewport=viewport, is_mobile=device == "phone", has_touch=device == "phone")
    page.goto(article.get_absolute_url())
    image = page.locator("figure.article-image img")
    image.scroll_into_view_if_needed()
    page.wait_for_function("(image) => image.complete", arg=image.element_handle())
    page.screenshot(path=screenshot_dir / f"article-image-{device}.png", full_page=True)

    assert image.evaluate("(image) => image.currentSrc").endswith(f"-{chosen}w.webp")
    box = image.bounding_box()
    assert box["width"] <= viewport["width"]
    assert abs(box["height"] - box["width"] * 1350 / 2400) < 1


def test_the_image_keeps_its_place_before_it_arrives_so_the_text_never_jumps(new_page, article):
    page = new_page(viewport=PHONE)
    page.route("**/media/**", lambda route: route.abort())  # the image never arrives

    page.goto(article.get_absolute_url())

    box = page.locator("figure.article-image img").bounding_box()
    assert box["width"] > 300
    assert abs(box["height"] - box["width"] * 1350 / 2400) < 1


def test_structured_data_is_readable_under_a_strict_content_security_policy(new_page, article):
    page = new_page()
    page.add_init_script(RECORD_VIOLATIONS)

    def with_strict_policy(route):
        response = route.fetch()
        route.fulfill(
            response=response,
            headers={**response.headers, "content-security-policy": STRICT_CSP},
        )

    page.route(f"**{article.get_absolute_url()}", with_strict_policy)
    page.goto(article.get_absolute_url(), wait_until="networkidle")

    data = json.loads(
        page.locator('script[type="application/ld+json"]').evaluate("(block) => block.textContent")
    )
    assert data["headline"] == article.title
    assert page.evaluate("window.cspViolations") == []
    expect(page.locator("figure.article-image img")).to_be_visible()

    # The policy is in force: an inline script is refused, and the refusal is recorded.
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.inlineRan = true";
          document.head.append(script);
        }"""
    )
    page.wait_for_function("window.cspViolations.length > 0")
    assert page.evaluate("window.inlineRan") is None
    assert page.evaluate("window.cspViolations") == [
        {"directive": "script-src-elem", "blocked": "inline"}
    ]
