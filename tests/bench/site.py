"""What the bench learns from the running site over HTTP, as a browser would: a page's size, a
comment form's tokens and an editor's session from the real admin login form."""

import html
import http.cookiejar
import re
import urllib.parse
import urllib.request
from dataclasses import dataclass


class SiteError(RuntimeError):
    pass


@dataclass(frozen=True)
class FormTokens:
    csrf_cookie: str
    csrf_field: str
    started: str  # the comment form's signed start time


def _opener() -> tuple[urllib.request.OpenerDirector, http.cookiejar.CookieJar]:
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar)), jar


def _cookie(jar: http.cookiejar.CookieJar, name: str) -> str:
    for cookie in jar:
        if cookie.name == name:
            return cookie.value
    raise SiteError(f"the site set no {name} cookie")


def _hidden_value(page: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', page)
    if not match:
        raise SiteError(f"no {name} field on the page")
    return html.unescape(match.group(1))


def page_bytes(url: str) -> int:
    with urllib.request.urlopen(url, timeout=30) as response:
        return len(response.read())


def comment_form_tokens(article_url: str) -> FormTokens:
    """The CSRF cookie and token and the `started` field a reader's browser would send back."""
    opener, jar = _opener()
    with opener.open(article_url, timeout=30) as response:
        page = response.read().decode()
    return FormTokens(
        csrf_cookie=_cookie(jar, "csrftoken"),
        csrf_field=_hidden_value(page, "csrfmiddlewaretoken"),
        started=_hidden_value(page, "started"),
    )


def editor_session(base_url: str, *, username: str, password: str) -> dict[str, str]:
    """Log in through the admin's login form; returns the cookies a logged-in browser sends."""
    opener, jar = _opener()
    login_url = f"{base_url}/admin/login/"
    with opener.open(login_url, timeout=30) as response:
        token = _hidden_value(response.read().decode(), "csrfmiddlewaretoken")
    form = urllib.parse.urlencode(
        {
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": token,
            "next": "/admin/",
        }
    ).encode()
    with opener.open(login_url, data=form, timeout=30):
        pass
    return {"sessionid": _cookie(jar, "sessionid"), "csrftoken": _cookie(jar, "csrftoken")}
