"""The shared page cache: fast for everyone, and nothing of one reader ever reaches another.

These tests keep pages (PAGE_CACHE_SECONDS) in the real Redis and run the on-commit invalidation
that writes trigger, as a live site does.
"""

import datetime
import re
import time
from http import HTTPStatus

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment, Thread
from comments.services import comments_moderate
from tests.factories import ArticleFactory, CommentFactory, EditorFactory, ModeratorFactory

pytestmark = pytest.mark.django_db

TOKEN_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
STARTED_RE = re.compile(r'name="started" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _pages_kept(settings):
    settings.PAGE_CACHE_SECONDS = 600
    settings.COMMENT_MIN_FILL_SECONDS = 0


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs what a write does after its commit (the invalidation), as on a live site."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def stored_pages() -> list[str]:
    client = cache._cache.get_client(write=False)
    return [client.get(key).decode("latin-1") for key in client.keys("*pages:page:*")]


def form_fields(page, body) -> dict[str, str]:
    """What the reader's browser sends from `page`: its own token and start time, and a comment."""
    return {
        "csrfmiddlewaretoken": TOKEN_RE.search(page.text)[1],
        "started": STARTED_RE.search(page.text)[1],
        "name": "",
        "body": body,
        "website": "",
    }


def post_comment(client, article, body, committed):
    page = client.get(article.get_absolute_url())
    with committed():
        return client.post(f"{article.get_absolute_url()}comments/", form_fields(page, body))


def test_the_second_reader_of_an_article_gets_the_page_from_the_cache(article):
    first = Client().get(article.get_absolute_url())
    second = Client().get(article.get_absolute_url())

    assert first["X-Page-Cache"] == "miss"
    assert second["X-Page-Cache"] == "hit"
    assert second.status_code == HTTPStatus.OK


def test_readers_of_the_same_cached_page_each_get_their_own_token(article):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)

    first_page = first.get(article.get_absolute_url())
    second_page = second.get(article.get_absolute_url())

    assert second_page["X-Page-Cache"] == "hit"
    first_token = TOKEN_RE.search(first_page.text)[1]
    second_token = TOKEN_RE.search(second_page.text)[1]
    assert first_token != second_token
    assert first.cookies["csrftoken"].value != second.cookies["csrftoken"].value
    stored = "".join(stored_pages())
    assert first_token not in stored
    assert second_token not in stored
    assert first.cookies["csrftoken"].value not in stored


def test_two_readers_both_post_from_the_same_cached_page(article, committed):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first_page = first.get(article.get_absolute_url())
    second_page = second.get(article.get_absolute_url())
    assert second_page["X-Page-Cache"] == "hit"

    answers = []
    for reader, page, body in [(first, first_page, "一人目"), (second, second_page, "二人目")]:
        with committed():
            answers.append(
                reader.post(f"{article.get_absolute_url()}comments/", form_fields(page, body))
            )

    assert [answer.status_code for answer in answers] == [HTTPStatus.FOUND, HTTPStatus.FOUND]
    assert list(Comment.objects.order_by("number").values_list("body", flat=True)) == [
        "一人目",
        "二人目",
    ]


def test_each_reader_of_a_cached_page_gets_a_fresh_form_start_time(article, settings):
    settings.COMMENT_MIN_FILL_SECONDS = 1
    Client().get(article.get_absolute_url())  # rendered and stored
    time.sleep(1.5)  # the stored page is older than the minimum fill time
    reader = Client()

    page = reader.get(article.get_absolute_url())
    response = reader.post(
        f"{article.get_absolute_url()}comments/", form_fields(page, "読まずにすぐ送る")
    )

    assert page["X-Page-Cache"] == "hit"
    # Sent at once, it is refused as a bot's: the start time is this reader's, not the page's.
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "読まずにすぐ送る" in response.text


def test_a_new_comment_shows_at_once_to_readers_of_the_cached_page(article, committed):
    Client().get(article.get_absolute_url())

    post_comment(Client(), article, "新しいコメント", committed)

    page = Client().get(article.get_absolute_url())
    assert page["X-Page-Cache"] == "miss"
    assert "新しいコメント" in page.text


