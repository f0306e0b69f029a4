"""Readers' flags (通報) through the pages, JavaScript off."""

from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from comments.models import Comment, ModerationMode, Report, SectionPolicy
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db


def report_url(comment):
    return reverse("comments:report", args=[comment.article.slug, comment.number])


def reader(n):
    return Client(REMOTE_ADDR=f"198.51.100.{n}")


def test_every_published_comment_offers_a_report_link(client):
    comment = CommentFactory()

    page = client.get(comment.article.get_absolute_url()).text

    assert f'href="{report_url(comment)}"' in page
    assert "通報" in page


def test_the_report_page_shows_the_comment_and_the_reasons(client):
    comment = CommentFactory(body="問題のあるコメント")

    page = client.get(report_url(comment)).text

    assert "問題のあるコメント" in page
    for reason in ["スパム", "誹謗中傷", "個人情報", "記事と関係", "その他"]:
        assert reason in page


def test_a_report_is_received_with_thanks_and_stored_without_the_address(client):
    comment = CommentFactory()

    response = client.post(report_url(comment), {"reason": "spam", "note": "宣伝です"}, follow=True)

    assert "通報を受け付けました" in response.text
    report = Report.objects.get()
    assert (report.reason, report.note) == ("spam", "宣伝です")
    assert "127.0.0.1" not in report.reporter_hash


def test_a_report_without_a_reason_is_refused_and_the_note_kept(client):
    comment = CommentFactory()

    response = client.post(report_url(comment), {"note": "理由を選び忘れた"})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "理由を選んでください" in response.text
    assert "理由を選び忘れた" in response.text
    assert not Report.objects.exists()


def test_a_note_over_500_characters_is_refused(client):
    comment = CommentFactory()

    response = client.post(report_url(comment), {"reason": "other", "note": "長" * 501})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert not Report.objects.exists()


def test_reporting_twice_is_refused_politely(client):
    comment = CommentFactory()
    client.post(report_url(comment), {"reason": "spam"})

    response = client.post(report_url(comment), {"reason": "abuse"}, follow=True)

    assert "すでに通報" in response.text
    assert Report.objects.count() == 1


def test_three_readers_reporting_hide_the_comment_behind_a_placeholder():
    comment = CommentFactory(body="荒らしの書き込み")
    for n in (1, 2, 3):
        reader(n).post(report_url(comment), {"reason": "abuse"})

    page = reader(4).get(comment.article.get_absolute_url()).text

    assert "荒らしの書き込み" not in page
    assert "通報により非表示" in page
    assert f'id="c-{comment.number}"' in page


def test_reports_from_many_addresses_of_one_ipv6_48_count_as_one_reporter():
    comment = CommentFactory(body="一人で三回通報されたコメント")
    for line in (1, 2, 3):  # one person's /48: three /64s, even three /56s
        Client(REMOTE_ADDR=f"2001:db8:5:{line}00::1").post(report_url(comment), {"reason": "abuse"})

    page = reader(4).get(comment.article.get_absolute_url()).text

    assert Report.objects.filter(comment=comment).count() == 3
    assert "一人で三回通報されたコメント" in page


def test_reports_from_three_ipv6_48s_hide_the_comment():
    comment = CommentFactory(body="三人に通報されたコメント")
    for block in (5, 6, 7):
        Client(REMOTE_ADDR=f"2001:db8:{block}::1").post(report_url(comment), {"reason": "abuse"})

    page = reader(4).get(comment.article.get_absolute_url()).text

    assert "三人に通報されたコメント" not in page
    assert "通報により非表示" in page


def test_a_reader_whose_connection_cannot_be_identified_cannot_report(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]
    comment = CommentFactory()

    response = Client(HTTP_X_FORWARDED_FOR="unknown").post(
        report_url(comment), {"reason": "spam", "note": "届かない通報"}
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "届かない通報" in response.text
    assert not Report.objects.exists()


def test_reporting_is_rate_limited_with_a_429(client, settings):
    settings.COMMENT_REPORT_RATE_LIMITS = ["2/h"]
    comments = CommentFactory.create_batch(3)
    for comment in comments[:2]:
        client.post(report_url(comment), {"reason": "spam"})

    response = client.post(report_url(comments[2]), {"reason": "spam", "note": "三件目"})

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "三件目" in response.text
    assert Report.objects.count() == 2


def test_hidden_or_held_comments_cannot_be_reported(client):
    comment = CommentFactory(status=Comment.Status.HIDDEN)

    assert client.get(report_url(comment)).status_code == HTTPStatus.NOT_FOUND


def test_the_poster_of_a_held_comment_sees_that_it_awaits_review(client, article):
    SectionPolicy.objects.create(section=article.section, moderation_mode=ModerationMode.PRE)
    started = client.get(article.get_absolute_url()).context["form"]["started"].value()

    response = client.post(
        reverse("comments:post", args=[article.slug]),
        {"body": "承認待ちのコメント", "started": started},
        follow=True,
    )

    assert "確認後に表示されます" in response.text
    assert "承認待ちのコメント" in response.text
    assert "承認待ちのコメント" not in Client().get(article.get_absolute_url()).text
