"""Sender records for disclosure requests: sealed to a public key on the web servers, opened only by
a superuser who brings the offline private key, and every opening logged."""

import logging
import stat
from http import HTTPStatus
from io import StringIO

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from django.conf import settings
from django.contrib.messages import get_messages
from django.core import checks
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from comments.disclosure import key_id, private_key_pem, public_key_text
from comments.models import Comment, ModerationAction
from comments.posters import Poster
from comments.services import comment_create
from tests.factories import CommentFactory, ModeratorFactory, UserFactory, force_verified_login

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.7"
LEGAL_BASIS = "東京地裁 令和8年(ワ)第1234号"
CHANGELIST = reverse("admin:comments_comment_changelist")


@pytest.fixture
def key_pair(settings):
    """The offline private key; the settings hold only its public half, as on a web server."""
    private_key = X25519PrivateKey.generate()
    settings.DISCLOSURE_PUBLIC_KEY = public_key_text(private_key.public_key())
    return private_key


@pytest.fixture
def superuser():
    return UserFactory(username="admin-yamada", is_staff=True, is_superuser=True, password=None)


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


def disclose(client, comment, private_key=None, *, passphrase="", pasted=False, reason=LEGAL_BASIS):
    """The action's second step: the legal basis and the private key given."""
    data = {
        "action": "disclose_sender",
        "_selected_action": [comment.pk],
        "post": "yes",
        "reason": reason,
        "passphrase": passphrase,
    }
    if private_key is not None:
        pem = private_key_pem(private_key, passphrase)
        if pasted:
            data["private_key_text"] = pem.decode()
        else:
            data["private_key_file"] = SimpleUploadedFile("disclosure.pem", pem)
    return client.post(CHANGELIST, data)


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


def test_with_a_public_key_a_new_comment_keeps_a_sealed_sender_record(key_pair, article):
    comment = post_comment(article)

    stored = Comment.objects.get(pk=comment.pk).sender_record
    assert stored.startswith(f"hpke1.{key_id(key_pair)}.")
    assert ADDRESS not in stored


def test_without_a_public_key_no_sender_record_is_kept(settings, article):
    settings.DISCLOSURE_PUBLIC_KEY = ""

    comment = post_comment(article)

    assert Comment.objects.get(pk=comment.pk).sender_record == ""


def test_the_public_key_is_also_taken_as_pem_written_on_one_line(settings, article):
    private_key = X25519PrivateKey.generate()
    pem = private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    settings.DISCLOSURE_PUBLIC_KEY = pem.decode().strip().replace("\n", "\\n")

    comment = post_comment(article)

    assert comment.sender_record.startswith(f"hpke1.{key_id(private_key)}.")


# --- Opening, through the admin, with the private key brought by the superuser


def test_a_superuser_is_asked_for_the_legal_basis_and_the_private_key_first(
    key_pair, superuser_client, article
):
    comment = post_comment(article)

    response = choose_action(superuser_client, comment)

    assert response.status_code == HTTPStatus.OK
    assert 'name="reason"' in response.text
    assert 'name="private_key_file"' in response.text
    assert 'enctype="multipart/form-data"' in response.text
    assert key_id(key_pair) in response.text
    assert ADDRESS not in response.text
    assert not ModerationAction.objects.exists()


def test_a_superuser_decrypts_a_sender_address_with_the_private_key_file(
    key_pair, superuser_client, article
):
    comment = post_comment(article)

    response = disclose(superuser_client, comment, key_pair)

    assert response.status_code == HTTPStatus.OK
    assert ADDRESS in response.text


def test_a_superuser_decrypts_with_the_private_key_pasted_and_its_passphrase(
    key_pair, superuser_client, article
):
    comment = post_comment(article)

    response = disclose(superuser_client, comment, key_pair, passphrase="金庫の合言葉", pasted=True)

    assert ADDRESS in response.text


def test_without_the_private_key_nothing_is_decrypted_or_logged(
    key_pair, superuser_client, article
):
    comment = post_comment(article)

    response = disclose(superuser_client, comment, None)

    assert "Give the private key that opens this record" in response.text
    assert ADDRESS not in response.text
    assert not ModerationAction.objects.exists()