def test_the_poster_sees_their_held_comment_and_other_readers_do_not(article, committed):
    Thread.objects.create(article=article, slow_mode=True)
    poster = Client()
    Client().get(article.get_absolute_url())  # the page is in the cache

    response = post_comment(poster, article, "確認待ちのコメント", committed)
    own_page = poster.get(response["Location"])
    # Later visits, after the confirmation has been shown, are still the poster's own.
    later_own_page = poster.get(article.get_absolute_url())
    someone_else = Client().get(article.get_absolute_url())

    assert "確認待ちのコメント" in own_page.text
    assert "確認待ちのコメント" in later_own_page.text
    assert later_own_page["X-Page-Cache"] == "personal"
    assert "no-store" in later_own_page["Cache-Control"]
    assert "確認待ちのコメント" not in someone_else.text
    assert "確認待ちのコメント" not in "".join(stored_pages())


def test_the_poster_sees_their_delete_button_and_it_is_never_shared(article, committed):
    poster = Client()
    post_comment(poster, article, "消せるコメント", committed)

    own_page = poster.get(article.get_absolute_url())
    someone_else = Client().get(article.get_absolute_url())

    assert "comment__delete" in own_page.text
    assert "comment__delete" not in someone_else.text
    assert "comment__delete" not in "".join(stored_pages())


def test_a_confirmation_is_shown_only_to_the_reader_it_is_for(article, committed):
    poster = Client()
    response = post_comment(poster, article, "確認メッセージ", committed)

    own_page = poster.get(response["Location"])
    someone_else = Client().get(response["Location"])

    assert "1番として投稿しました" in own_page.text
    assert "1番として投稿しました" not in someone_else.text


def test_an_editor_never_gets_the_page_cached_for_readers(client, article):
    Client().get(article.get_absolute_url())  # cached for readers
    # Changed behind the cache's back: only a fresh render can show it.
    type(article).objects.filter(pk=article.pk).update(title="編集者だけが見る新しい見出し")
    client.force_login(EditorFactory())

    editor_page = client.get(article.get_absolute_url())
    reader_page = Client().get(article.get_absolute_url())

    assert "編集者だけが見る新しい見出し" in editor_page.text
    assert editor_page["X-Page-Cache"] == "personal"
    assert "no-store" in editor_page["Cache-Control"]
    assert "編集者だけが見る新しい見出し" not in reader_page.text


def test_a_page_an_editor_opened_is_never_given_to_readers(client, article):
    client.force_login(EditorFactory())
    client.get(article.get_absolute_url())

    assert stored_pages() == []
    assert Client().get(article.get_absolute_url())["X-Page-Cache"] == "miss"


def test_an_editors_preview_of_a_draft_is_never_cached(client):
    draft = ArticleFactory(draft=True)
    client.force_login(EditorFactory())

    preview = client.get(draft.get_absolute_url())

    assert "preview-banner" in preview.text
    assert stored_pages() == []
    assert Client().get(draft.get_absolute_url()).status_code == HTTPStatus.NOT_FOUND


def test_a_moderated_comment_disappears_at_once(article, committed):
    comment = CommentFactory(article=article, body="消されるコメント")
    assert "消されるコメント" in Client().get(article.get_absolute_url()).text

    with committed():
        comments_moderate(actor=ModeratorFactory(), comments=[comment], kind="remove")

    assert "消されるコメント" not in Client().get(article.get_absolute_url()).text


def test_an_edited_article_shows_at_once_on_its_page_and_in_the_lists(article, committed):
    Client().get(article.get_absolute_url())
    Client().get("/")

    with committed():
        article.title = "見出しを直しました"
        article.save()

    assert "見出しを直しました" in Client().get(article.get_absolute_url()).text
    assert "見出しを直しました" in Client().get("/").text


