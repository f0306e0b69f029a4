"""The reader's side of suggestions, through the client: the links on the article page, the form
without JavaScript, the confirmation and pending notice, and every protection comments have."""

import datetime
import time
from http import HTTPStatus

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from articles.passages import passage_change
from comments.models import Ban
from comments.posters import Poster
from suggestions.models import Suggestion
from tests.factories import ArticleFactory, EditorFactory, image_attach
from tests.suggestions.helpers import form_data, paragraph, suggest, suggest_url

pytestmark = pytest.mark.django_db

CORRECTED = "両国は協力の継続を確認した。"


@pytest.fixture
def third(article):
    return paragraph(article, 3)


def test_every_passage_of_the_article_page_has_a_quiet_suggest_link_naming_it(client, article):
    image_attach(article)

    page = client.get(article.get_absolute_url()).text

    assert page.count('class="suggest-link"') == 1 + 3 + 1 + 3
    assert 'aria-label="第3段落の誤訳・誤りを指摘">誤訳・誤りを指摘</a>' in page
    assert 'aria-label="見出しの誤訳・誤りを指摘"' in page
    assert 'aria-label="要点2の誤訳・誤りを指摘"' in page
    assert f'href="{suggest_url(article, paragraph(article, 3))}"' in page


def test_summary_points_and_the_caption_have_the_ids_their_passages_name(client, article):
    image_attach(article)

    page = client.get(article.get_absolute_url()).text

    for anchor in ("article-title", "s-1", "s-3", "image-caption", "p-1", "p-3"):
        assert f'id="{anchor}"' in page


def test_the_form_quotes_the_passage_and_starts_from_its_text(client, article, third):
    response = client.get(suggest_url(article, third))

    assert response.status_code == HTTPStatus.OK
    assert "<blockquote>詳細は後日発表される。</blockquote>" in response.text
    assert response.context["form"]["proposed_text"].value() == "詳細は後日発表される。"
    assert "第3段落" in response.text


def test_a_key_the_article_has_no_passage_for_is_404(client, article):
    assert client.get(suggest_url(article, "paragraph-999999")).status_code == 404
    assert client.get(suggest_url(article, "caption")).status_code == 404  # it has no image


def test_a_draft_takes_no_suggestions(client):
    draft = ArticleFactory(draft=True)

    assert client.get(suggest_url(draft, "headline")).status_code == 404


def test_a_reader_suggests_and_lands_at_the_passage_with_a_confirmation(client, article, third):
    response = suggest(client, article, third, proposed_text=CORRECTED, note="原文と違います")

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"{article.get_absolute_url()}#p-3"
    suggestion = Suggestion.objects.get()
    assert (suggestion.passage_key, suggestion.proposed_text) == (third.key, CORRECTED)
    assert suggestion.passage_text == "詳細は後日発表される。"
    assert suggestion.note == "原文と違います"
    assert suggestion.status == Suggestion.Status.PENDING
    page = client.get(response["Location"]).text
    assert "ご指摘ありがとうございます。編集部に送りました。" in page
    assert "あなたの指摘（第3段落）は編集部の確認待ちです。" in page


def test_no_address_is_stored_only_the_keyed_poster_hashes(client, article, third):
    suggest(client, article, third, proposed_text=CORRECTED)

    suggestion = Suggestion.objects.get()
    poster = Poster.from_address(__import__("ipaddress").ip_address("127.0.0.1"))
    assert suggestion.poster_hash == poster.hash
    assert suggestion.poster_network_hash == poster.network_hash
    stored = " ".join(str(value) for value in Suggestion.objects.values().get().values())
    assert "127.0.0.1" not in stored


def test_the_pending_notice_shows_only_to_the_reader_who_suggested(client, article, third):
    suggest(client, article, third, proposed_text=CORRECTED)
    client.get(article.get_absolute_url())  # the confirmation is shown once

    mine = client.get(article.get_absolute_url()).text
    someone_elses = Client(REMOTE_ADDR="198.51.100.9").get(article.get_absolute_url()).text

    assert "編集部の確認待ちです" in mine
    assert "編集部の確認待ちです" not in someone_elses


def test_a_reader_on_the_same_address_does_not_see_anothers_notice(client, article, third):
    suggest(client, article, third, proposed_text=CORRECTED)

    same_address_other_browser = Client().get(article.get_absolute_url()).text

    assert "編集部の確認待ちです" not in same_address_other_browser


