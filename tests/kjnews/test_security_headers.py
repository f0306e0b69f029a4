"""What a browser gets from the site as it runs in production (README, "Production settings"):
the security headers on every kind of page, and the attributes of every cookie.

The settings are those a fresh interpreter builds from the README's production block, applied
through the `settings` fixture; requests arrive over HTTPS through the proxy, as nginx sends them.
"""

import json
import os
import re
import subprocess
import sys
from http import HTTPStatus

import pytest
from django.http import HttpResponseRedirect
from django.test import Client, RequestFactory
from django.urls import path, reverse

import kjnews.urls
from comments.forms import form_started_token
from kjnews.middleware import ReplicaReadsMiddleware
from tests.factories import EditorFactory
from tests.kjnews.test_settings import PROJECT_DIR, production_environment

pytestmark = pytest.mark.django_db

HOST = "kjnews.example"

# The settings that decide headers and cookies.
_PREFIXES = ("SECURE_", "SESSION_", "CSRF_", "LANGUAGE_COOKIE_", "X_FRAME_OPTIONS")
_NAMES = ("ALLOWED_HOSTS", "PERMISSIONS_POLICY", "ADMIN_CSP", "DEBUG")

READER_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
ADMIN_CSP = re.compile(
    r"default-src 'self'; script-src 'self' 'nonce-[\w-]{16,}'; "
    r"style-src 'self' 'nonce-[\w-]{16,}'; img-src 'self' data:; object-src 'none'; "
    r"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), browsing-topics=(), camera=(), display-capture=(), "
    "encrypted-media=(), fullscreen=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), midi=(), payment=(), picture-in-picture=(), publickey-credentials-get=(), "
    "screen-wake-lock=(), serial=(), usb=(), xr-spatial-tracking=()"
)
EVERY_PAGE = {
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "Permissions-Policy": PERMISSIONS_POLICY,
    "Cross-Origin-Opener-Policy": "same-origin",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


def failing_view(request):
    raise RuntimeError("a bug")


# This module is also the URLconf of the server-error test: the site's URLs plus a broken view.
urlpatterns = [path("broken/", failing_view), *kjnews.urls.urlpatterns]
handler500 = kjnews.urls.handler500


@pytest.fixture(scope="module")
def production_settings():
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        f"names = [n for n in dir(s) if n.startswith({_PREFIXES!r}) or n in {_NAMES!r}]; "
        "print(json.dumps({n: getattr(s, n) for n in names}, default=list))"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(production_environment(), DJANGO_SETTINGS_MODULE="kjnews.settings")
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_DIR, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"])
    return values


@pytest.fixture
def in_production(settings, production_settings):
    for name, value in production_settings.items():
        setattr(settings, name, value)
    settings.COMMENT_MIN_FILL_SECONDS = 0
    return settings


@pytest.fixture
def browser(in_production):
    """A browser reaching the site through the HTTPS proxy."""
    return Client(headers={"host": HOST, "x-forwarded-proto": "https"})


def assert_security_headers(response, csp=READER_CSP):
    for header, value in EVERY_PAGE.items():
        assert response.headers.get(header) == value, header
    if isinstance(csp, re.Pattern):
        assert csp.fullmatch(response.headers["Content-Security-Policy"])
    else:
        assert response.headers["Content-Security-Policy"] == csp


def assert_host_only_cookie(response, name):
    """Secure, HttpOnly, SameSite=Lax, Path=/, no Domain, and so the __Host- prefix."""
    cookie = response.cookies[f"__Host-{name}"]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/"
    assert cookie["domain"] == ""
    return cookie


# Headers


def test_an_article_page_sends_every_security_header(browser, article):
    response = browser.get(article.get_absolute_url())

    assert response.status_code == HTTPStatus.OK
    assert_security_headers(response)


def test_the_admin_sign_in_page_sends_every_header_with_the_admins_own_nonce(browser):
    response = browser.get(reverse("admin:login"))

    assert response.status_code == HTTPStatus.OK
    assert_security_headers(response, csp=ADMIN_CSP)
    nonce = re.search(r"'nonce-([\w-]+)'", response.headers["Content-Security-Policy"])[1]
    assert f'nonce="{nonce}"' in response.text


def test_the_admin_index_of_a_signed_in_editor_sends_every_header(browser):
    browser.force_login(EditorFactory())

    response = browser.get(reverse("admin:index"))

    assert response.status_code == HTTPStatus.OK
    assert_security_headers(response, csp=ADMIN_CSP)


def test_a_page_not_found_sends_every_security_header(browser):
    response = browser.get("/no/such/page/")

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert_security_headers(response)


def test_a_server_error_sends_every_security_header(browser, in_production):
    in_production.ROOT_URLCONF = __name__
    browser.raise_request_exception = False

    response = browser.get("/broken/")

    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert "サーバーエラーが発生しました" in response.text
    assert_security_headers(response)


def test_plain_http_is_sent_to_https(in_production, article):
    response = Client(headers={"host": HOST, "x-forwarded-proto": "http"}).get(
        article.get_absolute_url()
    )

    assert response.status_code == HTTPStatus.MOVED_PERMANENTLY
    assert response["Location"] == f"https://{HOST}{article.get_absolute_url()}"


# Cookies


def test_a_reader_shown_the_comment_form_gets_a_host_only_csrf_cookie(browser, article):
    response = browser.get(article.get_absolute_url())

    assert_host_only_cookie(response, "csrftoken")


def test_staff_get_a_host_only_session_cookie_that_ends_with_the_browser(browser, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    EditorFactory(username="yamada", password="correct horse battery staple")

    response = browser.post(
        reverse("admin:login"),
        {"username": "yamada", "password": "correct horse battery staple"},
    )

    assert response.status_code == HTTPStatus.FOUND
    cookie = assert_host_only_cookie(response, "sessionid")
    assert cookie["max-age"] == ""
    assert cookie["expires"] == ""
    assert browser.session.get_expiry_age() == 8 * 3600


def test_a_reader_who_comments_gets_host_only_cookies_and_then_a_page_of_their_own(
    browser, article
):
    form = {"name": "", "body": "はじめまして。", "website": ""}
    form["started"] = form_started_token(article.pk)

    response = browser.post(reverse("comments:post", args=[article.slug]), form)

    assert response.status_code == HTTPStatus.FOUND
    for name in ("kj_deletion_key", "kj_personal", "messages"):
        assert_host_only_cookie(response, name)
    page = browser.get(response["Location"])
    assert page.headers["X-Page-Cache"] == "personal"
    assert "はじめまして。" in page.text


def test_a_reader_who_picks_a_language_gets_a_host_only_language_cookie(browser):
    response = browser.post(reverse("set_language"), {"language": "en", "next": "/"})

    assert response.status_code == HTTPStatus.FOUND
    assert_host_only_cookie(response, "django_language")
    assert 'lang="en"' in browser.get("/").text


def test_a_reader_who_has_just_written_gets_a_host_only_replica_pin(in_production):
    request = RequestFactory().post("/anything/", secure=True)
    middleware = ReplicaReadsMiddleware(lambda request: HttpResponseRedirect("/"))

    response = middleware(request)

    assert_host_only_cookie(response, "kj_primary")
