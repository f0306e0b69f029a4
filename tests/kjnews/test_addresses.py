"""Absolute addresses on the public site (SITE_URL), for feeds, sitemaps and link previews."""

import pytest

from kjnews.addresses import absolute_url


@pytest.fixture(autouse=True)
def _public_address(settings):
    settings.SITE_URL = "https://kjnews.example/"


def test_a_path_is_put_on_the_public_site():
    assert absolute_url("/articles/talks/") == "https://kjnews.example/articles/talks/"


def test_an_address_with_its_own_host_is_left_as_it_is():
    url = "https://media.kjnews.example/articles/photo-960w.jpg?X-Amz-Signature=abc"

    assert absolute_url(url) == url


def test_a_scheme_relative_address_gets_the_sites_scheme():
    assert absolute_url("//cdn.example/logo.png") == "https://cdn.example/logo.png"


def test_only_the_origin_of_site_url_counts(settings):
    settings.SITE_URL = "http://127.0.0.1:8000/some/path"

    assert absolute_url("/feed/") == "http://127.0.0.1:8000/feed/"