def test_a_wrong_passphrase_is_refused_and_nothing_is_logged(key_pair, superuser_client, article):
    comment = post_comment(article)
    pem = private_key_pem(key_pair, "正しい合言葉")

    response = superuser_client.post(
        CHANGELIST,
        {
            "action": "disclose_sender",
            "_selected_action": [comment.pk],
            "post": "yes",
            "reason": LEGAL_BASIS,
            "private_key_file": SimpleUploadedFile("disclosure.pem", pem),
            "passphrase": "違う合言葉",
        },
    )

    assert "the passphrase is wrong" in response.text
    assert ADDRESS not in response.text
    assert not ModerationAction.objects.exists()


def test_the_private_key_of_another_key_pair_is_refused_naming_the_one_needed(
    key_pair, superuser_client, article
):
    comment = post_comment(article)
    other = X25519PrivateKey.generate()

    response = disclose(superuser_client, comment, other)

    assert f"sealed to the key pair {key_id(key_pair)}" in response.text
    assert ADDRESS not in response.text
    assert not ModerationAction.objects.exists()


def test_a_pasted_private_key_is_never_sent_back_to_the_browser(
    key_pair, superuser_client, article
):
    comment = post_comment(article)

    response = disclose(superuser_client, comment, key_pair, pasted=True, reason="")

    assert response.status_code == HTTPStatus.OK
    assert "PRIVATE KEY" not in response.text


def test_records_still_open_after_the_servers_key_is_rotated_or_removed(
    key_pair, superuser_client, settings, article
):
    comment = post_comment(article)
    settings.DISCLOSURE_PUBLIC_KEY = public_key_text(X25519PrivateKey.generate().public_key())

    response = disclose(superuser_client, comment, key_pair)

    assert ADDRESS in response.text


def test_a_record_copied_onto_another_comment_does_not_open(key_pair, superuser_client, article):
    original, other = post_comment(article), CommentFactory(article=article)
    Comment.objects.filter(pk=other.pk).update(sender_record=original.sender_record)

    response = disclose(superuser_client, other, key_pair)

    assert response.status_code == HTTPStatus.FOUND
    assert "cannot be decrypted" in " ".join(messages_of(response))
    assert not ModerationAction.objects.exists()


def test_the_decrypted_sender_page_is_never_cached(key_pair, superuser_client, article):
    comment = post_comment(article)

    response = disclose(superuser_client, comment, key_pair)

    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_decrypting_a_sender_record_is_written_to_the_moderation_log_with_its_legal_basis(
    key_pair, superuser_client, superuser, article
):
    comment = post_comment(article)

    disclose(superuser_client, comment, key_pair, reason=LEGAL_BASIS)

    entry = ModerationAction.objects.get()
    assert (entry.kind, entry.actor, entry.reason) == (
        ModerationAction.Kind.DISCLOSE,
        superuser,
        LEGAL_BASIS,
    )
    assert list(entry.comments.all()) == [comment]
    assert entry.details == {"key_id": key_id(key_pair)}


def test_a_disclosure_without_a_legal_basis_decrypts_nothing(key_pair, superuser_client, article):
    comment = post_comment(article)

    response = disclose(superuser_client, comment, key_pair, reason="")

    assert ADDRESS not in response.text
    assert not ModerationAction.objects.exists()


def test_two_comments_selected_are_refused_with_a_message(key_pair, superuser_client, article):
    comments = [post_comment(article), CommentFactory(article=article)]

    response = choose_action(superuser_client, *comments)

    assert "Select exactly one comment" in " ".join(messages_of(response))
    assert not ModerationAction.objects.exists()


def test_a_comment_without_a_record_is_reported_as_having_none(key_pair, superuser_client, article):
    comment = CommentFactory(article=article, sender_record="")

    response = choose_action(superuser_client, comment)

    assert "has no sender record" in " ".join(messages_of(response))


def test_a_moderator_does_not_see_the_disclosure_action(key_pair, client, article):
    post_comment(article)
    client.force_login(ModeratorFactory(password=None))

    response = client.get(CHANGELIST)

    assert response.status_code == HTTPStatus.OK
    assert "disclose_sender" not in response.text


def test_a_moderator_cannot_run_the_disclosure_action_even_with_the_key(key_pair, client, article):
    comment = post_comment(article)
    client.force_login(ModeratorFactory(password=None))

    response = disclose(client, comment, key_pair)

    assert ADDRESS not in response.text
    assert not ModerationAction.objects.exists()


