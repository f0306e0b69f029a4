import datetime

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from comments.models import (
    Ban,
    BlockedTerm,
    Comment,
    ModerationAction,
    ModerationMode,
    Report,
    SectionPolicy,
    Thread,
)
from comments.posters import Poster
from comments.services import (
    CommentRejected,
    blocked_term_add,
    comment_create,
    comment_report,
    comments_moderate,
    poster_ban,
    section_policy_set,
    thread_close,
    thread_moderation_set,
    thread_slow_mode_set,
)
from tests.factories import ArticleFactory, CommentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator():
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="moderate_comment"))
    return user


def post(article, poster, body="普通のコメントです。", name=""):
    return comment_create(article=article, poster=poster, name=name, body=body, deletion_key="k")


def readers(count):
    return [Poster(address=f"198.51.100.{n}") for n in range(1, count + 1)]


# --- Moderation modes and automatic holds


def test_post_moderation_publishes_at_once(poster):
    assert post(ArticleFactory(), poster).status == Comment.Status.PUBLISHED


def test_a_pre_moderated_section_holds_comments_until_approved(poster, moderator):
    article = ArticleFactory()
    SectionPolicy.objects.create(section=article.section, moderation_mode=ModerationMode.PRE)

    comment = post(article, poster)
    assert (comment.status, comment.hold_reason) == ("pending", "pre_moderation")
    assert Thread.objects.get(article=article).published_count == 0

    comments_moderate(actor=moderator, comments=[comment], kind="approve")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED
    assert Thread.objects.get(article=article).published_count == 1


def test_an_article_can_override_its_sections_mode(poster):
    article = ArticleFactory()
    SectionPolicy.objects.create(section=article.section, moderation_mode=ModerationMode.PRE)
    Thread.objects.create(article=article, moderation_mode=ModerationMode.POST)

    assert post(article, poster).status == Comment.Status.PUBLISHED


def test_slow_mode_holds_comments_on_that_article_only(poster, moderator):
    slow, other = ArticleFactory(), ArticleFactory()
    thread_slow_mode_set(actor=moderator, thread=Thread.objects.create(article=slow), on=True)

    assert post(slow, poster, body="一").hold_reason == "slow_mode"
    assert post(other, poster, body="二").status == Comment.Status.PUBLISHED


def test_slow_mode_is_switched_off_in_one_action_and_both_are_logged(poster, moderator):
    thread = Thread.objects.create(article=ArticleFactory())
    thread_slow_mode_set(actor=moderator, thread=thread, on=True)
    thread_slow_mode_set(actor=moderator, thread=thread, on=False)

    assert post(thread.article, poster).status == Comment.Status.PUBLISHED
    assert list(ModerationAction.objects.values_list("kind", flat=True)) == [
        "slow_off",
        "slow_on",
    ]


def test_more_links_than_the_limit_hold_a_comment(poster, settings):
    settings.COMMENT_HOLD_LINKS = 2
    body = "https://a.example/ https://b.example/ https://c.example/"

    assert post(ArticleFactory(), poster, body=body).hold_reason == "links"


def test_links_up_to_the_limit_are_published(poster, settings):
    settings.COMMENT_HOLD_LINKS = 2
    body = "https://a.example/ と https://b.example/"

    assert post(ArticleFactory(), poster, body=body).status == Comment.Status.PUBLISHED


@pytest.mark.parametrize("written", ["死.ね", "シ ネ", "ｼﾈ", "しね"])
def test_a_hold_term_holds_a_comment_however_it_is_disguised(poster, written):
    BlockedTerm.objects.create(term="しね", action=BlockedTerm.Action.HOLD)

    comment = post(ArticleFactory(), poster, body=f"お前なんか{written}")

    assert (comment.status, comment.hold_reason) == ("pending", "blocked_term")


