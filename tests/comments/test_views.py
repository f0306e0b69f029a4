import datetime
from http import HTTPStatus

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment, Thread
from comments.views import DELETION_KEY_COOKIE
from tests.factories import ArticleFactory, CommentFactory, EditorFactory, thread_of

pytestmark = pytest.mark.django_db


def post_url(article):
    return reverse("comments:post", kwargs={"slug": article.slug})


def form_data(client, article, **fields):
    """What a reader's browser sends: the fields of the form as rendered on the article page."""
    page = client.get(article.get_absolute_url())
    form = page.context["form"]
    return {"name": "", "body": "", "website": "", "started": form["started"].value(), **fields}


def submit(client, article, **fields):
    return client.post(post_url(article), form_data(client, article, **fields))


def test_a_reader_posts_a_comment_and_lands_on_it_with_a_confirmation(client, article):
    response = submit(client, article, body="はじめまして。")

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"{article.get_absolute_url()}?cpage=1#c-1"
    page = client.get(response["Location"])
    assert "No. 1" in page.text or "1番" in page.text
    assert 'id="c-1"' in page.text
    assert "はじめまして。" in page.text


def test_a_comment_without_a_name_shows_the_default_name(client, article):
    submit(client, article, body="名前なしで投稿")

    page = client.get(article.get_absolute_url())

    assert "名無しさん" in page.text


def test_the_default_name_is_configurable(client, article, settings):
    settings.COMMENT_DEFAULT_NAME = "匿名"
    submit(client, article, body="設定した名前")

    assert '<span class="comment__name">匿名</span>' in client.get(article.get_absolute_url()).text


def test_each_comment_shows_number_name_poster_id_and_time(client, article):
    submit(client, article, name="太郎", body="本文です")
    comment = Comment.objects.get()

    page = client.get(article.get_absolute_url()).text

    assert '<a class="comment__number"' in page
    assert "太郎" in page
    assert f"ID:{comment.poster_id}" in page
    assert (
        f'datetime="{comment.created_at.astimezone(timezone.get_current_timezone()):%Y-%m-%dT%H:%M}'
        in page
    )


def test_an_empty_or_whitespace_comment_is_rejected_in_japanese(client, article):
    response = submit(client, article, body=" \u3000\n ")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "コメントを入力してください" in response.text
    assert Comment.objects.count() == 0


def test_a_too_long_comment_is_rejected_and_its_text_kept(client, article, settings):
    settings.COMMENT_MAX_LENGTH = 20
    text = "長い" * 11

    response = submit(client, article, body=text)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert text in response.text
    assert Comment.objects.count() == 0


def test_a_name_over_forty_characters_is_rejected(client, article):
    response = submit(client, article, name="名" * 41, body="本文")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert Comment.objects.count() == 0


def test_bidi_override_characters_are_rejected_with_a_message_and_text_kept(client, article):
    response = submit(client, article, body="ファイル\u202egpj.exe")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "文字の向きを変える制御文字" in response.text
    assert "gpj.exe" in response.text


def test_nul_bytes_are_rejected(client, article):
    response = submit(client, article, body="ab\x00cd")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert Comment.objects.count() == 0


def test_other_control_characters_are_removed(client, article):
    submit(client, article, body="ベル\x07と\x1bエスケープ")

    assert Comment.objects.get().body == "ベルとエスケープ"


def test_hostile_text_comes_back_escaped(client, article):
    submit(client, article, body='<script>alert("x")</script><img src=x onerror=alert(1)>')

    page = client.get(article.get_absolute_url()).text

    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_the_honeypot_field_stops_bots(client, article):
    response = submit(client, article, body="買ってください", website="http://spam.example")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert Comment.objects.count() == 0


def test_a_form_sent_faster_than_a_person_could_type_is_refused_text_intact(
    client, article, settings
):
    settings.COMMENT_MIN_FILL_SECONDS = 30

    response = submit(client, article, body="速すぎる投稿")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "速すぎる投稿" in response.text
    assert Comment.objects.count() == 0


def test_a_forged_form_timestamp_is_refused(client, article):
    response = client.post(post_url(article), {"body": "偽造", "started": "forged"})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert Comment.objects.count() == 0


def test_the_same_text_twice_is_refused_as_a_duplicate(client, article):
    submit(client, article, body="二重投稿")

    response = submit(client, article, body="二重投稿")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "同じコメント" in response.text
    assert Comment.objects.count() == 1


