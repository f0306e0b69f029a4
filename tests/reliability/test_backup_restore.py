"""Backups restore: a database holding articles, comments, reports, bans and the moderation log is
dumped with `pg_dump -Fc` and restored with `pg_restore` into a new database, exactly as
docs/operations.md tells an operator to; the restored database holds the same rows, and the site
runs on it."""

import contextlib
import datetime
import os
import subprocess
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from django.utils import timezone

from comments.disclosure import public_key_text
from comments.models import Comment, Report, Thread
from comments.posters import Poster
from comments.retention import personal_data_purge
from comments.services import (
    blocked_term_add,
    comment_create,
    comment_report,
    comments_moderate,
    poster_ban,
    section_policy_set,
    thread_close,
)
from tests.factories import ArticleFactory, SectionFactory, UserFactory
from tests.servers import Reader, manage, site_environment


def server_binary(database_url: str, name: str) -> Path:
    """pg_dump and pg_restore from Debian's packages, of the server's own major version: an
    older pg_dump refuses a newer server, and a dump must be restorable by the same release."""
    with psycopg.connect(database_url) as connection:
        [version] = connection.execute("SHOW server_version_num").fetchone()
    binary = Path(f"/usr/lib/postgresql/{int(version) // 10000}/bin/{name}")
    if not binary.exists():
        reason = f"{binary} is missing: apt-get install postgresql-client-{int(version) // 10000}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return binary


def run(*command):
    done = subprocess.run([str(part) for part in command], capture_output=True, text=True)
    assert done.returncode == 0, f"{command[0]} failed:\n{done.stdout}{done.stderr}"
    return done.stdout


def database_url_for(url: str, name: str) -> str:
    return urlsplit(url)._replace(path=f"/{name}").geturl()


@contextlib.contextmanager
def new_database(server_url: str):
    """An empty database on the same server, created as an operator creates one for a restore,
    and dropped afterwards."""
    name = f"kjnews_restore_{uuid.uuid4().hex[:12]}"
    admin_url = database_url_for(server_url, "postgres")
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(
            f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' "
            "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
        )
    try:
        yield database_url_for(server_url, name)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def a_site_in_use():
    """What a site has after some weeks: sections and articles, comments (sealed sender records
    included), reports, bans, policies, blocked terms, a closed thread, a purge, the log."""
    # A superuser: a transactional test's database is emptied before it, groups included.
    moderator = UserFactory(username="mod-backup", is_staff=True, is_superuser=True, password=None)
    section = SectionFactory(name="ヨーロッパ", slug="europe")
    articles = [ArticleFactory(section=section) for _ in range(3)]
    for number, article in enumerate(articles[:2]):
        for reader in range(4):
            address = f"198.51.100.{number * 10 + reader + 1}"
            comment_create(
                article=article,
                poster=Poster(address=address, sender=address),
                name="" if reader % 2 else "読者",
                body=f"記事{number}への{reader}番目のコメント https://example.com/{reader}",
                deletion_key=f"key-{number}-{reader}",
            )
    reported = Comment.objects.filter(article=articles[0]).first()
    for reporter in range(2):
        comment_report(
            comment=reported,
            reporter=Poster(address=f"203.0.113.{reporter + 1}"),
            reason=Report.Reason.ABUSE,
            note="暴言です",
        )
    spam = Comment.objects.filter(article=articles[1]).last()
    comments_moderate(actor=moderator, comments=[spam], kind="ban", ban_duration="7d")
    poster_ban(
        actor=moderator,
        poster_hash=Poster(address="192.0.2.77").hash,
        expires_at=timezone.now() + datetime.timedelta(days=30),
        reason="荒らし",
    )
    section_policy_set(
        actor=moderator, section=SectionFactory(), moderation_mode="pre", report_threshold=2
    )
    blocked_term_add(actor=moderator, term="しね", action="reject")
    thread_close(actor=moderator, thread=Thread.objects.get(article=articles[1]))
    personal_data_purge()
    return articles


def table_rows(database_url: str) -> dict[str, list[str]]:
    """Every table of the database, each as its rows written out as text, in one order."""
    with psycopg.connect(database_url) as connection:
        tables = [
            table
            for (table,) in connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        return {
            table: [
                row for (row,) in connection.execute(f'SELECT t::text FROM "{table}" t ORDER BY 1')
            ]
            for table in tables
        }


def sequences(database_url: str) -> list[tuple]:
    with psycopg.connect(database_url) as connection:
        return connection.execute(
            "SELECT sequencename, last_value FROM pg_sequences ORDER BY sequencename"
        ).fetchall()


@pytest.fixture
def restored(test_database_url, settings, tmp_path):
    """The site's database, dumped and restored into a new one: (articles, source, restored)."""
    settings.DISCLOSURE_PUBLIC_KEY = public_key_text(X25519PrivateKey.generate().public_key())
    articles = a_site_in_use()
    dump = tmp_path / "kjnews.dump"
    run(
        server_binary(test_database_url, "pg_dump"),
        "--format=custom",
        "--file",
        dump,
        "--dbname",
        test_database_url,
    )
    with new_database(test_database_url) as restored_url:
        run(
            server_binary(test_database_url, "pg_restore"),
            "--no-owner",
            "--exit-on-error",
            "--dbname",
            restored_url,
            dump,
        )
        yield articles, test_database_url, restored_url


def test_a_restored_dump_holds_the_same_rows_in_every_table_and_the_same_sequences(restored):
    _articles, source, copy = restored

    rows, restored_rows = table_rows(source), table_rows(copy)

    assert restored_rows == rows
    assert {table for table, content in rows.items() if content} >= {
        "articles_article",
        "comments_comment",
        "comments_report",
        "comments_ban",
        "comments_moderationaction",
        "comments_moderationaction_comments",
        "comments_sectionpolicy",
        "comments_blockedterm",
        "comments_personaldatapurge",
    }
    assert sequences(copy) == sequences(source)


def test_the_site_runs_on_a_restored_database_and_numbers_new_comments_on(
    restored, start_site, redis_server
):
    articles, _source, copy = restored
    manage("migrate", "--check", env=site_environment(DATABASE_URL=copy))
    site = start_site(
        database_url=copy, cache_url=redis_server.url(), workers=1, COMMENT_MIN_FILL_SECONDS="0"
    )
    reader = Reader(site.url, address="127.1.9.1")
    path = articles[0].get_absolute_url()

    page = reader.get(path)
    posted = reader.post_comment(
        path, reader.open_comment_form(path), body="復元後の最初のコメント"
    )

    assert page.status == 200
    assert "記事0への0番目のコメント" in page.text
    assert posted.status == 302
    assert posted.location.endswith("#c-5")  # after the four restored ones
