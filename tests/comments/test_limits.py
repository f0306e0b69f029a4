"""Rate limits per IPv6 network, and limits that hold with the shared cache gone: the same limits,
counted from the database."""

from http import HTTPStatus

import pytest
from django.test import Client

from comments.models import Comment, Report
from tests.comments.test_views import submit
from tests.factories import CommentFactory
from tests.servers import refused_port

pytestmark = pytest.mark.django_db


def from_address(address):
    return Client(REMOTE_ADDR=address)


@pytest.fixture
def ipv6_networks(settings):
    """One post a minute per /64, two per /56 and three per /48."""
    settings.COMMENT_RATE_LIMITS = ["1/m"]
    settings.RATE_LIMIT_IPV6_NETWORK_FACTORS = {56: 2, 48: 3}


def test_an_ipv6_reader_hopping_between_64s_of_one_56_meets_the_56s_limit(article, ipv6_networks):
    assert submit(from_address("2001:db8:a:1::1"), article, body="一").status_code == 302
    assert submit(from_address("2001:db8:a:2::1"), article, body="二").status_code == 302

    response = submit(from_address("2001:db8:a:3::1"), article, body="三つ目の /64 から")

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "三つ目の /64 から" in response.text


def test_hopping_across_56s_of_one_48_meets_the_48s_looser_limit(article, ipv6_networks):
    for n, line in enumerate(["2001:db8:a:100::1", "2001:db8:a:200::1", "2001:db8:a:300::1"]):
        assert submit(from_address(line), article, body=f"{n}件目").status_code == 302

    response = submit(from_address("2001:db8:a:400::1"), article, body="四つ目の /56 から")

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_one_reader_refused_again_and_again_does_not_use_up_their_neighbours_allowance(
    article, ipv6_networks
):
    hammering = from_address("2001:db8:d:1::1")
    for n in range(6):
        submit(hammering, article, body=f"連投{n}")

    response = submit(from_address("2001:db8:d:2::1"), article, body="同じ /56 の隣人")

    assert response.status_code == HTTPStatus.FOUND


def test_a_neighbouring_48_is_not_limited_by_anothers_posts(article, ipv6_networks):
    for line in ["2001:db8:a:100::1", "2001:db8:a:200::1", "2001:db8:a:300::1"]:
        submit(from_address(line), article, body=line)

    assert submit(from_address("2001:db8:b::1"), article, body="隣").status_code == 302


def test_ipv4_readers_are_limited_by_address_only(article, ipv6_networks):
    for n in range(1, 5):
        assert submit(from_address(f"198.51.100.{n}"), article, body=f"{n}").status_code == 302


@pytest.fixture
def cache_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "kjnews.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{refused_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


@pytest.fixture(autouse=True)
def _fresh_cache(request):
    """The suite's cache clearing, except where the cache is down."""
    if "cache_down" not in request.fixturenames:
        from django.core.cache import cache

        cache.clear()


def test_with_the_cache_down_readers_can_still_post(client, article, cache_down):
    response = submit(client, article, body="キャッシュが落ちていても投稿できる")

    assert response.status_code == HTTPStatus.FOUND
    assert Comment.objects.get().body == "キャッシュが落ちていても投稿できる"


def test_with_the_cache_down_the_posting_limit_counts_the_posters_stored_comments(
    client, article, settings, cache_down
):
    settings.COMMENT_RATE_LIMITS = ["2/m"]
    submit(client, article, body="一件目")
    submit(client, article, body="二件目")

    response = submit(client, article, body="三件目はまだ")

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert 0 < int(response["Retry-After"]) <= 60
    assert "三件目はまだ" in response.text
    assert Comment.objects.count() == 2


def test_with_the_cache_down_other_posters_are_not_limited(article, settings, cache_down):
    settings.COMMENT_RATE_LIMITS = ["1/m"]
    submit(Client(REMOTE_ADDR="198.51.100.1"), article, body="一件目")

    response = submit(Client(REMOTE_ADDR="198.51.100.2"), article, body="別の人")

    assert response.status_code == HTTPStatus.FOUND


def test_with_the_cache_down_the_reporting_limit_counts_the_readers_stored_reports(
    client, article, settings, cache_down
):
    settings.COMMENT_REPORT_RATE_LIMITS = ["1/m"]
    first, second = CommentFactory.create_batch(2, article=article)
    report = {"reason": Report.Reason.SPAM, "note": ""}
    client.post(f"{article.get_absolute_url()}comments/{first.number}/report/", report)

    response = client.post(f"{article.get_absolute_url()}comments/{second.number}/report/", report)

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert Report.objects.count() == 1


def test_with_the_cache_down_an_ipv6_48_is_still_limited_by_its_stored_comments(
    article, ipv6_networks, cache_down
):
    for line in ["2001:db8:c:100::1", "2001:db8:c:200::1", "2001:db8:c:300::1"]:
        assert submit(from_address(line), article, body=line).status_code == 302

    response = submit(from_address("2001:db8:c:400::1"), article, body="四件目")

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert Comment.objects.count() == 3