def test_a_reject_term_refuses_the_comment_and_says_why_in_general_terms(poster):
    BlockedTerm.objects.create(term="馬鹿", action=BlockedTerm.Action.REJECT)

    with pytest.raises(CommentRejected) as rejection:
        post(ArticleFactory(), poster, body="このﾊﾞｶめ")

    assert rejection.value.code == "blocked_term"
    assert "馬鹿" not in str(rejection.value.message)
    assert not Comment.objects.exists()


def test_a_blocked_term_in_the_name_counts_too(poster):
    BlockedTerm.objects.create(term="spam", action=BlockedTerm.Action.REJECT)

    with pytest.raises(CommentRejected):
        post(ArticleFactory(), poster, name="Ｓ Ｐ Ａ Ｍ", body="こんにちは")


def test_a_poster_whose_comment_moderators_recently_removed_is_held(poster, moderator):
    article = ArticleFactory()
    comments_moderate(actor=moderator, comments=[post(article, poster, body="一")], kind="remove")

    assert post(article, poster, body="二").hold_reason == "recent_removal"


def test_the_recent_removal_hold_ends_after_the_configured_days(poster, moderator, settings):
    settings.COMMENT_HOLD_AFTER_REMOVAL_DAYS = 7
    article = ArticleFactory()
    comments_moderate(actor=moderator, comments=[post(article, poster, body="一")], kind="remove")

    with time_machine.travel(timezone.now() + datetime.timedelta(days=8)):
        assert post(article, poster, body="二").status == Comment.Status.PUBLISHED


def test_holding_a_comment_keeps_its_number(poster):
    article = ArticleFactory()
    SectionPolicy.objects.create(section=article.section, moderation_mode=ModerationMode.PRE)

    assert [post(article, poster, body=t).number for t in ("一", "二")] == [1, 2]


# --- Reports


def test_reports_below_the_threshold_leave_the_comment_published():
    comment = CommentFactory()
    for reader in readers(2):
        comment_report(comment=comment, reporter=reader, reason="spam")

    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED


def test_the_third_distinct_report_hides_the_comment_and_logs_it():
    comment = CommentFactory()
    for reader in readers(3):
        comment_report(comment=comment, reporter=reader, reason="abuse")

    comment.refresh_from_db()
    assert (comment.status, comment.hold_reason) == ("hidden", "reports")
    assert ModerationAction.objects.get().kind == ModerationAction.Kind.AUTO_HIDE
    assert Thread.objects.get(article=comment.article).published_count == 0


def test_the_threshold_is_configurable_per_section():
    comment = CommentFactory()
    SectionPolicy.objects.create(section=comment.article.section, report_threshold=1)

    comment_report(comment=comment, reporter=readers(1)[0], reason="spam")

    comment.refresh_from_db()
    assert comment.status == Comment.Status.HIDDEN


def test_a_reader_reports_a_comment_only_once():
    comment = CommentFactory()
    reader = readers(1)[0]
    comment_report(comment=comment, reporter=reader, reason="spam")

    with pytest.raises(CommentRejected) as rejection:
        comment_report(comment=comment, reporter=reader, reason="abuse")

    assert rejection.value.code == "duplicate_report"
    assert Report.objects.count() == 1


def test_approving_clears_reports_and_new_reports_bring_it_back_to_the_queue(moderator):
    comment = CommentFactory()
    for reader in readers(3):
        comment_report(comment=comment, reporter=reader, reason="abuse")
    comments_moderate(actor=moderator, comments=[comment], kind="approve")
    assert not Comment.objects.reported().exists()

    comment_report(comment=comment, reporter=Poster("203.0.113.50"), reason="spam")

    assert list(Comment.objects.reported()) == [comment]
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED


# --- Moderator decisions and bans