def test_posting_too_often_answers_429_with_the_text_kept_and_when_to_retry(
    client, article, settings
):
    settings.COMMENT_RATE_LIMITS = ["2/m"]
    submit(client, article, body="一件目")
    submit(client, article, body="二件目")

    response = submit(client, article, body="三件目はまだ")

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert int(response["Retry-After"]) > 0
    assert "三件目はまだ" in response.text
    assert "秒後" in response.text
    assert Comment.objects.count() == 2


def test_rate_limits_hold_per_poster_not_per_browser(article, settings):
    settings.COMMENT_RATE_LIMITS = ["1/m"]
    first_browser, second_browser = Client(), Client()
    submit(first_browser, article, body="一件目")

    response = submit(second_browser, article, body="別のブラウザから")

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_another_poster_is_not_limited_by_someone_elses_posts(article, settings):
    settings.COMMENT_RATE_LIMITS = ["1/m"]
    submit(Client(REMOTE_ADDR="198.51.100.1"), article, body="一件目")

    response = submit(Client(REMOTE_ADDR="198.51.100.2"), article, body="別の人")

    assert response.status_code == HTTPStatus.FOUND


def test_a_reader_whose_connection_cannot_be_identified_gets_the_text_back_unposted(
    article, settings
):
    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]
    behind_a_confused_proxy = Client(HTTP_X_FORWARDED_FOR="unknown")

    response = submit(behind_a_confused_proxy, article, body="識別できない接続から")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "接続元を確認できなかった" in response.text
    assert "識別できない接続から" in response.text
    assert not Comment.objects.exists()


def test_a_stale_csrf_token_shows_the_form_again_with_the_text(article):
    browser = Client(enforce_csrf_checks=True)
    data = form_data(browser, article, body="期限切れでも消えない")
    browser.cookies.clear()

    response = browser.post(post_url(article), data)

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "期限切れでも消えない" in response.text
    assert 'name="csrfmiddlewaretoken"' in response.text
    assert Comment.objects.count() == 0


def test_a_closed_thread_shows_its_comments_and_says_it_is_closed(client, article):
    CommentFactory(article=article, body="締切前のコメント")
    Thread.objects.filter(article=article).update(is_closed=True)

    page = client.get(article.get_absolute_url()).text

    assert "締切前のコメント" in page
    assert "コメントの受付を終了しました" in page
    assert 'id="comment-form"' not in page


def test_posting_to_a_closed_thread_is_refused_with_text_kept(client, article):
    data = form_data(client, article, body="締切後の投稿")
    Thread.objects.create(article=article, is_closed=True)

    response = client.post(post_url(article), data)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "締切後の投稿" in response.text
    assert Comment.objects.count() == 0


def test_comments_on_drafts_are_not_found(client):
    draft = ArticleFactory(draft=True)

    response = client.post(post_url(draft), {"body": "下書きへ"})

    assert response.status_code == HTTPStatus.NOT_FOUND


def test_reply_anchor_links_to_the_comment_it_answers(client, article):
    submit(client, article, body="最初の意見")
    submit(client, article, body=">>1 賛成です")

    page = client.get(article.get_absolute_url()).text

    assert f'href="{article.get_absolute_url()}?cpage=1#c-1">&gt;&gt;1</a>' in page


def test_the_reply_link_without_javascript_starts_the_form_with_the_anchor(client, article):
    CommentFactory(article=article)

    page = client.get(article.get_absolute_url(), {"reply": "1"}).text

    assert "&gt;&gt;1\n</textarea>" in page


def test_comments_are_paginated_by_number_and_the_latest_page_is_shown_first(
    client, article, settings
):
    settings.COMMENTS_PER_PAGE = 2
    for n in range(1, 6):
        CommentFactory(article=article, body=f"番号{n}のコメント")

    latest = client.get(article.get_absolute_url()).text
    first = client.get(article.get_absolute_url(), {"cpage": "1"}).text

    assert "番号5のコメント" in latest
    assert "番号4のコメント" not in latest
    assert "番号1のコメント" in first
    assert "番号2のコメント" in first
    assert "番号3のコメント" not in first


def test_a_comment_permalink_redirects_to_its_page_and_anchor(client, article, settings):
    settings.COMMENTS_PER_PAGE = 100
    for _ in range(3):
        CommentFactory(article=article)

    response = client.get(reverse("comments:permalink", args=[article.slug, 3]))

    assert response["Location"] == f"{article.get_absolute_url()}?cpage=1#c-3"


def test_a_removed_comment_leaves_a_placeholder_and_keeps_its_number(client, article):
    CommentFactory(article=article, body="消される前")
    CommentFactory(article=article, status=Comment.Status.REMOVED_BY_MODERATOR, body="消えた本文")

    page = client.get(article.get_absolute_url()).text

    assert 'id="c-2"' in page
    assert "このコメントは削除されました" in page
    assert "消えた本文" not in page