def test_the_notice_goes_once_the_suggestion_is_decided(client, article, third):
    suggest(client, article, third, proposed_text=CORRECTED)
    Suggestion.objects.update(status=Suggestion.Status.REJECTED)

    assert "編集部の確認待ちです" not in client.get(article.get_absolute_url()).text


@pytest.fixture
def pages_kept(settings):
    settings.PAGE_CACHE_SECONDS = 600


def test_the_shared_cached_page_never_carries_one_readers_notice(
    client, article, third, pages_kept, django_capture_on_commit_callbacks
):
    other = Client(REMOTE_ADDR="198.51.100.9")
    assert other.get(article.get_absolute_url())["X-Page-Cache"] == "miss"
    with django_capture_on_commit_callbacks(execute=True):
        suggest(client, article, third, proposed_text=CORRECTED)

    mine = client.get(article.get_absolute_url())
    shared = other.get(article.get_absolute_url())
    fresh = Client(REMOTE_ADDR="198.51.100.10").get(article.get_absolute_url())

    assert mine["X-Page-Cache"] == "personal"
    assert "private" in mine["Cache-Control"]
    assert "誤訳・誤りを指摘" in shared.text
    for page in (shared, fresh):
        assert page["X-Page-Cache"] in ("hit", "miss")
        assert "編集部の確認待ちです" not in page.text
        assert "ご指摘ありがとうございます" not in page.text
        assert "csrfmiddlewaretoken" not in page.text.split('id="comments"')[0]


def test_the_article_page_itself_holds_no_csrf_token_for_the_suggest_links(client, article):
    page = client.get(article.get_absolute_url()).text

    assert "csrfmiddlewaretoken" not in page.split('id="comments"')[0]


# Protections: each refusal re-shows the form with the reader's text and a Japanese message.


def assert_refused_with_text_kept(response, status, message, text=CORRECTED):
    assert response.status_code == status
    assert message in response.text
    assert text in response.context["form"]["proposed_text"].value()
    assert Suggestion.objects.count() == 0


def test_the_honeypot_refuses_with_the_text_kept(client, article, third):
    response = suggest(client, article, third, proposed_text=CORRECTED, website="https://spam")

    assert_refused_with_text_kept(response, 400, "この指摘は受け付けられませんでした")


def test_a_form_sent_too_fast_is_refused_with_the_text_kept(client, article, third, settings):
    settings.COMMENT_MIN_FILL_SECONDS = 3
    response = suggest(client, article, third, proposed_text=CORRECTED)

    assert_refused_with_text_kept(response, 400, "送信が早すぎます")


def test_the_same_form_sent_after_the_minimum_fill_time_is_accepted(
    client, article, third, settings
):
    settings.COMMENT_MIN_FILL_SECONDS = 3
    data = form_data(client, article, third, proposed_text=CORRECTED)
    with time_machine.travel(time.time() + 5):
        response = client.post(suggest_url(article, third), data)

    assert response.status_code == HTTPStatus.FOUND


def test_a_token_from_another_article_is_refused(client, article, third):
    other = ArticleFactory()
    data = form_data(client, article, third, proposed_text=CORRECTED)
    data["started"] = form_data(client, other, paragraph(other, 1))["started"]

    response = client.post(suggest_url(article, third), data)

    assert_refused_with_text_kept(response, 400, "この指摘は受け付けられませんでした")


def test_a_banned_poster_is_refused_neutrally_with_the_text_kept(client, article, third):
    Ban.objects.create(poster_hash=Poster(address="127.0.0.1").hash)

    response = suggest(client, article, third, proposed_text=CORRECTED)

    assert_refused_with_text_kept(response, 403, "現在この指摘は受け付けられません")


def test_an_expired_ban_no_longer_refuses(client, article, third):
    Ban.objects.create(
        poster_hash=Poster(address="127.0.0.1").hash,
        expires_at=timezone.now() - datetime.timedelta(minutes=1),
    )

    assert suggest(client, article, third, proposed_text=CORRECTED).status_code == 302


def test_the_same_suggestion_twice_while_pending_is_refused_with_a_clear_message(
    client, article, third
):
    suggest(client, article, third, proposed_text=CORRECTED)

    response = suggest(client, article, third, proposed_text=CORRECTED)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "この箇所へのこの指摘はすでに送られていて" in response.text
    assert Suggestion.objects.count() == 1


