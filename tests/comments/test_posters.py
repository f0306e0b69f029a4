import datetime

import pytest
from django.test import RequestFactory

from comments.posters import Poster, client_address, deletion_key_hash


def request_from(remote_addr, forwarded_for=None):
    meta = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().post("/", **meta)


def test_without_proxies_the_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0

    assert client_address(request_from("198.51.100.4", "203.0.113.9")) == "198.51.100.4"


def test_behind_one_proxy_the_address_it_saw_is_used(settings):
    settings.TRUSTED_PROXY_COUNT = 1

    request = request_from("10.0.0.2", "203.0.113.9")

    assert client_address(request) == "203.0.113.9"


def test_a_client_cannot_spoof_its_address_by_sending_its_own_forwarded_header(settings):
    settings.TRUSTED_PROXY_COUNT = 1

    # The client wrote "1.2.3.4"; our proxy appended the address it really saw.
    request = request_from("10.0.0.2", "1.2.3.4, 203.0.113.9")

    assert client_address(request) == "203.0.113.9"


def test_with_two_proxies_the_outer_proxy_entry_is_used(settings):
    settings.TRUSTED_PROXY_COUNT = 2

    request = request_from("10.0.0.3", "1.2.3.4, 203.0.113.9, 10.0.0.2")

    assert client_address(request) == "203.0.113.9"


def test_ipv6_addresses_count_as_their_64_network(settings):
    settings.TRUSTED_PROXY_COUNT = 0

    first = client_address(request_from("2001:db8:1:2:aaaa::1"))
    second = client_address(request_from("2001:db8:1:2:bbbb::9"))

    assert first == second == "2001:db8:1:2::"


def test_poster_id_is_eight_characters_and_stable_within_a_day_and_article():
    poster = Poster(address="203.0.113.7")
    day = datetime.date(2026, 11, 25)

    assert len(poster.id_for(1, day)) == 8
    assert poster.id_for(1, day) == poster.id_for(1, day)


@pytest.mark.parametrize(
    ("other_article", "other_day"),
    [(2, datetime.date(2026, 11, 25)), (1, datetime.date(2026, 11, 26))],
)
def test_poster_id_changes_with_article_and_day(other_article, other_day):
    poster = Poster(address="203.0.113.7")

    assert poster.id_for(1, datetime.date(2026, 11, 25)) != poster.id_for(other_article, other_day)


def test_different_posters_get_different_ids():
    day = datetime.date(2026, 11, 25)

    assert Poster("203.0.113.7").id_for(1, day) != Poster("203.0.113.8").id_for(1, day)


def test_poster_hash_reveals_nothing_of_the_address_and_depends_on_the_server_key(settings):
    settings.POSTER_HASH_KEY = "first-key"
    first = Poster("203.0.113.7").hash
    settings.POSTER_HASH_KEY = "second-key"

    assert "203" not in first
    assert len(first) == 64
    assert Poster("203.0.113.7").hash != first


def test_deletion_key_hash_differs_for_each_comment_of_one_browser():
    key = "browser-key"

    assert deletion_key_hash(key, article_id=1, number=1) != deletion_key_hash(
        key, article_id=1, number=2
    )