@pytest.mark.parametrize(
    ("kind", "status"),
    [("hide", "hidden"), ("remove", "removed_by_moderator"), ("spam", "removed_by_moderator")],
)
def test_moderator_decisions_take_comments_down_in_bulk_and_are_logged(moderator, kind, status):
    first, second = CommentFactory(), CommentFactory()

    entry = comments_moderate(
        actor=moderator, comments=[first, second], kind=kind, reason="ルール違反"
    )

    assert set(Comment.objects.values_list("status", flat=True)) == {status}
    assert (entry.actor, entry.actor_name, entry.reason) == (
        moderator,
        moderator.username,
        "ルール違反",
    )
    assert set(entry.comments.all()) == {first, second}


@pytest.mark.parametrize(("duration", "days"), [("1d", 1), ("7d", 7), ("30d", 30)])
def test_a_ban_lasts_the_chosen_time(moderator, poster, settings, duration, days):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 0
    article = ArticleFactory()
    comments_moderate(
        actor=moderator, comments=[post(article, poster)], kind="ban", ban_duration=duration
    )

    with pytest.raises(CommentRejected) as rejection:
        post(article, poster, body="禁止中の投稿")
    assert rejection.value.code == "banned"

    with time_machine.travel(timezone.now() + datetime.timedelta(days=days, hours=1)):
        assert post(article, poster, body="解除後の投稿").number == 2


def test_a_permanent_ban_never_expires(moderator, poster, settings):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 0
    article = ArticleFactory()
    comments_moderate(
        actor=moderator, comments=[post(article, poster)], kind="ban", ban_duration="permanent"
    )

    assert Ban.objects.get().expires_at is None
    ten_years_later = timezone.now() + datetime.timedelta(days=3650)

    with time_machine.travel(ten_years_later), pytest.raises(CommentRejected):
        post(article, poster, body="十年後")


def test_banned_posters_cannot_report_either(moderator, poster):
    comments_moderate(
        actor=moderator, comments=[post(ArticleFactory(), poster)], kind="ban", ban_duration="7d"
    )

    with pytest.raises(CommentRejected) as rejection:
        comment_report(comment=CommentFactory(), reporter=poster, reason="spam")

    assert rejection.value.code == "banned"


def test_the_ban_message_is_neutral(moderator, poster):
    article = ArticleFactory()
    comments_moderate(
        actor=moderator, comments=[post(article, poster)], kind="ban", ban_duration="1d"
    )

    with pytest.raises(CommentRejected) as rejection:
        post(article, poster, body="再投稿")

    assert "禁止" not in str(rejection.value.message)


def test_only_moderators_can_moderate(poster):
    comment = CommentFactory()

    with pytest.raises(PermissionDenied):
        comments_moderate(actor=UserFactory(is_staff=True), comments=[comment], kind="remove")


# --- The services behind the admin check the permission again


@pytest.mark.parametrize(
    "change",
    [
        lambda actor, article: poster_ban(actor=actor, poster_hash="ab" * 32),
        lambda actor, article: blocked_term_add(actor=actor, term="しね"),
        lambda actor, article: section_policy_set(
            actor=actor, section=article.section, moderation_mode="pre", report_threshold=3
        ),
        lambda actor, article: thread_moderation_set(
            actor=actor, thread=Thread.objects.create(article=article), mode="pre"
        ),
    ],
    ids=["ban", "blocked-term", "section-policy", "article-mode"],
)
def test_a_staff_member_without_the_permission_changes_nothing_through_a_service(change):
    article = ArticleFactory()
    editor = UserFactory(is_staff=True, groups=["Editors"], password=None)

    with pytest.raises(PermissionDenied):
        change(editor, article)

    assert not ModerationAction.objects.exists()


def test_an_editor_closes_a_thread_through_its_service_and_it_is_logged():
    article = ArticleFactory()
    thread = Thread.objects.create(article=article)
    editor = UserFactory(is_staff=True, groups=["Editors"], password=None)

    entry = thread_close(actor=editor, thread=thread)

    assert (entry.kind, entry.thread, entry.actor) == ("thread_close", thread, editor)
    assert thread_close(actor=editor, thread=thread) is None  # already closed: nothing to log
