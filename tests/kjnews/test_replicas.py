"""Which reads may go to a read replica. The live site against a real streaming replica is in
tests/reliability/test_replicas.py; these check the decisions themselves, without a replica."""

import datetime
from http import HTTPStatus

import pytest
import time_machine
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.test import RequestFactory
from django.urls import reverse

from articles.models import Article
from kjnews.db import primary_reads, replica_reads, replica_reads_allowed
from kjnews.db.routers import PrimaryReplicaRouter
from kjnews.middleware import PRIMARY_PIN_COOKIE, ReplicaReadsMiddleware

requests = RequestFactory()


def _served(request, response=None):
    """Runs the middleware around a view; returns whether the view could read from a replica,
    and the response."""
    seen = {}

    def view(request):
        seen["replica"] = replica_reads_allowed() is not None
        return response or HttpResponse("ok")

    answer = ReplicaReadsMiddleware(view)(request)
    return seen["replica"], answer


def test_an_anonymous_readers_page_may_come_from_a_replica():
    assert _served(requests.get("/articles/some-news/"))[0] is True


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_anything_but_reading_a_page_reads_from_the_primary(method):
    assert _served(getattr(requests, method)("/articles/some-news/comments/"))[0] is False


@pytest.mark.parametrize(
    "url_name", ["admin:index", "admin:articles_article_changelist", "moderation:queue"]
)
def test_the_admin_and_the_moderation_pages_read_from_the_primary(url_name):
    assert _served(requests.get(reverse(url_name)))[0] is False


def test_a_logged_in_editors_pages_read_from_the_primary(settings):
    request = requests.get("/articles/some-news/")
    request.COOKIES[settings.SESSION_COOKIE_NAME] = "editor-session"

    assert _served(request)[0] is False


def test_a_successful_post_pins_the_readers_next_pages_to_the_primary(settings):
    settings.REPLICA_PIN_SECONDS = 10
    _replica, answer = _served(
        requests.post("/articles/some-news/comments/"), HttpResponseRedirect("/articles/x/")
    )
    pin = answer.cookies[PRIMARY_PIN_COOKIE]
    assert pin["max-age"] == 10
    assert pin["httponly"]

    next_page = requests.get("/articles/some-news/")
    next_page.COOKIES[PRIMARY_PIN_COOKIE] = pin.value

    assert _served(next_page)[0] is False


def test_a_refused_post_does_not_pin_the_reader():
    _replica, answer = _served(
        requests.post("/articles/some-news/comments/"),
        HttpResponse("too often", status=HTTPStatus.TOO_MANY_REQUESTS),
    )

    assert PRIMARY_PIN_COOKIE not in answer.cookies


def test_the_pin_expires_after_replica_pin_seconds(settings):
    settings.REPLICA_PIN_SECONDS = 10
    start = datetime.datetime(2026, 11, 20, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        pin = _served(requests.post("/x/"), HttpResponseRedirect("/y/"))[1].cookies[
            PRIMARY_PIN_COOKIE
        ]
    page = requests.get("/articles/some-news/")
    page.COOKIES[PRIMARY_PIN_COOKIE] = pin.value

    with time_machine.travel(start + datetime.timedelta(seconds=9), tick=False):
        assert _served(page)[0] is False
    with time_machine.travel(start + datetime.timedelta(seconds=12), tick=False):
        assert _served(page)[0] is True


def test_a_forged_pin_cookie_is_ignored():
    page = requests.get("/articles/some-news/")
    page.COOKIES[PRIMARY_PIN_COOKIE] = "1"

    assert _served(page)[0] is True


def test_reads_outside_a_request_go_to_the_primary():
    assert PrimaryReplicaRouter().db_for_read(Article) == "default"


def test_primary_reads_inside_a_readers_request_go_to_the_primary():
    router = PrimaryReplicaRouter()
    with replica_reads(), primary_reads():
        assert router.db_for_read(Article) == "default"


@pytest.mark.django_db(transaction=True)
def test_reads_inside_a_transaction_on_the_primary_go_to_the_primary():
    router = PrimaryReplicaRouter()
    with replica_reads(), transaction.atomic():
        assert router.db_for_read(Article) == "default"


def test_writes_and_migrations_go_to_the_primary_only():
    router = PrimaryReplicaRouter()
    with replica_reads():
        assert router.db_for_write(Article) == "default"
    assert router.allow_migrate("default", "articles") is True
    assert router.allow_migrate("replica1", "articles") is False
