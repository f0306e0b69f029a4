"""Moderators hear of a growing queue by e-mail, at most once per interval."""

import pytest
from django.core import mail
from django.urls import reverse

from comments.models import ModerationMode, SectionPolicy
from comments.services import comment_create
from tests.factories import ModeratorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _notify_at_two(settings):
    settings.MODERATION_NOTIFY_THRESHOLD = 2
    settings.MODERATION_NOTIFY_INTERVAL_MINUTES = 60
    settings.MODERATION_NOTIFY_EMAILS = []
    settings.SITE_URL = "https://kjnews.example"


@pytest.fixture
def moderator():
    return ModeratorFactory(email="moderator@kjnews.example")


@pytest.fixture
def premoderated(article):
    SectionPolicy.objects.create(section=article.section, moderation_mode=ModerationMode.PRE)
    return article


@pytest.fixture
def hold(django_capture_on_commit_callbacks, poster):
    """Post one comment that waits for review, and run what its commit would run."""
    posted = 0

    def hold_one(article):
        nonlocal posted
        posted += 1
        with django_capture_on_commit_callbacks(execute=True):
            comment = comment_create(
                article=article,
                poster=poster,
                name="",
                body=f"承認待ちのコメント{posted}",
                deletion_key="browser-key",
            )
        assert comment.is_pending
        return comment

    return hold_one


def test_holding_comments_past_the_threshold_sends_exactly_one_mail(moderator, premoderated, hold):
    hold(premoderated)
    hold(premoderated)

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["moderator@kjnews.example"]


def test_more_held_comments_within_the_interval_send_no_second_mail(moderator, premoderated, hold):
    hold(premoderated)
    hold(premoderated)

    hold(premoderated)
    hold(premoderated)

    assert len(mail.outbox) == 1


def test_below_the_threshold_no_mail_is_sent(moderator, premoderated, hold):
    hold(premoderated)

    assert mail.outbox == []


def test_the_mail_says_how_many_wait_and_links_to_the_review_queue(moderator, premoderated, hold):
    hold(premoderated)
    hold(premoderated)

    message = mail.outbox[0]
    assert "2" in message.subject
    assert f"https://kjnews.example{reverse('moderation:queue')}" in message.body


def test_configured_addresses_replace_the_moderators_own(settings, moderator, premoderated, hold):
    settings.MODERATION_NOTIFY_EMAILS = ["desk@kjnews.example"]

    hold(premoderated)
    hold(premoderated)

    assert mail.outbox[0].to == ["desk@kjnews.example"]


def test_published_comments_do_not_count_towards_the_threshold(
    settings, moderator, article, poster, django_capture_on_commit_callbacks
):
    settings.MODERATION_NOTIFY_THRESHOLD = 1

    with django_capture_on_commit_callbacks(execute=True):
        comment_create(
            article=article, poster=poster, name="", body="普通のコメント", deletion_key="k"
        )

    assert mail.outbox == []