def test_a_thread_closed_in_the_admin_stops_offering_the_form_at_once(article, committed):
    assert 'id="comment-form"' in Client().get(article.get_absolute_url()).text
    editor = Client()
    editor.force_login(EditorFactory())

    with committed():
        editor.post(
            reverse("admin:comments_thread_add"), {"article": article.pk, "is_closed": "on"}
        )

    page = Client().get(article.get_absolute_url())
    assert 'id="comment-form"' not in page.text
    assert "コメントの受付を終了しました" in page.text


def test_a_section_put_under_pre_moderation_in_the_admin_tells_readers_at_once(article, committed):
    notice = "この記事へのコメントは、モデレーターの確認後に表示されます。"
    assert notice not in Client().get(article.get_absolute_url()).text
    moderator = Client()
    moderator.force_login(ModeratorFactory())

    with committed():
        moderator.post(
            reverse("admin:comments_sectionpolicy_add"),
            {"section": article.section_id, "moderation_mode": "pre", "report_threshold": "3"},
        )

    assert notice in Client().get(article.get_absolute_url()).text


def test_a_scheduled_article_appears_on_the_cached_home_page_at_its_time(article):
    ArticleFactory(
        title="予約公開の記事",
        published_at=timezone.now() + datetime.timedelta(seconds=2),
    )
    assert "予約公開の記事" not in Client().get("/").text

    time.sleep(2.5)

    assert "予約公開の記事" in Client().get("/").text


def test_pages_without_forms_are_public_and_short_lived(article):
    response = Client().get("/")

    assert re.search(r"\bpublic\b", response["Cache-Control"])
    assert re.search(r"max-age=\d+", response["Cache-Control"])
    assert "Cookie" in response["Vary"]
    assert "csrftoken" not in response.cookies


def test_article_pages_carry_a_token_so_only_the_readers_browser_may_keep_them(article):
    response = Client().get(article.get_absolute_url())

    assert "private" in response["Cache-Control"]
    assert "no-cache" in response["Cache-Control"]
    assert response["ETag"].startswith('W/"')
    assert response["Last-Modified"]


def test_a_conditional_get_of_an_unchanged_page_answers_304(article):
    reader = Client()
    first = reader.get(article.get_absolute_url())

    again = reader.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == HTTPStatus.NOT_MODIFIED
    assert again.content == b""


def test_a_conditional_get_after_a_change_gets_the_new_page(article, committed):
    reader = Client()
    first = reader.get(article.get_absolute_url())
    post_comment(Client(), article, "変更あり", committed)

    again = reader.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == HTTPStatus.OK
    assert "変更あり" in again.text


def test_each_language_has_its_own_cached_page(article):
    Client().get(article.get_absolute_url())
    english = Client()
    english.cookies["django_language"] = "en"

    page = english.get(article.get_absolute_url())

    assert page["X-Page-Cache"] == "miss"
    assert "Anonymous comments welcome" in page.text


def test_a_cached_article_page_costs_no_query(article, django_assert_num_queries):
    Client().get(article.get_absolute_url())

    with django_assert_num_queries(0):
        response = Client().get(article.get_absolute_url())

    assert response["X-Page-Cache"] == "hit"
    assert connection.vendor == "postgresql"


@pytest.mark.parametrize("requested", ["abc", "0", "999", "1.0"])
def test_a_nonsense_comment_page_is_shown_but_never_stored(article, requested):
    response = Client().get(article.get_absolute_url(), {"cpage": requested})

    assert response.status_code == HTTPStatus.OK
    assert stored_pages() == []


def test_unknown_query_parameters_share_the_page_of_the_plain_address(article):
    Client().get(article.get_absolute_url())

    tracked = Client().get(article.get_absolute_url(), {"utm_source": "newsletter"})

    assert tracked["X-Page-Cache"] == "hit"


def test_an_old_article_whose_thread_has_closed_is_shared_too():
    old = ArticleFactory(published_at=timezone.now() - datetime.timedelta(days=60))
    Client().get(old.get_absolute_url())

    assert Client().get(old.get_absolute_url())["X-Page-Cache"] == "hit"
