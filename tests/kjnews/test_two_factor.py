"""Two-factor sign-in: a code from an authenticator app after the password, required of
superusers, offered to all staff (issue 10). Codes are computed here from the device's secret
with django-otp's own TOTP, as the phone's app would."""

from http import HTTPStatus
from urllib.parse import quote

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from articles.models import Article
from tests.factories import ArticleFactory, EditorFactory, SuperuserFactory, TOTPDeviceFactory

pytestmark = pytest.mark.django_db

INDEX = reverse("admin:index")
LOGIN = reverse("admin:login")
SETUP = reverse("admin:two_factor_setup")
VERIFY = reverse("admin:two_factor_verify")
PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def code_for(device) -> str:
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def sign_in_with_password(client, user):
    response = client.post(LOGIN, {"username": user.username, "password": PASSWORD, "next": INDEX})
    assert response.status_code == HTTPStatus.FOUND, response.text
    return client.get(INDEX)


def test_a_superuser_without_an_app_must_set_one_up_before_the_admin_opens(client):
    superuser = SuperuserFactory(password=PASSWORD)

    response = sign_in_with_password(client, superuser)
    setup_page = client.get(response["Location"])

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"{SETUP}?next={quote(INDEX)}"
    assert "スーパーユーザーのアカウントは2段階認証が必須です" in setup_page.text
    assert 'src="data:image/svg+xml' in setup_page.text  # the QR code


def test_a_superuser_who_sets_up_an_app_is_let_in(client):
    superuser = SuperuserFactory(password=PASSWORD)
    sign_in_with_password(client, superuser)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=superuser)

    confirmed = client.post(f"{SETUP}?next={INDEX}", {"code": code_for(device)})
    index = client.get(INDEX)

    assert confirmed.status_code == HTTPStatus.FOUND
    assert confirmed["Location"] == INDEX
    assert index.status_code == HTTPStatus.OK
    assert "2段階認証を有効にしました" in index.text


def test_a_superuser_with_an_app_gives_its_code_after_the_password(client):
    superuser = SuperuserFactory(password=PASSWORD)
    device = TOTPDeviceFactory(user=superuser)

    asked = sign_in_with_password(client, superuser)
    answered = client.post(asked["Location"], {"code": code_for(device)})

    assert asked["Location"] == f"{VERIFY}?next={quote(INDEX)}"
    assert answered["Location"] == INDEX
    assert client.get(INDEX).status_code == HTTPStatus.OK


def test_after_a_wrong_code_even_the_right_one_must_wait_a_moment(client):
    superuser = SuperuserFactory(password=PASSWORD)
    device = TOTPDeviceFactory(user=superuser)
    sign_in_with_password(client, superuser)

    # The clock stands still: the pause after a wrong code is a second long.
    with time_machine.travel(timezone.now(), tick=False):
        wrong = client.post(VERIFY, {"code": "000000"})
        at_once = client.post(VERIFY, {"code": code_for(device)})

    assert "確認コードが正しくありません" in wrong.text
    assert "確認コードの誤りが続いたため" in at_once.text
    assert client.get(INDEX).status_code == HTTPStatus.FOUND


def test_a_superuser_owing_the_code_cannot_open_any_admin_page(client):
    superuser = SuperuserFactory(password=PASSWORD)
    TOTPDeviceFactory(user=superuser)
    sign_in_with_password(client, superuser)

    response = client.get(reverse("admin:auth_user_changelist"))

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(VERIFY)


def test_a_superuser_owing_the_code_cannot_open_the_moderation_queue(client):
    superuser = SuperuserFactory(password=PASSWORD)
    TOTPDeviceFactory(user=superuser)
    sign_in_with_password(client, superuser)

    response = client.get(reverse("moderation:queue"))

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"{VERIFY}?next={quote(reverse('moderation:queue'))}"


def test_a_superuser_owing_the_code_sees_a_draft_as_readers_do(client):
    superuser = SuperuserFactory(password=PASSWORD)
    TOTPDeviceFactory(user=superuser)
    draft = ArticleFactory(status=Article.Status.DRAFT)
    sign_in_with_password(client, superuser)

    response = client.get(draft.get_absolute_url())

    assert response.status_code == HTTPStatus.NOT_FOUND


def test_an_editor_signs_in_with_the_password_alone_and_is_offered_two_factor(client):
    editor = EditorFactory(password=PASSWORD)

    index = sign_in_with_password(client, editor)

    assert index.status_code == HTTPStatus.OK
    assert f'href="{SETUP}"' in index.text


def test_an_editor_who_sets_up_an_app_is_asked_for_its_code_at_the_next_sign_in(client):
    editor = EditorFactory(password=PASSWORD)
    sign_in_with_password(client, editor)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=editor)
    client.post(SETUP, {"code": code_for(device)})
    client.logout()

    response = sign_in_with_password(client, editor)

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(VERIFY)


def test_a_password_alone_cannot_add_another_app(client):
    editor = EditorFactory(password=PASSWORD)
    TOTPDeviceFactory(user=editor)
    sign_in_with_password(client, editor)

    response = client.get(SETUP)

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=editor).count() == 1


def test_after_the_code_the_page_asked_for_opens_but_never_another_site(client):
    superuser = SuperuserFactory(password=PASSWORD)
    device = TOTPDeviceFactory(user=superuser)
    sign_in_with_password(client, superuser)

    response = client.post(f"{VERIFY}?next=https://evil.example/", {"code": code_for(device)})

    assert response["Location"] == INDEX
