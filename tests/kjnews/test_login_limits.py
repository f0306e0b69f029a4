"""Password guessing on the admin's sign-in is cut off per address and per account (issue 10:
"12 wrong passwords in a row from one address all answered normally")."""

import datetime
from http import HTTPStatus

import pytest
import time_machine
from django.urls import reverse

from tests.factories import EditorFactory
from tests.servers import refused_port

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")
PASSWORD = "correct horse battery staple"
LOCKED_OUT = "ログインの失敗が続いたため"
NOW = datetime.datetime(2026, 11, 29, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def clock():
    """Counting windows follow the clock; a test that starts near a window's end would see its
    count start again."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings):
    """Dozens of sign-ins: the hasher's deliberate slowness would cost the suite half a minute."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def chief():
    return EditorFactory(username="chief", password=PASSWORD)


def sign_in(client, username, password, address="203.0.113.9"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in(client):
    return "_auth_user_id" in client.session


def test_twelve_wrong_passwords_from_one_address_are_cut_off_with_a_message(client, chief):
    answers = [sign_in(client, "chief", f"guess-{n}") for n in range(12)]

    assert [a.status_code for a in answers] == [HTTPStatus.OK] * 5 + [
        HTTPStatus.TOO_MANY_REQUESTS
    ] * 7
    assert LOCKED_OUT not in answers[4].text
    assert LOCKED_OUT in answers[5].text
    # When to try again, in Japan time and in the header: 15 minutes after the fifth failure.
    assert "19:15以降" in answers[-1].text
    assert answers[-1]["Retry-After"] == str(15 * 60)


def test_guessing_at_many_accounts_from_one_address_is_cut_off_too(client, chief):
    for n in range(10):
        sign_in(client, f"someone-{n}", "guess")

    from_there = sign_in(client, "chief", PASSWORD)
    from_elsewhere = sign_in(client, "chief", PASSWORD, address="198.51.100.20")

    assert from_there.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert LOCKED_OUT in from_there.text
    assert from_elsewhere.status_code == HTTPStatus.FOUND


def test_guessing_at_one_account_from_many_addresses_is_cut_off(client, chief):
    for n in range(5):
        sign_in(client, "chief", "guess", address=f"198.51.100.{n + 1}")

    response = sign_in(client, "Chief ", "guess", address="192.0.2.77")

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert LOCKED_OUT in response.text


def test_the_right_password_during_a_lockout_does_not_sign_in_until_the_time_is_up(
    client, chief, clock
):
    for _ in range(5):
        sign_in(client, "chief", "guess")

    refused = sign_in(client, "chief", PASSWORD)
    clock.shift(datetime.timedelta(minutes=14))
    still_refused = sign_in(client, "chief", PASSWORD)
    refused_signed_in = signed_in(client)
    clock.shift(datetime.timedelta(minutes=1, seconds=1))
    later = sign_in(client, "chief", PASSWORD)

    assert refused.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert still_refused.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert refused_signed_in is False
    assert later.status_code == HTTPStatus.FOUND
    assert signed_in(client)


def test_with_the_shared_cache_away_guessing_is_still_cut_off(client, chief, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "kjnews.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{refused_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    address = "192.0.2.201"  # this worker's own count outlives the test: an address of its own

    answers = [sign_in(client, "chief", "guess", address=address) for _ in range(6)]
    elsewhere = sign_in(client, "someone-else", "guess", address="192.0.2.202")

    assert answers[0].status_code == HTTPStatus.OK
    assert answers[-1].status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert elsewhere.status_code == HTTPStatus.OK
