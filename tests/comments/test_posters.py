import datetime
import ipaddress

import pytest
from django.test import RequestFactory

from comments.posters import Poster, deletion_key_hash, poster_from_request


def request_from(remote_addr, forwarded_for=None):
    meta = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().post("/", **meta)


def test_behind_a_trusted_proxy_the_poster_is_the_address_it_saw(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]

    poster = poster_from_request(request_from("10.0.0.2", "1.2.3.4, 203.0.113.9"))

    assert (poster.address, poster.sender) == ("203.0.113.9", "203.0.113.9")


def test_ipv6_addresses_count_as_their_64_network_and_keep_the_full_sender_address():
    first = poster_from_request(request_from("2001:db8:1:2:aaaa::1"))
    second = poster_from_request(request_from("2001:db8:1:2:bbbb::9"))

    assert first.address == second.address == "2001:db8:1:2::"
    assert first.hash == second.hash
    assert first.sender == "2001:db8:1:2:aaaa::1"


def test_a_reader_whose_address_cannot_be_told_is_no_poster(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]

    assert poster_from_request(request_from("10.0.0.2", "203.0.113.9, unknown")) is None


def test_two_lines_in_one_ipv6_48_share_a_network_hash_but_not_a_poster_hash():
    home = Poster.from_address(ipaddress.ip_address("2001:db8:77:1::5"))
    same_block = Poster.from_address(ipaddress.ip_address("2001:db8:77:ff01::5"))
    next_block = Poster.from_address(ipaddress.ip_address("2001:db8:78:1::5"))

    assert home.hash != same_block.hash
    assert home.network_hash == same_block.network_hash != next_block.network_hash


def test_each_ipv4_address_is_a_network_of_its_own():
    assert Poster("203.0.113.7").network_hash != Poster("203.0.113.8").network_hash
    assert Poster("203.0.113.7").network_hash != Poster("203.0.113.7").hash


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