@pytest.mark.parametrize("status", [Comment.Status.PENDING, Comment.Status.HIDDEN])
def test_held_and_hidden_comments_are_not_shown_to_readers(client, article, status):
    CommentFactory(article=article, status=status, body="見えないはず")

    assert "見えないはず" not in client.get(article.get_absolute_url()).text


def test_the_poster_can_delete_their_own_comment_from_the_same_browser(client, article):
    submit(client, article, body="あとで消す")

    response = client.post(reverse("comments:delete", args=[article.slug, 1]), follow=True)

    assert "コメントを削除しました" in response.text
    assert "このコメントは削除されました" in response.text
    assert Comment.objects.get().status == Comment.Status.REMOVED_BY_POSTER


def test_another_browser_sees_no_delete_button_and_cannot_delete(client, article):
    submit(client, article, body="他人は消せない")
    stranger = Client()

    assert "comment__delete" not in stranger.get(article.get_absolute_url()).text
    stranger.post(reverse("comments:delete", args=[article.slug, 1]))
    assert Comment.objects.get().status == Comment.Status.PUBLISHED


def test_deleting_after_the_window_is_refused(client, article):
    submit(client, article, body="一日たった")

    with time_machine.travel(timezone.now() + datetime.timedelta(hours=25)):
        response = client.post(reverse("comments:delete", args=[article.slug, 1]), follow=True)

    assert Comment.objects.get().status == Comment.Status.PUBLISHED
    assert "24時間" in response.text


def test_the_deletion_key_cookie_is_httponly_and_only_its_hash_is_stored(client, article):
    response = submit(client, article, body="鍵のテスト")

    cookie = response.cookies[DELETION_KEY_COOKIE]
    assert cookie["httponly"]
    assert cookie.value not in Comment.objects.get().deletion_key_hash


def test_comment_counts_appear_on_home_section_and_article_pages(client, article):
    CommentFactory.create_batch(3, article=article)

    for url in ["/", article.section.get_absolute_url(), article.get_absolute_url()]:
        assert "3件" in client.get(url).text, url


def test_listing_comment_counts_take_a_constant_number_of_queries(
    client, section, django_assert_max_num_queries
):
    for _ in range(3):
        CommentFactory(article=ArticleFactory(section=section))
    with django_assert_max_num_queries(50) as few:
        client.get("/")
    for _ in range(10):
        CommentFactory.create_batch(2, article=ArticleFactory(section=section))

    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/")


def test_an_article_page_costs_at_most_six_queries_with_ten_comments_or_ten_thousand(client):
    short, long = ArticleFactory(), ArticleFactory()
    thread_of(short, 10)
    thread_of(long, 10_000)

    with CaptureQueriesContext(connection) as with_ten:
        short_page = client.get(short.get_absolute_url())
    with CaptureQueriesContext(connection) as with_ten_thousand:
        long_page = client.get(long.get_absolute_url())
        first_page = client.get(long.get_absolute_url(), {"cpage": 1})

    assert 'id="c-10"' in short_page.text
    assert 'id="c-10000"' in long_page.text
    assert 'id="c-1"' in first_page.text
    assert len(with_ten) <= 6
    assert len(with_ten_thousand) == 2 * len(with_ten)


def test_a_long_wait_is_told_in_minutes_and_time_of_day(client, article, settings):
    # A day's window ends at a random second of the day: under two minutes away (told in
    # seconds instead) in one run of 720.
    settings.COMMENT_RATE_LIMITS = ["1/d"]
    submit(client, article, body="一件目")

    response = submit(client, article, body="一時間に二件目")

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "分後" in response.text
    assert "一時間に二件目" in response.text


@pytest.mark.parametrize("reply", ["²", "0", "-1", "99999999", "abc"])
def test_a_nonsense_reply_parameter_is_ignored(client, article, reply):
    response = client.get(article.get_absolute_url(), {"reply": reply})

    assert response.status_code == HTTPStatus.OK
    assert "&gt;&gt;" not in response.text.split('id="comment-form"')[1]


def test_the_confirmation_stands_beside_the_new_comment_where_the_reader_lands(client, article):
    response = submit(client, article, body="確認メッセージの位置")

    page = client.get(response["Location"]).text

    comment_item = page.split('id="c-1"')[1].split("</li>")[0]
    assert "コメントを1番として投稿しました" in comment_item
    assert 'class="messages"' not in page


def test_an_editor_previewing_a_draft_sees_no_comment_form(client):
    draft = ArticleFactory(draft=True)
    client.force_login(EditorFactory())

    page = client.get(draft.get_absolute_url()).text

    assert 'id="comment-form"' not in page
