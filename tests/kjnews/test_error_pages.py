"""The pages shown when something failed speak the reader's language: Japanese unless they chose
English, whatever the worker's previous request left active."""

from http import HTTPStatus

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from kjnews.views import database_unavailable, server_error

pytestmark = pytest.mark.django_db

TOO_LARGE = "x" * (65 * 1024)


def post_url(article):
    return reverse("comments:post", kwargs={"slug": article.slug})


def test_the_413_page_is_japanese(client, article):
    response = client.post(post_url(article), {"body": TOO_LARGE})

    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert "送信された内容が大きすぎます" in response.text
    assert '<html lang="ja">' in response.text


def test_the_413_page_is_english_for_a_reader_who_chose_english(client, article):
    client.cookies["django_language"] = "en"

    response = client.post(post_url(article), {"body": TOO_LARGE})

    assert "What you sent is too large" in response.text


def test_the_413_page_stays_japanese_after_another_reader_chose_english(client, article):
    english_reader = Client()
    english_reader.cookies["django_language"] = "en"
    english_reader.get(article.get_absolute_url())

    response = client.post(post_url(article), {"body": TOO_LARGE})

    assert "送信された内容が大きすぎます" in response.text


def test_the_database_outage_page_is_japanese():
    with translation.override("ja"):
        response = database_unavailable(RequestFactory().get("/"))

    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert "一時的にご利用いただけません" in response.content.decode()


def test_the_server_error_page_is_japanese():
    with translation.override("ja"):
        response = server_error(RequestFactory().get("/"))

    assert "サーバーエラーが発生しました" in response.content.decode()
