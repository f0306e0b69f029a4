"""Editors hear of piling suggestions by e-mail, at most once per interval, as moderators do."""

import pytest
from django.core import mail
from django.core.cache import cache

from comments.posters import Poster
from suggestions.models import passage_digest
from suggestions.notifications import NOTIFIED_KEY
from suggestions.services import suggestion_create
from tests.factories import EditorFactory, ModeratorFactory
from tests.suggestions.helpers import paragraph

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _notify_at_two(settings):
    settings.SUGGESTION_NOTIFY_THRESHOLD = 2
    settings.SUGGESTION_NOTIFY_INTERVAL_MINUTES = 60
    settings.SUGGESTION_NOTIFY_EMAILS = []
    settings.SITE_URL = "https://kjnews.example"


@pytest.fixture
def editor_with_mail(db):
    return EditorFactory(email="editor@kjnews.example")


@pytest.fixture
def send(article, django_capture_on_commit_callbacks):
    """One reader's suggestion on paragraph 3, with what its commit runs."""
    sent = 0

    def send_one():
        nonlocal sent
        sent += 1
        passage = paragraph(article, 3)
        with django_capture_on_commit_callbacks(execute=True):
            suggestion_create(
                article=article,
                key=passage.key,
                seen_digest=passage_digest(passage.text),
                proposed_text=f"修正案{sent}",
                poster=Poster(address=f"198.51.100.{sent}"),
            )

    return send_one


def test_reaching_the_threshold_mails_the_editors_once(editor_with_mail, send):
    ModeratorFactory(email="moderator@kjnews.example")
    send()
    assert mail.outbox == []

    send()

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["editor@kjnews.example"]
    assert "2" in mail.outbox[0].subject
    assert "https://kjnews.example/editorial/suggestions/" in mail.outbox[0].body


def test_more_suggestions_within_the_interval_send_no_second_mail(editor_with_mail, send):
    for _ in range(5):
        send()

    assert len(mail.outbox) == 1


def test_after_the_interval_the_editors_hear_again(editor_with_mail, send):
    send()
    send()
    cache.delete(NOTIFIED_KEY)  # the interval has passed: the key expired

    send()

    assert len(mail.outbox) == 2


def test_configured_addresses_replace_the_editors_group(editor_with_mail, send, settings):
    settings.SUGGESTION_NOTIFY_EMAILS = ["desk@kjnews.example"]
    send()
    send()

    assert mail.outbox[0].to == ["desk@kjnews.example"]


def test_the_editors_interval_is_separate_from_the_moderators(editor_with_mail, send):
    from comments.notifications import NOTIFIED_KEY as MODERATORS_KEY

    cache.set(MODERATORS_KEY, True, 3600)  # the moderators were just told
    send()
    send()

    assert len(mail.outbox) == 1
