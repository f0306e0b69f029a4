"""`manage.py check` warns about proxy settings that would make readers one person or let them
choose their address."""

from comments.checks import trusted_proxies_check


def ids(settings):
    return [problem.id for problem in trusted_proxies_check()]


def test_proxies_given_as_addresses_and_networks_pass(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.5", "10.0.1.0/24", "2001:db8:10::/48"]

    assert ids(settings) == []


def test_an_entry_that_is_not_an_address_is_an_error(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.5", "nginx.internal"]

    assert ids(settings) == ["comments.E002"]


def test_a_network_as_wide_as_a_slice_of_the_internet_is_warned_about(settings):
    settings.TRUSTED_PROXIES = ["0.0.0.0/1"]

    assert ids(settings) == ["comments.W002"]


def test_an_https_proxy_in_front_with_no_trusted_proxies_is_warned_about(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TRUSTED_PROXIES = []

    assert ids(settings) == ["comments.W003"]
