"""The site behind Debian's nginx running deploy/nginx/kjnews.conf, over HTTPS, as in production.

Readers connect to nginx from addresses of their own (127.1.6.N); gunicorn trusts only nginx
(TRUSTED_PROXIES=127.0.0.1/32). Readers must be told apart, and nothing a reader writes in
X-Forwarded-For may change who they are: not through nginx, and not by reaching gunicorn directly.
"""

import json
import re

import pytest

from comments.models import Comment
from comments.posters import Poster
from tests.factories import ArticleFactory
from tests.servers import Gunicorn, Nginx, Reader, RedisServer, site_environment, wait_until

POSTER_ID = re.compile(r'<li[^>]*id="c-(\d+)".*?class="comment__poster-id">ID:([^<]+)<', re.S)


@pytest.fixture(scope="module")
def servers(django_db_setup, django_db_blocker, collected_static, tmp_path_factory):
    """gunicorn behind nginx, started once for the module; each test posts from addresses of its
    own, and its rows are emptied after it (`test_database_url`)."""
    from django.db import connection

    with django_db_blocker.unblock():
        params = connection.settings_dict
    database_url = (
        f"postgres://{params['USER']}:{params['PASSWORD']}@{params['HOST']}:{params['PORT']}"
        f"/{params['NAME']}"
    )
    workdir = tmp_path_factory.mktemp("nginx")
    log_dir = tmp_path_factory.mktemp("gunicorn")
    with RedisServer(tmp_path_factory.mktemp("redis")) as redis:
        gunicorn = Gunicorn(
            site_environment(
                DATABASE_URL=database_url,
                CACHE_URL=redis.url(),
                COMMENT_MIN_FILL_SECONDS="0",
                COMMENT_RATE_LIMITS="2/m",
                TRUSTED_PROXIES="127.0.0.1/32",
                FORWARDED_ALLOW_IPS="127.0.0.1",
                BEHIND_HTTPS_PROXY="true",
                SECURE_COOKIES="true",
                # nginx sends plain HTTP to HTTPS itself; the site's own redirect would turn away
                # the test's reader that reaches gunicorn directly (with a forged header).
                SECURE_SSL_REDIRECT="false",
                LOG_LEVEL="INFO",
            ),
            workers=2,
            log_path=log_dir / "gunicorn.log",
        )
        nginx = Nginx(gunicorn.port, workdir=workdir)
        # Readers post from the page nginx serves, whose origin carries the test's port.
        gunicorn.env["CSRF_TRUSTED_ORIGINS"] = nginx.url
        with gunicorn, nginx:
            yield nginx, gunicorn


@pytest.fixture
def nginx(servers):
    return servers[0]


@pytest.fixture
def gunicorn(servers):
    return servers[1]


@pytest.fixture
def article(test_database_url):
    return ArticleFactory()


def post(reader, article, body, headers=None):
    path = article.get_absolute_url()
    form = reader.open_comment_form(path)
    return reader.post_comment(path, form, body=body, headers=headers)


def poster_ids(reader, article) -> dict[int, str]:
    """The poster ID shown beside each comment, by comment number, as a reader sees them."""
    page = reader.get(article.get_absolute_url()).text
    return {int(number): poster_id for number, poster_id in POSTER_ID.findall(page)}


def test_two_readers_through_nginx_are_two_posters(nginx, article):
    first, second = nginx.reader("127.1.6.1"), nginx.reader("127.1.6.2")

    assert post(first, article, "一人目です").status == 302
    assert post(second, article, "二人目です").status == 302

    ids = poster_ids(first, article)
    assert len(ids) == 2
    assert ids[1] != ids[2]


def test_a_comment_posted_over_https_lands_on_its_page_with_secure_cookies(nginx, article):
    reader = nginx.reader("127.1.6.3")
    path = article.get_absolute_url()
    page = reader.get(path)
    assert "Secure" in page.headers["Set-Cookie"]

    response = reader.post_comment(path, reader.open_comment_form(path), body="HTTPS から投稿")

    assert response.status == 302
    assert "HTTPS から投稿" in reader.get(response.location).text


def test_a_forged_forwarded_header_through_nginx_changes_neither_id_nor_limit(nginx, article):
    reader = nginx.reader("127.1.6.4")
    assert post(reader, article, "素のまま").status == 302
    assert post(reader, article, "偽装一", {"X-Forwarded-For": "203.0.113.9"}).status == 302

    # The limit is two a minute: a third post, claiming yet another address, is refused.
    refused = post(reader, article, "偽装二", {"X-Forwarded-For": "203.0.113.10"})

    ids = poster_ids(reader, article)
    assert ids[1] == ids[2]
    assert ids[2] != Poster("203.0.113.9").id_for(article.pk)
    assert refused.status == 429
    assert Comment.objects.filter(article=article).count() == 2


def test_gunicorn_reached_directly_ignores_a_forged_forwarded_header(nginx, gunicorn, article):
    assert post(nginx.reader("127.1.6.5"), article, "nginx 経由").status == 302

    direct = Reader(gunicorn.url, address="127.1.6.5")
    response = post(direct, article, "直接、偽装付き", {"X-Forwarded-For": "203.0.113.9"})

    assert response.status == 302
    ids = poster_ids(direct, article)
    assert ids[2] == ids[1]  # the address it came from, not the one it claimed
    assert ids[2] != Poster("203.0.113.9").id_for(article.pk)
    # The operator is told that a forwarded header came from outside TRUSTED_PROXIES.
    assert "127.1.6.5, which is not in TRUSTED_PROXIES" in gunicorn.log()


def test_plain_http_is_sent_to_https(nginx):

    response = Reader(nginx.http_url, address="127.1.6.6").get("/articles/some-article/?x=1")

    assert response.status == 301
    assert response.location == "https://127.0.0.1/articles/some-article/?x=1"


def test_a_form_post_over_64_kb_is_refused_by_nginx_before_it_reaches_the_site(nginx, article):
    reader = nginx.reader("127.1.6.7")

    response = post(reader, article, "長" * 30_000)

    assert response.status == 413
    assert not Comment.objects.filter(article=article).exists()


def test_nginx_logs_json_without_addresses_naming_requests_as_the_site_does(
    nginx, gunicorn, article
):
    response = nginx.reader("127.1.6.8").get(f"{article.get_absolute_url()}?q=secret-search")
    request_id = response.headers["X-Request-ID"]

    def logged(text):
        """The lines naming the request, once written (each server logs after it answered)."""
        lines = [json.loads(line) for line in text.splitlines()]
        return [line for line in lines if line.get("request_id") == request_id]

    [ours] = wait_until(
        lambda: logged(nginx.access_log_path.read_text()), timeout=10, what="nginx's line"
    )
    assert (ours["path"], ours["status"]) == (article.get_absolute_url(), 200)
    site_lines = wait_until(
        lambda: len(found := logged(gunicorn.log())) == 2 and found, timeout=10, what="2 lines"
    )
    assert {line["logger"] for line in site_lines} == {"kjnews.requests", "gunicorn.access"}
    for log in (nginx.access_log_path.read_text(), gunicorn.log()):
        assert "127.1.6.8" not in log
        assert "secret-search" not in log