def test_another_reader_may_propose_the_same_wording(client, article, third):
    suggest(client, article, third, proposed_text=CORRECTED)

    response = suggest(Client(REMOTE_ADDR="198.51.100.9"), article, third, proposed_text=CORRECTED)

    assert response.status_code == HTTPStatus.FOUND
    assert Suggestion.objects.count() == 2


def test_an_unchanged_proposal_is_refused(client, article, third):
    response = suggest(client, article, third)

    assert_refused_with_text_kept(
        response, 400, "現在の文章と同じです", text="詳細は後日発表される。"
    )


def test_an_empty_proposal_is_refused_in_japanese(client, article, third):
    response = suggest(client, article, third, proposed_text=" \u3000\n")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "提案する文言を入力してください" in response.text


def test_a_proposal_over_the_limit_is_refused_saying_the_limit(client, article, third, settings):
    settings.SUGGESTION_MAX_LENGTH = 250
    long_text = "長" * 300

    response = suggest(client, article, third, proposed_text=long_text)

    assert_refused_with_text_kept(response, 400, "250文字以内", text=long_text)


def test_a_long_paragraph_may_be_rewritten_at_its_own_length_and_more(settings, client):
    settings.SUGGESTION_MAX_LENGTH = 250
    long_paragraph = "長い段落。" * 100
    article = ArticleFactory(body=[long_paragraph])

    response = suggest(
        client, article, paragraph(article, 1), proposed_text=long_paragraph + "追記。"
    )

    assert response.status_code == HTTPStatus.FOUND


def test_a_headline_proposal_is_limited_to_what_a_headline_holds(client, article):
    response = suggest(client, article, "headline", proposed_text="見" * 201)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "200文字以内" in response.text


def test_a_note_over_500_characters_is_refused(client, article, third):
    response = suggest(client, article, third, proposed_text=CORRECTED, note="注" * 501)

    assert_refused_with_text_kept(response, 400, "500文字以内")


def test_a_passage_changed_after_the_form_was_opened_is_refused_and_quoted_anew(
    client, article, third
):
    data = form_data(client, article, third, proposed_text=CORRECTED)
    passage_change(
        article=article, key=third.key, text="詳細は来週発表される。", editor=EditorFactory()
    )

    response = client.post(suggest_url(article, third), data)

    assert_refused_with_text_kept(response, 400, "フォームを開いた後に更新されました")
    assert "<blockquote>詳細は来週発表される。</blockquote>" in response.text
    again = client.post(suggest_url(article, third), {**data, **response.context["form"].data})
    assert again.status_code == HTTPStatus.FOUND


def test_a_reader_whose_address_cannot_be_told_is_refused(article, third, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]
    client = Client(HTTP_X_FORWARDED_FOR="not-an-address")

    response = suggest(client, article, third, proposed_text=CORRECTED)

    assert_refused_with_text_kept(response, 400, "接続元を確認できなかった")


def test_the_rate_limit_refuses_with_429_and_the_text_kept(client, article, third, settings):
    settings.SUGGESTION_RATE_LIMITS = ["2/m"]
    suggest(client, article, third, proposed_text="一つ目の修正。")
    suggest(client, article, paragraph(article, 2), proposed_text="二つ目の修正。")

    response = suggest(client, article, paragraph(article, 1), proposed_text=CORRECTED)

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert 0 < int(response["Retry-After"]) <= 60
    assert CORRECTED in response.context["form"]["proposed_text"].value()
    assert "秒後にもう一度" in response.text
    assert Suggestion.objects.count() == 2


def test_suggesting_does_not_use_up_the_comment_allowance(client, article, third, settings):
    settings.SUGGESTION_RATE_LIMITS = ["1/m"]
    settings.COMMENT_RATE_LIMITS = ["1/m"]
    suggest(client, article, third, proposed_text=CORRECTED)

    from tests.comments.test_views import submit

    assert submit(client, article, body="コメントは別に数える").status_code == 302


def test_a_stale_csrf_token_shows_the_form_again_with_the_text_kept(article, third):
    client = Client(enforce_csrf_checks=True)
    data = form_data(client, article, third, proposed_text=CORRECTED)

    response = client.post(suggest_url(article, third), data)  # no CSRF token in the post

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "セッションの有効期限が切れました" in response.text
    assert CORRECTED in response.text


def test_editors_may_suggest_too_and_see_their_notice(client, article, third):
    client.force_login(EditorFactory())

    response = suggest(client, article, third, proposed_text=CORRECTED)

    assert response.status_code == HTTPStatus.FOUND
    assert "編集部の確認待ちです" in client.get(article.get_absolute_url()).text
