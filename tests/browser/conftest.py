"""Real headless Chromium (Debian's /usr/bin/chromium) driving the live server through Playwright.

One browser per session; every test gets fresh contexts with a Japanese reader's locale and time
zone. Any request that would leave the live server is blocked and recorded in `outside_requests`.
"""

import os
from urllib.parse import urlsplit

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}

# Playwright's sync API runs an event loop in the test thread; the ORM must still work there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _browser_required():
    return os.environ.get("CI") == "true" or bool(os.environ.get("TEST_BROWSER_REQUIRED"))


@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        reason = (
            f"{CHROMIUM} is missing: the browser tests need Debian's chromium "
            "(apt-get install chromium fonts-noto-cjk, or run tests/run_suite.sh)"
        )
        if _browser_required():
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)

    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
    except Exception:
        playwright.stop()
        raise
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def outside_requests():
    """URLs the pages tried to fetch from anywhere but the live server (all of them blocked)."""
    return []


@pytest.fixture
def new_page(browser, live_server, outside_requests):
    """Opens a page in a fresh Japanese-reader context; extra keywords go to new_context()."""
    live_origin = urlsplit(live_server.url)[:2]
    contexts = []

    def keep_to_the_live_server(route):
        url = route.request.url
        if urlsplit(url)[:2] == live_origin:
            route.continue_()
        else:
            outside_requests.append(url)
            route.abort()

    def open_page(**options):
        context = browser.new_context(
            base_url=live_server.url,
            locale="ja-JP",
            timezone_id="Asia/Tokyo",
            **{"viewport": DESKTOP, **options},
        )
        context.set_default_timeout(5_000)
        context.route("**/*", keep_to_the_live_server)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def screenshot_dir(test_output_dir):
    path = test_output_dir / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path
