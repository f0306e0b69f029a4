"""The protections shared with comments where they run in the background: rate limits with the
shared cache down, and the purge of personal data."""

from http import HTTPStatus
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from comments.retention import personal_data_purge
from suggestions.models import Suggestion
from tests.factories import SuggestionFactory
from tests.servers import refused_port
from tests.suggestions.helpers import paragraph, suggest

pytestmark = pytest.mark.django_db


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


def test_with_the_cache_down_readers_can_still_suggest(client, article, cache_down):
    response = suggest(client, article, paragraph(article, 3), proposed_text="直した文。")

    assert response.status_code == HTTPStatus.FOUND
    assert Suggestion.objects.get().proposed_text == "直した文。"


def test_with_the_cache_down_the_limit_counts_the_posters_stored_suggestions(
    client, article, settings, cache_down
):
    settings.SUGGESTION_RATE_LIMITS = ["2/m"]
    suggest(client, article, paragraph(article, 1), proposed_text="一件目。")
    suggest(client, article, paragraph(article, 2), proposed_text="二件目。")

    response = suggest(client, article, paragraph(article, 3), proposed_text="三件目はまだ。")

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert 0 < int(response["Retry-After"]) <= 60
    assert "三件目はまだ。" in response.text
    assert Suggestion.objects.count() == 2


def test_with_the_cache_down_other_readers_are_not_limited(article, settings, cache_down):
    settings.SUGGESTION_RATE_LIMITS = ["1/m"]
    suggest(Client(REMOTE_ADDR="198.51.100.1"), article, paragraph(article, 1), proposed_text="一")

    response = suggest(
        Client(REMOTE_ADDR="198.51.100.2"), article, paragraph(article, 1), proposed_text="別の人"
    )

    assert response.status_code == HTTPStatus.FOUND


def test_with_the_cache_down_an_ipv6_48_is_limited_by_its_stored_suggestions(
    article, settings, cache_down
):
    settings.SUGGESTION_RATE_LIMITS = ["1/m"]
    settings.RATE_LIMIT_IPV6_NETWORK_FACTORS = {56: 2, 48: 2}
    for n, line in enumerate(["2001:db8:c:100::1", "2001:db8:c:200::1"], start=1):
        response = suggest(
            Client(REMOTE_ADDR=line), article, paragraph(article, n), proposed_text=line
        )
        assert response.status_code == HTTPStatus.FOUND

    response = suggest(
        Client(REMOTE_ADDR="2001:db8:c:300::1"), article, paragraph(article, 3), proposed_text="三"
    )

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS


@pytest.fixture
def old_and_new(article, settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 90
    old = SuggestionFactory(
        article=article, created_at=timezone.now() - timezone.timedelta(days=91)
    )
    new = SuggestionFactory(article=article, created_at=timezone.now() - timezone.timedelta(days=1))
    return old, new


def test_the_purge_clears_old_suggestions_poster_hashes_and_keeps_their_text(old_and_new):
    old, new = old_and_new

    result = personal_data_purge()

    old.refresh_from_db()
    new.refresh_from_db()
    assert result.others == {"suggestions": 1}
    assert (old.poster_hash, old.poster_network_hash) == ("", "")
    assert old.proposed_text.startswith("会談は")
    assert new.poster_hash != ""


def test_a_dry_run_counts_suggestions_and_changes_nothing(old_and_new):
    old, _new = old_and_new

    assert personal_data_purge(dry_run=True).others == {"suggestions": 1}
    old.refresh_from_db()
    assert old.poster_hash != ""


def test_the_purge_command_reports_the_suggestions_it_cleared(old_and_new):
    out = StringIO()

    call_command("purge_personal_data", stdout=out)

    assert "読者の指摘から削除した個人データ: 1件" in out.getvalue()
