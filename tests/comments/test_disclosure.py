"""Sender records for disclosure requests: sealed when a key is set, opened only by a superuser."""

from http import HTTPStatus

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse

from comments.models import Comment, ModerationAction
from comments.posters import Poster
from comments.services import comment_create
from tests.factories import CommentFactory, ModeratorFactory, UserFactory, force_verified_login

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.7"
CHANGELIST = reverse("admin:comments_comment_changelist")


@pytest.fixture
def disclosure_key(settings):
    settings.DISCLOSURE_KEY = Fernet.generate_key().decode()
    return settings.DISCLOSURE_KEY


@pytest.fixture
def superuser():
    return UserFactory(username="admin-yamada", is_staff=True, is_superuser=True)


@pytest.fixture
def superuser_client(client, superuser):
    force_verified_login(client, superuser)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def post_comment(article):
    return comment_create(
        article=article,
        poster=Poster(address=ADDRESS, sender=ADDRESS),
        name="",
        body="開示請求の対象になるコメント",
        deletion_key="browser-key",
    )


def disclose(client, *comments, reason="東京地裁 令和8年(ワ)第1234号"):
    """The action's second step: the legal basis given, the record decrypted."""
    return client.post(
        CHANGELIST,
        {
            "action": "disclose_sender",
            "_selected_action": [c.pk for c in comments],
            "post": "yes",
            "reason": reason,
        },
    )


def choose_action(client, *comments):
    """The action's first step, as chosen from the changelist."""
    return client.post(
        CHANGELIST,
        {"action": "disclose_sender", "_selected_action": [c.pk for c in comments], "index": 0},
        follow=True,
    )


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- Sealing


def test_with_a_disclosure_key_a_new_comment_keeps_an_encrypted_sender_record(
    disclosure_key, article
):
    comment = post_comment(article)

    stored = Comment.objects.get(pk=comment.pk).sender_record
    assert stored
    assert ADDRESS not in stored


def test_without_a_disclosure_key_no_sender_record_is_kept(settings, article):
    settings.DISCLOSURE_KEY = ""

    comment = post_comment(article)

    assert Comment.objects.get(pk=comment.pk).sender_record == ""


# --- Opening, through the admin


def test_a_superuser_is_asked_for_the_legal_basis_before_anything_is_decrypted(
    disclosure_key, superuser_client, article
):
    comment = post_comment(article)

    response = choose_action(superuser_client, comment)

    assert response.status_code == HTTPStatus.OK
    assert 'name="reason"' in response.text
    assert ADDRESS not in response.text
    assert not ModerationAction.objects.exists()


def test_a_superuser_decrypts_a_comments_sender_address_through_the_admin_action(
    disclosure_key, superuser_client, article
):
    comment = post_comment(article)

    response = disclose(superuser_client, comment)

    assert response.status_code == HTTPStatus.OK
    assert ADDRESS in response.text


def test_the_decrypted_sender_page_is_never_cached(disclosure_key, superuser_client, article):
    comment = post_comment(article)

    response = disclose(superuser_client, comment)

    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_decrypting_a_sender_record_is_written_to_the_moderation_log(
    disclosure_key, superuser_client, superuser, article
):
    comment = post_comment(article)

    disclose(superuser_client, comment, reason="東京地裁 令和8年(ワ)第1234号")

    entry = ModerationAction.objects.get()
    assert (entry.kind, entry.actor, entry.reason) == (
        ModerationAction.Kind.DISCLOSE,
        superuser,
        "東京地裁 令和8年(ワ)第1234号",
    )
    assert list(entry.comments.all()) == [comment]
    assert ADDRESS not in str(entry.details)


def test_a_disclosure_without_a_legal_basis_decrypts_nothing(
    disclosure_key, superuser_client, article
):
    comment = post_comment(article)

    response = disclose(superuser_client, comment, reason="")

    assert ADDRESS not in response.text
    assert not ModerationAction.objects.exists()


def test_two_comments_selected_are_refused_with_a_message(
    disclosure_key, superuser_client, article
):
    comments = [post_comment(article), CommentFactory(article=article)]

    response = choose_action(superuser_client, *comments)

    assert "Select exactly one comment" in " ".join(messages_of(response))
    assert not ModerationAction.objects.exists()


def test_without_a_key_the_superuser_is_told_none_is_configured(
    settings, superuser_client, article
):
    comment = CommentFactory(article=article, sender_record="gAAAA-not-a-token")
    settings.DISCLOSURE_KEY = ""

    response = choose_action(superuser_client, comment)

    assert "No disclosure key is configured" in " ".join(messages_of(response))
    assert not ModerationAction.objects.exists()


def test_a_comment_without_a_record_is_reported_as_having_none(
    disclosure_key, superuser_client, article
):
    comment = CommentFactory(article=article, sender_record="")

    response = choose_action(superuser_client, comment)

    assert "has no sender record" in " ".join(messages_of(response))


def test_a_record_sealed_with_another_key_is_reported_as_undecryptable(
    disclosure_key, superuser_client, settings, article
):
    comment = post_comment(article)
    settings.DISCLOSURE_KEY = Fernet.generate_key().decode()

    response = disclose(superuser_client, comment)

    assert response.status_code == HTTPStatus.FOUND
    assert "cannot be decrypted" in " ".join(messages_of(response))
    assert not ModerationAction.objects.exists()


def test_a_moderator_does_not_see_the_disclosure_action(disclosure_key, client, article):
    post_comment(article)
    client.force_login(ModeratorFactory())

    response = client.get(CHANGELIST)

    assert response.status_code == HTTPStatus.OK
    assert "disclose_sender" not in response.text


def test_a_moderator_cannot_run_the_disclosure_action(disclosure_key, client, article):
    comment = post_comment(article)
    client.force_login(ModeratorFactory())

    response = disclose(client, comment)

    assert ADDRESS not in response.text
    assert not ModerationAction.objects.exists()


def test_a_superuser_can_start_a_disclosure_from_the_comment_page(
    disclosure_key, superuser_client, article
):
    comment = post_comment(article)
    change_url = reverse("admin:comments_comment_change", args=[comment.pk])
    assert 'value="disclose_sender"' in superuser_client.get(change_url).text

    response = superuser_client.post(
        change_url, {"CHANGE_FORM-action": "disclose_sender", "_selected_action": comment.pk}
    )

    assert response.status_code == HTTPStatus.OK
    assert 'name="reason"' in response.text
