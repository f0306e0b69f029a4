"""Moderators at work in the admin: blocked terms, slow mode, bans, comment decisions, the log."""

import datetime
from http import HTTPStatus

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from comments.models import (
    Ban,
    BlockedTerm,
    Comment,
    ModerationAction,
    Report,
    SectionPolicy,
    Thread,
)
from tests.factories import CommentFactory, EditorFactory, ModeratorFactory

pytestmark = pytest.mark.django_db

POSTER_HASH = "ab" * 32


@pytest.fixture
def moderator():
    return ModeratorFactory(username="mod-sato")


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def thread(article):
    return Thread.objects.create(article=article)


def thread_change(thread):
    return reverse("admin:comments_thread_change", args=[thread.pk])


# --- Blocked terms


def test_a_moderator_adds_a_blocked_term_and_its_normalised_forms_are_stored(moderator_client):
    response = moderator_client.post(
        reverse("admin:comments_blockedterm_add"), {"term": "死ね", "action": "reject"}
    )

    assert response.status_code == HTTPStatus.FOUND
    term = BlockedTerm.objects.get()
    assert (term.term, term.action, term.surface, term.reading) == (
        "死ね",
        "reject",
        "死ね",
        "しね",
    )


def test_a_blocked_term_of_symbols_only_is_refused(moderator_client):
    response = moderator_client.post(
        reverse("admin:comments_blockedterm_add"), {"term": "★ ・ ★", "action": "hold"}
    )

    assert response.status_code == HTTPStatus.OK
    assert "would never match" in response.text
    assert not BlockedTerm.objects.exists()


def test_the_blocked_term_form_explains_the_japanese_normalisation(moderator_client):
    page = moderator_client.get(reverse("admin:comments_blockedterm_add")).text

    assert "full-width and half-width" in page
    assert "katakana match hiragana" in page


def test_the_blocked_term_change_page_shows_the_stored_forms_read_only(moderator_client):
    term = BlockedTerm.objects.create(term="シネ")

    response = moderator_client.get(reverse("admin:comments_blockedterm_change", args=[term.pk]))

    assert "しね" in response.text
    assert 'name="surface"' not in response.text
    assert 'name="reading"' not in response.text


# --- Slow mode and moderation mode on a thread


def test_slow_mode_switched_on_in_the_thread_admin_is_written_to_the_moderation_log(
    moderator_client, moderator, thread
):
    response = moderator_client.post(
        thread_change(thread), {"moderation_mode": "", "slow_mode": "on"}
    )

    assert response.status_code == HTTPStatus.FOUND
    thread.refresh_from_db()
    assert thread.slow_mode
    entry = ModerationAction.objects.get()
    assert (entry.kind, entry.actor, entry.thread) == (
        ModerationAction.Kind.SLOW_MODE_ON,
        moderator,
        thread,
    )


def test_slow_mode_switched_off_in_the_thread_admin_is_written_to_the_moderation_log(
    moderator_client, thread
):
    Thread.objects.filter(pk=thread.pk).update(slow_mode=True)

    moderator_client.post(thread_change(thread), {"moderation_mode": ""})

    thread.refresh_from_db()
    assert not thread.slow_mode
    assert ModerationAction.objects.get().kind == ModerationAction.Kind.SLOW_MODE_OFF


def test_closing_a_thread_and_setting_its_mode_in_one_save_logs_each_change(
    moderator_client, thread
):
    moderator_client.post(thread_change(thread), {"moderation_mode": "pre", "is_closed": "on"})

    thread.refresh_from_db()
    assert (thread.moderation_mode, thread.is_closed) == ("pre", True)
    assert set(ModerationAction.objects.values_list("kind", flat=True)) == {
        ModerationAction.Kind.THREAD_MODE,
        ModerationAction.Kind.THREAD_CLOSE,
    }


def test_saving_a_thread_without_changing_it_writes_no_log_entry(moderator_client, thread):
    moderator_client.post(thread_change(thread), {"moderation_mode": ""})

    assert not ModerationAction.objects.exists()


def test_an_editor_sees_moderation_mode_and_slow_mode_read_only(client, thread):
    client.force_login(EditorFactory())

    response = client.get(thread_change(thread))

    assert response.status_code == HTTPStatus.OK
    assert set(response.context["adminform"].readonly_fields) >= {"moderation_mode", "slow_mode"}
    assert 'name="slow_mode"' not in response.text
    assert 'name="moderation_mode"' not in response.text


def test_an_editor_cannot_switch_slow_mode_on_by_posting_it(client, thread):
    client.force_login(EditorFactory())

    client.post(thread_change(thread), {"slow_mode": "on", "moderation_mode": "pre"})

    thread.refresh_from_db()
    assert (thread.slow_mode, thread.moderation_mode) == (False, "")
    assert not ModerationAction.objects.exists()


# --- Comments: decisions go through the moderation service


def test_a_moderator_approves_a_held_comment_with_the_admin_action(moderator_client, article):
    comment = CommentFactory(article=article, status=Comment.Status.PENDING, hold_reason="links")

    moderator_client.post(
        reverse("admin:comments_comment_changelist"),
        {"action": "approve", "_selected_action": [comment.pk], "index": 0},
    )

    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED
    assert ModerationAction.objects.get().kind == ModerationAction.Kind.APPROVE
    assert Thread.objects.get(article=article).published_count == 1


