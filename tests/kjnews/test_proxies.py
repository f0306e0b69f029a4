"""The client's address behind our own proxies: X-Forwarded-For read from the right, only from a
trusted peer and only past trusted hops. Pure functions, no database."""

import ipaddress
import logging

import pytest
from django.test import RequestFactory

from kjnews import proxies
from kjnews.proxies import client_address, hop_address, network_from_setting

NGINX = "10.0.0.2"
PROXIES = (network_from_setting("10.0.0.0/24"),)
CDN_AND_NGINX = (network_from_setting("198.51.100.0/24"), network_from_setting("10.0.0.0/24"))


def seen(remote_addr, forwarded_for="", networks=PROXIES):
    address = client_address(remote_addr, forwarded_for, networks)
    return None if address is None else str(address)


def test_with_no_trusted_proxy_the_header_is_ignored():
    assert seen("203.0.113.9", "198.51.100.4", networks=()) == "203.0.113.9"


def test_a_peer_outside_the_trusted_networks_cannot_choose_its_address():
    assert seen("203.0.113.9", "198.51.100.4, 10.0.0.2") == "203.0.113.9"


def test_behind_nginx_the_address_it_saw_is_the_client():
    assert seen(NGINX, "203.0.113.9") == "203.0.113.9"


def test_what_the_reader_wrote_left_of_the_proxys_entry_is_never_read():
    assert seen(NGINX, "1.2.3.4, 203.0.113.9") == "203.0.113.9"


def test_trusted_hops_are_passed_over_however_many_there_are():
    chain = "1.2.3.4, 203.0.113.9, 198.51.100.20, 10.0.0.7"

    assert seen(NGINX, chain, networks=CDN_AND_NGINX) == "203.0.113.9"


def test_a_reader_going_around_the_cdn_is_still_seen_as_themselves():
    # They wrote a CDN address themselves; nginx appended the address they really came from.
    assert seen(NGINX, "198.51.100.20, 203.0.113.9", networks=CDN_AND_NGINX) == "203.0.113.9"


def test_a_trusted_peer_without_the_header_is_the_client_itself():
    assert seen(NGINX, "") == NGINX


@pytest.mark.parametrize(
    ("entry", "address"),
    [
        ("203.0.113.9:5678", "203.0.113.9"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("[2001:db8::1]", "2001:db8::1"),
        (" 2001:db8::1 ", "2001:db8::1"),
        ("::ffff:203.0.113.9", "203.0.113.9"),
        ("fe80::1%eth0", "fe80::1"),
    ],
)
def test_ports_brackets_and_mapped_forms_are_read_as_the_address(entry, address):
    assert str(hop_address(entry)) == address


@pytest.mark.parametrize(
    "entry", ["unknown", "_hidden", "for=203.0.113.9", "", "203.0.113.9:http", "[2001:db8::1"]
)
def test_text_that_is_not_an_address_is_none(entry):
    assert hop_address(entry) is None


@pytest.mark.parametrize("entry", ["unknown", "1.2.3.4:5678:9", "garbage", ""])
def test_an_entry_that_is_not_an_address_leaves_the_client_unidentified(entry):
    assert seen(NGINX, f"198.51.100.4, {entry}") is None


def test_an_unparsable_entry_is_not_skipped_to_read_what_the_reader_wrote_further_left():
    # Skipping it would make 198.51.100.4, which anyone can write, the client.
    assert seen(NGINX, "198.51.100.4, unknown, 10.0.0.7") is None


def test_different_unparsable_entries_never_share_an_identity_with_anyone():
    assert {seen(NGINX, "unknown"), seen(NGINX, "garbage")} == {None}


def test_an_unparsable_entry_left_of_the_client_changes_nothing():
    assert seen(NGINX, "unknown, 203.0.113.9") == "203.0.113.9"


def test_an_ipv4_proxy_written_as_a_mapped_ipv6_network_matches_ipv4_peers():
    networks = (network_from_setting("::ffff:10.0.0.0/120"),)

    assert networks[0] == ipaddress.ip_network("10.0.0.0/24")
    assert seen(NGINX, "203.0.113.9", networks=networks) == "203.0.113.9"


# The operator hears when a proxy seems to be in front but is not configured.


@pytest.fixture
def fresh_warnings():
    proxies._unconfigured_warning.reset()
    proxies._unidentified_warning.reset()
    yield
    proxies._unconfigured_warning.reset()
    proxies._unidentified_warning.reset()


def request_from(remote_addr, **headers):
    return RequestFactory().get("/", REMOTE_ADDR=remote_addr, **headers)


def test_a_forwarded_header_from_an_untrusted_peer_is_warned_about_once(
    settings, caplog, fresh_warnings
):
    settings.TRUSTED_PROXIES = []
    with caplog.at_level(logging.WARNING, logger="kjnews.proxies"):
        for _ in range(3):
            proxies.warn_if_proxy_unconfigured(
                request_from("127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
            )

    [record] = caplog.records
    assert "not in TRUSTED_PROXIES" in record.getMessage()
    assert "127.0.0.1" in record.getMessage()


def test_the_warning_never_names_a_public_address_which_may_be_a_readers(
    settings, caplog, fresh_warnings
):
    settings.TRUSTED_PROXIES = []
    with caplog.at_level(logging.WARNING, logger="kjnews.proxies"):
        proxies.warn_if_proxy_unconfigured(
            request_from("203.0.113.50", HTTP_X_FORWARDED_FOR="198.51.100.1")
        )

    assert "203.0.113.50" not in caplog.text
    assert "a public address" in caplog.text


def test_no_warning_for_a_trusted_proxy_or_a_request_without_the_header(
    settings, caplog, fresh_warnings
):
    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]
    with caplog.at_level(logging.WARNING, logger="kjnews.proxies"):
        proxies.warn_if_proxy_unconfigured(
            request_from("127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
        )
        proxies.warn_if_proxy_unconfigured(request_from("203.0.113.9"))

    assert caplog.records == []


def test_an_unidentified_client_is_warned_about_with_the_proxy_that_wrote_the_entry(
    caplog, fresh_warnings
):
    with caplog.at_level(logging.WARNING, logger="kjnews.proxies"):
        seen(NGINX, "unknown")

    assert f"trusted proxy {NGINX}" in caplog.text