def test_a_superuser_can_start_a_disclosure_from_the_comment_page(
    key_pair, superuser_client, article
):
    comment = post_comment(article)
    change_url = reverse("admin:comments_comment_change", args=[comment.pk])
    assert 'value="disclose_sender"' in superuser_client.get(change_url).text

    response = superuser_client.post(
        change_url, {"CHANGE_FORM-action": "disclose_sender", "_selected_action": comment.pk}
    )

    assert response.status_code == HTTPStatus.OK
    assert 'name="reason"' in response.text


# --- A malformed key: a failed check at start, never a failed post


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("not a key", "neither base64 nor PEM"),
        ("c2hvcnQ=", "decodes to 5 bytes"),
        ("-----BEGIN PUBLIC KEY-----\nMCowBQ==\n-----END PUBLIC KEY-----", "not a readable PEM"),
    ],
    ids=["text", "short", "broken-pem"],
)
def test_a_malformed_public_key_fails_the_security_system_check(settings, value, says):
    settings.DISCLOSURE_PUBLIC_KEY = value

    errors = checks.run_checks(tags=[checks.Tags.security])

    assert [error.id for error in errors if error.is_serious()] == ["comments.E001"]
    assert says in errors[0].msg


def test_a_private_key_put_where_the_public_key_goes_fails_the_check_and_says_so(settings):
    settings.DISCLOSURE_PUBLIC_KEY = private_key_pem(X25519PrivateKey.generate()).decode()

    [error] = checks.run_checks(tags=[checks.Tags.security])

    assert error.id == "comments.E001"
    assert "must never be on the web servers" in error.msg


def test_the_old_symmetric_disclosure_key_left_in_the_environment_gives_a_warning(
    key_pair, monkeypatch
):
    monkeypatch.setenv("DISCLOSURE_KEY", "an-old-fernet-key")

    [warning] = checks.run_checks(tags=[checks.Tags.security])

    assert (warning.id, warning.is_serious()) == ("comments.W001", False)
    assert "no longer read" in warning.msg


def test_a_well_formed_public_key_passes_the_check(key_pair):
    assert checks.run_checks(tags=[checks.Tags.security]) == []


def test_a_reader_still_posts_if_a_malformed_key_got_past_the_checks(
    settings, client, article, caplog
):
    settings.DISCLOSURE_PUBLIC_KEY = "not a key"
    page = client.get(article.get_absolute_url())
    started = page.context["form"]["started"].value()

    with caplog.at_level(logging.ERROR, logger="comments.disclosure"):
        response = client.post(
            reverse("comments:post", kwargs={"slug": article.slug}),
            {"name": "", "body": "鍵が壊れていても投稿できる", "website": "", "started": started},
        )

    assert response.status_code == HTTPStatus.FOUND
    assert Comment.objects.get().sender_record == ""
    assert "DISCLOSURE_PUBLIC_KEY cannot be used" in caplog.text


# --- disclosure_keygen


def keygen(path, *args):
    out = StringIO()
    call_command("disclosure_keygen", str(path), *args, stdout=out)
    return out.getvalue()


def printed_public_key(output):
    [line] = [line for line in output.splitlines() if line.startswith("DISCLOSURE_PUBLIC_KEY=")]
    return line.removeprefix("DISCLOSURE_PUBLIC_KEY=")


def test_keygen_writes_a_private_key_only_its_owner_can_read_and_prints_its_public_key(
    tmp_path, settings, superuser_client, article
):
    path = tmp_path / "disclosure.pem"

    settings.DISCLOSURE_PUBLIC_KEY = printed_public_key(keygen(path))

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    comment = post_comment(article)
    response = superuser_client.post(
        CHANGELIST,
        {
            "action": "disclose_sender",
            "_selected_action": [comment.pk],
            "post": "yes",
            "reason": LEGAL_BASIS,
            "private_key_file": SimpleUploadedFile("disclosure.pem", path.read_bytes()),
        },
    )
    assert ADDRESS in response.text


def test_keygen_protects_the_private_key_with_a_passphrase_when_asked(tmp_path):
    (tmp_path / "passphrase").write_text("金庫の合言葉\n")

    keygen(tmp_path / "disclosure.pem", "--passphrase-file", str(tmp_path / "passphrase"))

    pem = (tmp_path / "disclosure.pem").read_bytes()
    assert b"ENCRYPTED PRIVATE KEY" in pem


def test_keygen_never_overwrites_an_existing_key_file(tmp_path):
    path = tmp_path / "disclosure.pem"
    path.write_text("an older private key")

    with pytest.raises(CommandError, match="not overwritten"):
        keygen(path)

    assert path.read_text() == "an older private key"