def test_approving_in_the_admin_does_not_bring_back_a_comment_its_poster_deleted(
    moderator_client, article
):
    comment = CommentFactory(article=article, status=Comment.Status.REMOVED_BY_POSTER)

    moderator_client.post(
        reverse("admin:comments_comment_changelist"),
        {"action": "approve", "_selected_action": [comment.pk], "index": 0},
    )

    comment.refresh_from_db()
    assert comment.status == Comment.Status.REMOVED_BY_POSTER
    assert not ModerationAction.objects.exists()


def test_a_comment_status_cannot_be_edited_directly_in_the_admin(client, article):
    comment = CommentFactory(article=article)
    client.force_login(ModeratorFactory())

    response = client.post(
        reverse("admin:comments_comment_change", args=[comment.pk]),
        {
            "status": Comment.Status.REMOVED_BY_MODERATOR,
            "reports-TOTAL_FORMS": "0",
            "reports-INITIAL_FORMS": "0",
            "_save": "Save",
        },
    )

    assert response.status_code == HTTPStatus.FORBIDDEN
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED


def test_the_comment_page_lists_its_reports_but_not_who_sent_them(moderator_client, article):
    comment = CommentFactory(article=article)
    Report.objects.create(
        comment=comment, reason=Report.Reason.ABUSE, note="ひどい暴言", reporter_hash="f" * 64
    )

    page = moderator_client.get(reverse("admin:comments_comment_change", args=[comment.pk])).text

    assert "ひどい暴言" in page
    assert "f" * 64 not in page


# --- Bans


def test_a_ban_added_in_the_admin_records_who_banned_and_is_logged(moderator_client, moderator):
    response = moderator_client.post(
        reverse("admin:comments_ban_add"),
        {
            "poster_hash": POSTER_HASH.upper(),
            "expires_at_0": "",
            "expires_at_1": "",
            "reason": "荒らし",
        },
    )

    assert response.status_code == HTTPStatus.FOUND
    ban = Ban.objects.get()
    assert (ban.poster_hash, ban.created_by, ban.expires_at) == (POSTER_HASH, moderator, None)
    entry = ModerationAction.objects.get()
    assert (entry.kind, entry.actor, entry.reason) == (
        ModerationAction.Kind.BAN,
        moderator,
        "荒らし",
    )
    assert POSTER_HASH not in str(entry.details)


def test_a_ban_needs_a_whole_poster_hash(moderator_client):
    response = moderator_client.post(
        reverse("admin:comments_ban_add"), {"poster_hash": "abc123", "reason": ""}
    )

    assert response.status_code == HTTPStatus.OK
    assert not Ban.objects.exists()


def test_the_ban_list_shows_a_permanent_ban_as_permanent(moderator_client):
    Ban.objects.create(poster_hash=POSTER_HASH)

    page = moderator_client.get(reverse("admin:comments_ban_changelist")).text

    assert "Permanent" in page
    assert POSTER_HASH[:12] in page
    assert POSTER_HASH not in page


def test_the_ban_list_filters_expired_bans(moderator_client):
    now = timezone.now()
    Ban.objects.create(poster_hash="1" * 64, expires_at=now + datetime.timedelta(days=1))
    expired = Ban.objects.create(poster_hash="2" * 64, expires_at=now - datetime.timedelta(days=1))

    response = moderator_client.get(reverse("admin:comments_ban_changelist"), {"state": "expired"})

    assert list(response.context["cl"].result_list) == [expired]


def test_the_ban_list_filters_bans_in_force(moderator_client):
    now = timezone.now()
    active = Ban.objects.create(poster_hash="1" * 64, expires_at=now + datetime.timedelta(days=1))
    permanent = Ban.objects.create(poster_hash="3" * 64)
    Ban.objects.create(poster_hash="2" * 64, expires_at=now - datetime.timedelta(days=1))

    response = moderator_client.get(reverse("admin:comments_ban_changelist"), {"state": "active"})

    assert set(response.context["cl"].result_list) == {active, permanent}


# --- Section policies


def test_a_moderator_puts_a_section_under_pre_moderation(moderator_client, section):
    response = moderator_client.post(
        reverse("admin:comments_sectionpolicy_add"),
        {"section": section.pk, "moderation_mode": "pre", "report_threshold": "5"},
    )

    assert response.status_code == HTTPStatus.FOUND
    policy = SectionPolicy.objects.get(section=section)
    assert (policy.moderation_mode, policy.report_threshold) == ("pre", 5)


# --- The moderation log


def test_the_moderation_log_lists_who_did_what_to_how_many_comments(moderator_client, article):
    entry = ModerationAction.objects.create(
        kind=ModerationAction.Kind.REMOVE, actor_name="mod-tanaka", reason="宣伝"
    )
    entry.comments.set([CommentFactory(article=article), CommentFactory(article=article)])

    response = moderator_client.get(reverse("admin:comments_moderationaction_changelist"))

    (row,) = response.context["cl"].result_list
    assert (row.actor_name, row.comment_count, row.reason) == ("mod-tanaka", 2, "宣伝")
    assert "Removed" in response.text


def test_the_moderation_log_is_searchable_by_moderator_name(moderator_client):
    ModerationAction.objects.create(kind=ModerationAction.Kind.HIDE, actor_name="mod-tanaka")
    ModerationAction.objects.create(kind=ModerationAction.Kind.HIDE, actor_name="mod-suzuki")

    response = moderator_client.get(
        reverse("admin:comments_moderationaction_changelist"), {"q": "suzuki"}
    )

    assert [e.actor_name for e in response.context["cl"].result_list] == ["mod-suzuki"]
