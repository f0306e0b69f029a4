"""The moderators' review screen, through the client: who may use it, what each queue shows, and
what each decision does for readers and for the moderation log."""

import datetime
import re
from http import HTTPStatus
from io import StringIO

import pytest
import time_machine
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from comments.models import Ban, Comment, ModerationAction, PersonalDataPurge, Report, Thread
from comments.moderation import views as moderation_views
from comments.posters import Poster
from comments.services import comment_report
from tests.factories import (
    ArticleFactory,
    CommentFactory,
    ModeratorFactory,
    SuperuserFactory,
    UserFactory,
    force_verified_login,
)

pytestmark = pytest.mark.django_db

QUEUE = reverse("moderation:queue")
ACT = reverse("moderation:act")
SLOW_MODE = reverse("moderation:slow_mode")
NOW = datetime.datetime(2026, 11, 26, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _pinned_time():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def moderators_group(db):
    """The Moderators group with the moderation permission (as its data migration grants it)."""
    group, _created = Group.objects.get_or_create(name="Moderators")
    group.permissions.add(
        Permission.objects.get(content_type__app_label="comments", codename="moderate_comment")
    )
    return group


@pytest.fixture
def moderator(moderators_group):
    return ModeratorFactory(username="moderator")


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client


def report(comment, *, address, reason=Report.Reason.ABUSE, note=""):
    return comment_report(
        comment=comment, reporter=Poster(address=address), reason=reason, note=note
    )


def report_three_times(comment):
    report(comment, address="198.51.100.1", reason=Report.Reason.ABUSE, note="人格攻撃です")
    report(comment, address="198.51.100.2", reason=Report.Reason.SPAM, note="宣伝リンク")
    report(comment, address="198.51.100.3", reason=Report.Reason.OFF_TOPIC)


def act(client, comments, action, **fields):
    data = {"comment": [c.pk for c in comments], "action": action, "next": QUEUE, **fields}
    return client.post(ACT, data)


def in_japanese(label):
    with translation.override("ja"):
        return str(label)


def reader_page(article):
    return Client().get(article.get_absolute_url()).text


def form_data(client, article, **fields):
    page = client.get(article.get_absolute_url())
    started = page.context["form"]["started"].value()
    return {"name": "", "body": "", "website": "", "started": started, **fields}


def post_as(address, article, body):
    client = Client(REMOTE_ADDR=address)
    return client.post(
        reverse("comments:post", kwargs={"slug": article.slug}),
        form_data(client, article, body=body),
    )


# Who may use the screen


def test_anonymous_visitor_is_sent_to_the_admin_login_and_back(client):
    response = client.get(QUEUE)

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"{reverse('admin:login')}?next={QUEUE}"


def test_anonymous_visitor_cannot_act_on_comments(client, article):
    comment = CommentFactory(article=article)

    response = act(client, [comment], "remove")

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("admin:login"))
    comment.refresh_from_db()
    assert comment.is_published


def test_editor_without_the_moderation_permission_is_refused(client, editor, article):
    comment = CommentFactory(article=article)
    client.force_login(editor)

    assert client.get(QUEUE).status_code == HTTPStatus.FORBIDDEN
    assert act(client, [comment], "remove").status_code == HTTPStatus.FORBIDDEN
    assert (
        client.post(SLOW_MODE, {"article": article.pk, "slow_mode": "on"}).status_code
        == HTTPStatus.FORBIDDEN
    )
    comment.refresh_from_db()
    assert comment.is_published
    assert not ModerationAction.objects.exists()


def test_staff_member_outside_the_moderators_group_is_refused(client):
    client.force_login(UserFactory(is_staff=True))

    assert client.get(QUEUE).status_code == HTTPStatus.FORBIDDEN


def test_editor_who_is_also_a_moderator_may_moderate(client, editor, moderators_group):
    editor.groups.add(moderators_group)
    client.force_login(editor)

    assert client.get(QUEUE).status_code == HTTPStatus.OK


def test_superuser_may_moderate_once_signed_in_with_the_second_step(client):
    force_verified_login(client, SuperuserFactory())

    assert client.get(QUEUE).status_code == HTTPStatus.OK


def test_the_queue_is_never_cached(moderator_client):
    response = moderator_client.get(QUEUE)

    assert "no-store" in response["Cache-Control"]


# What the queues show


def test_moderator_sees_reported_comments_with_their_reasons_and_notes(moderator_client, article):
    comment = CommentFactory(article=article, body="ひどいコメント")
    report_three_times(comment)
    CommentFactory(article=article, body="問題のないコメント")

    page = moderator_client.get(QUEUE).text

    assert f'id="q-{comment.pk}"' in page
    assert "ひどいコメント" in page
    assert "問題のないコメント" not in page
    for reason in (Report.Reason.ABUSE, Report.Reason.SPAM, Report.Reason.OFF_TOPIC):
        assert in_japanese(reason.label) in page
    assert "人格攻撃です" in page
    assert "宣伝リンク" in page


def test_a_reported_entry_links_to_the_comment_on_its_article_page(moderator_client, article):
    CommentFactory(article=article)
    comment = CommentFactory(article=article)
    report(comment, address="198.51.100.1")

    page = moderator_client.get(QUEUE).text

    assert f'href="{article.get_absolute_url()}?cpage=1#c-2"' in page
    assert article.title in page


def test_held_queue_lists_comments_awaiting_review(moderator_client, article):
    CommentFactory(
        article=article,
        body="保留されたコメント",
        status=Comment.Status.PENDING,
        hold_reason=Comment.HoldReason.LINKS,
    )
    CommentFactory(article=article, body="公開中のコメント")

    page = moderator_client.get(QUEUE, {"queue": "held"}).text

    assert "保留されたコメント" in page
    assert in_japanese(Comment.HoldReason.LINKS.label) in page
    assert "公開中のコメント" not in page


def test_recently_removed_queue_shows_thirty_days_of_removals(moderator_client, article):
    CommentFactory(
        article=article,
        body="先週削除",
        status=Comment.Status.REMOVED_BY_MODERATOR,
        status_changed_at=NOW - datetime.timedelta(days=7),
    )
    CommentFactory(
        article=article,
        body="二か月前に削除",
        status=Comment.Status.REMOVED_BY_MODERATOR,
        status_changed_at=NOW - datetime.timedelta(days=60),
    )
    CommentFactory(
        article=article,
        body="投稿者が削除",
        status=Comment.Status.REMOVED_BY_POSTER,
        status_changed_at=NOW - datetime.timedelta(days=1),
    )

    page = moderator_client.get(QUEUE, {"queue": "removed"}).text

    assert "先週削除" in page
    assert "二か月前に削除" not in page
    assert "投稿者が削除" not in page


def test_each_queue_tab_shows_how_many_comments_wait_in_it(moderator_client, article):
    for _ in range(2):
        report(CommentFactory(article=article), address="198.51.100.1")
    for _ in range(3):
        CommentFactory(article=article, status=Comment.Status.PENDING)

    response = moderator_client.get(QUEUE)

    counts = [tab["count"] for tab in response.context["tabs"]]
    assert counts == [2, 3, 0]
    assert '<span class="queue-tabs__count">3</span>' in response.text


def test_entry_shows_the_same_posters_other_comments_across_the_site(moderator_client, article):
    same_poster = "ab" * 32
    elsewhere = ArticleFactory(title="別の記事のタイトル")
    earlier = CommentFactory(article=elsewhere, poster_hash=same_poster, body="別の記事での発言")
    CommentFactory(article=article, poster_hash="cd" * 32, body="他人の発言")
    reported = CommentFactory(article=article, poster_hash=same_poster, body="通報された発言")
    report(reported, address="198.51.100.1")

    entry = moderator_client.get(QUEUE).context["entries"][0]

    assert entry.comment == reported
    assert entry.others == [earlier]
    page = moderator_client.get(QUEUE).text
    assert "別の記事での発言" in page
    assert "別の記事のタイトル" in page
    assert "他人の発言" not in page


def test_a_long_queue_is_paginated_and_page_links_keep_the_queue(
    moderator_client, article, monkeypatch
):
    monkeypatch.setattr(moderation_views, "ENTRIES_PER_PAGE", 2)
    for _ in range(3):
        CommentFactory(article=article, status=Comment.Status.PENDING)

    first = moderator_client.get(QUEUE, {"queue": "held", "order": "most_reported"})
    second = moderator_client.get(QUEUE, {"queue": "held", "order": "most_reported", "page": 2})

    assert len(first.context["entries"]) == 2
    assert "?queue=held&amp;order=most_reported&amp;page=2" in first.text
    assert len(second.context["entries"]) == 1


def test_markup_in_a_comment_is_shown_as_text_in_the_queue(moderator_client, article):
    comment = CommentFactory(article=article, body='<script>alert(1)</script><b onclick="x">')
    report(comment, address="198.51.100.1", note="<img src=x onerror=alert(1)>")

    page = moderator_client.get(QUEUE).text

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page


def test_most_reported_order_puts_the_comment_with_most_open_reports_first(
    moderator_client, article
):
    once = CommentFactory(article=article, body="一件")
    twice = CommentFactory(article=article, body="二件")
    # Reported three times before and approved: those reports no longer count.
    approved = CommentFactory(article=article, body="承認済み")
    report_three_times(approved)
    act(moderator_client, [approved], "approve")
    with time_machine.travel(NOW + datetime.timedelta(minutes=5), tick=False):
        report(twice, address="198.51.100.1")
        report(twice, address="198.51.100.2")
    with time_machine.travel(NOW + datetime.timedelta(minutes=10), tick=False):
        report(approved, address="198.51.100.9")
    with time_machine.travel(NOW + datetime.timedelta(minutes=15), tick=False):
        report(once, address="198.51.100.1")

    most_reported = moderator_client.get(QUEUE, {"order": "most_reported"}).context["entries"]
    newest = moderator_client.get(QUEUE, {"order": "newest"}).context["entries"]

    assert [e.comment for e in most_reported] == [twice, once, approved]
    assert [e.comment.open_reports for e in most_reported] == [2, 1, 1]
    assert [e.comment for e in newest] == [once, approved, twice]


def test_queue_page_queries_do_not_grow_with_the_number_of_entries(
    moderator_client, django_assert_max_num_queries
):
    def reported_comment(n):
        comment = CommentFactory(article=ArticleFactory(), poster_hash=f"{n:064x}")
        CommentFactory(article=ArticleFactory(), poster_hash=f"{n:064x}")  # the poster's history
        report(comment, address=f"198.51.100.{n}", note=f"メモ{n}")

    for n in range(1, 3):
        reported_comment(n)
    moderator_client.get(QUEUE)  # warm up: session and permission caches
    with CaptureQueriesContext(connection) as two_entries:
        response = moderator_client.get(QUEUE)
    assert len(response.context["entries"]) == 2

    for n in range(3, 13):
        reported_comment(n)
    with django_assert_max_num_queries(len(two_entries)):
        response = moderator_client.get(QUEUE)
    assert len(response.context["entries"]) == 12


# Decisions


def test_approving_a_reported_comment_clears_its_reports_and_readers_see_it_again(
    moderator_client, article
):
    comment = CommentFactory(article=article, body="誤って通報されたコメント")
    report_three_times(comment)
    assert "誤って通報されたコメント" not in reader_page(article)

    response = act(moderator_client, [comment], "approve")

    assert response.status_code == HTTPStatus.FOUND
    comment.refresh_from_db()
    assert comment.is_published
    assert not comment.reports.filter(resolved_at__isnull=True).exists()
    assert "誤って通報されたコメント" in reader_page(article)
    assert "1件のコメントを承認しました。" in moderator_client.get(response["Location"]).text


def test_an_approved_comment_leaves_the_reported_queue(moderator_client, article):
    comment = CommentFactory(article=article)
    report(comment, address="198.51.100.1")

    act(moderator_client, [comment], "approve")

    assert moderator_client.get(QUEUE).context["entries"] == []


def test_approving_a_held_comment_publishes_it(moderator_client, article):
    comment = CommentFactory(article=article, body="承認待ちの投稿", status=Comment.Status.PENDING)

    act(moderator_client, [comment], "approve")

    comment.refresh_from_db()
    assert comment.is_published
    assert "承認待ちの投稿" in reader_page(article)
    assert Thread.objects.get(article=article).published_count == 1


def test_moderator_removes_two_comments_at_once(moderator_client, article):
    first = CommentFactory(article=article, body="一つ目の荒らし")
    second = CommentFactory(article=article, body="二つ目の荒らし")
    kept = CommentFactory(article=article, body="残るコメント")
    for comment in (first, second):
        report(comment, address="198.51.100.1")

    response = act(moderator_client, [first, second], "remove")

    page = moderator_client.get(response["Location"]).text
    assert "2件のコメントを削除しました。" in page
    statuses = dict(Comment.objects.values_list("pk", "status"))
    assert statuses[first.pk] == statuses[second.pk] == Comment.Status.REMOVED_BY_MODERATOR
    assert statuses[kept.pk] == Comment.Status.PUBLISHED
    readers_see = reader_page(article)
    assert "一つ目の荒らし" not in readers_see
    assert "二つ目の荒らし" not in readers_see
    assert "残るコメント" in readers_see


def test_a_poster_banned_from_the_queue_cannot_post_their_next_comment(moderator_client, article):
    assert post_as("203.0.113.50", article, "最初の書き込み").status_code == HTTPStatus.FOUND
    comment = Comment.objects.get()
    report(comment, address="198.51.100.1")

    act(moderator_client, [comment], "ban", ban_duration="7d", reason="度重なる荒らし")

    ban = Ban.objects.get()
    assert ban.poster_hash == comment.poster_hash
    assert ban.expires_at == NOW + datetime.timedelta(days=7)
    assert ban.reason == "度重なる荒らし"
    refused = post_as("203.0.113.50", article, "懲りずに二回目")
    assert refused.status_code == HTTPStatus.BAD_REQUEST
    assert not Comment.objects.filter(body="懲りずに二回目").exists()
    assert post_as("203.0.113.51", article, "別の読者").status_code == HTTPStatus.FOUND


def test_a_permanent_ban_has_no_end(moderator_client, article):
    comment = CommentFactory(article=article, status=Comment.Status.PENDING)

    act(moderator_client, [comment], "ban", ban_duration="permanent")

    assert Ban.objects.get().expires_at is None


def test_ban_message_says_how_long(moderator_client, article):
    comment = CommentFactory(article=article, status=Comment.Status.PENDING)

    response = act(moderator_client, [comment], "ban", ban_duration="30d")

    assert "投稿禁止にしました（30日）" in moderator_client.get(response["Location"]).text


@pytest.mark.parametrize(
    ("action", "status"),
    [
        ("approve", Comment.Status.PUBLISHED),
        ("hide", Comment.Status.HIDDEN),
        ("remove", Comment.Status.REMOVED_BY_MODERATOR),
        ("spam", Comment.Status.REMOVED_BY_MODERATOR),
        ("ban", Comment.Status.REMOVED_BY_MODERATOR),
    ],
)
def test_every_decision_is_written_to_the_moderation_log(
    moderator_client, moderator, article, action, status
):
    comments = [CommentFactory(article=article, status=Comment.Status.PENDING) for _ in range(2)]

    act(moderator_client, comments, action, ban_duration="1d", reason="ガイドライン違反")

    entry = ModerationAction.objects.get()
    assert entry.kind == action
    assert entry.actor == moderator
    assert entry.actor_name == "moderator"
    assert entry.reason == "ガイドライン違反"
    assert set(entry.comments.all()) == set(comments)
    assert set(Comment.objects.values_list("status", flat=True)) == {status}


def test_acting_without_choosing_a_comment_changes_nothing_and_says_so(moderator_client):
    response = moderator_client.post(ACT, {"action": "remove", "next": QUEUE})

    assert response.status_code == HTTPStatus.FOUND
    assert "コメントを選択してください。" in moderator_client.get(response["Location"]).text
    assert not ModerationAction.objects.exists()


def test_an_unknown_action_changes_nothing(moderator_client, article):
    comment = CommentFactory(article=article)

    act(moderator_client, [comment], "delete_everything")

    comment.refresh_from_db()
    assert comment.is_published
    assert not ModerationAction.objects.exists()


def test_acting_returns_to_the_queue_page_the_moderator_came_from(moderator_client, article):
    comment = CommentFactory(article=article, status=Comment.Status.PENDING)
    back = f"{QUEUE}?queue=held&order=newest&page=1#q-99"

    response = act(moderator_client, [comment], "approve", next=back)

    assert response["Location"] == back


@pytest.mark.parametrize(
    "elsewhere",
    ["https://evil.example/moderation/", "//evil.example/moderation/", "/admin/auth/user/"],
)
def test_a_return_address_outside_the_queue_is_ignored(moderator_client, article, elsewhere):
    comment = CommentFactory(article=article, status=Comment.Status.PENDING)

    response = act(moderator_client, [comment], "approve", next=elsewhere)

    assert response["Location"] == QUEUE


def test_the_act_address_only_accepts_posts(moderator_client):
    assert moderator_client.get(ACT).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_acting_requires_the_csrf_token(moderator, article):
    client = Client(enforce_csrf_checks=True)
    client.force_login(moderator)
    comment = CommentFactory(article=article)

    response = act(client, [comment], "remove")

    assert response.status_code == HTTPStatus.FORBIDDEN
    comment.refresh_from_db()
    assert comment.is_published


# Slow mode


def test_slow_mode_switched_on_from_the_queue_holds_new_comments_and_is_logged(
    moderator_client, moderator, article
):
    comment = CommentFactory(article=article)
    report(comment, address="198.51.100.1")
    assert "スローモードをオンにする" in moderator_client.get(QUEUE).text

    response = moderator_client.post(
        SLOW_MODE, {"article": article.pk, "slow_mode": "on", "next": QUEUE}
    )

    assert response.status_code == HTTPStatus.FOUND
    assert Thread.objects.get(article=article).slow_mode
    entry = ModerationAction.objects.get()
    assert (entry.kind, entry.actor) == (ModerationAction.Kind.SLOW_MODE_ON, moderator)
    assert entry.thread.article == article
    assert "スローモードをオフにする" in moderator_client.get(QUEUE).text
    post_as("203.0.113.60", article, "スローモード中の書き込み")
    held = Comment.objects.get(body="スローモード中の書き込み")
    assert held.is_pending
    assert held.hold_reason == Comment.HoldReason.SLOW_MODE
    assert "スローモード中の書き込み" not in reader_page(article)


def test_slow_mode_switched_off_publishes_new_comments_again_and_is_logged(
    moderator_client, article
):
    comment = CommentFactory(article=article)
    report(comment, address="198.51.100.1")
    Thread.objects.filter(article=article).update(slow_mode=True)

    moderator_client.post(SLOW_MODE, {"article": article.pk, "slow_mode": "off", "next": QUEUE})

    assert not Thread.objects.get(article=article).slow_mode
    assert ModerationAction.objects.get().kind == ModerationAction.Kind.SLOW_MODE_OFF
    post_as("203.0.113.61", article, "通常どおりの書き込み")
    assert "通常どおりの書き込み" in reader_page(article)


def test_slow_mode_for_an_article_without_comments_is_not_found(moderator_client):
    article = ArticleFactory()

    response = moderator_client.post(SLOW_MODE, {"article": article.pk, "slow_mode": "on"})

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert not ModerationAction.objects.exists()


# The purge of personal data: moderators hear when it has stopped running


def site_installed(at):
    """The site's first migration ran at `at` (its age, for a site where the purge never ran)."""
    MigrationRecorder.Migration.objects.update(applied=at)


def purge_finished(at):
    return PersonalDataPurge.objects.create(
        finished_at=at, cutoff=at - datetime.timedelta(days=90), comments=0, reports=0, bans=0
    )


def purge_warning(client):
    page = client.get(QUEUE).text
    match = re.search(r"<p [^>]*data-purge-warning[^>]*>(.*?)</p>", page, re.DOTALL)
    return " ".join(match.group(1).split()) if match else None


def test_the_queue_warns_in_japanese_when_the_purge_has_not_run_for_two_days(moderator_client):
    site_installed(NOW - datetime.timedelta(days=60))
    purge_finished(NOW - datetime.timedelta(days=2, hours=1))  # 2026/11/24 10:00 UTC

    warning = purge_warning(moderator_client)

    assert "2026/11/24 20:00 以降、古い個人情報が削除されていません" in warning
    assert "purge_personal_data" in warning


def test_the_queue_does_not_warn_while_the_last_purge_is_less_than_two_days_old(
    moderator_client,
):
    site_installed(NOW - datetime.timedelta(days=60))
    purge_finished(NOW - datetime.timedelta(days=1, hours=23))

    assert purge_warning(moderator_client) is None


def test_a_site_older_than_two_days_where_the_purge_never_ran_is_warned(moderator_client):
    site_installed(NOW - datetime.timedelta(days=2, minutes=1))

    assert "一度も削除されていません" in purge_warning(moderator_client)


def test_a_new_site_has_two_days_to_run_its_first_purge(moderator_client):
    site_installed(NOW - datetime.timedelta(days=1))

    assert purge_warning(moderator_client) is None


def test_running_the_purge_from_cron_clears_the_warning(moderator_client):
    site_installed(NOW - datetime.timedelta(days=60))
    purge_finished(NOW - datetime.timedelta(days=5))
    assert purge_warning(moderator_client) is not None

    call_command("purge_personal_data", stdout=StringIO())

    assert purge_warning(moderator_client) is None


def test_a_dry_run_of_the_purge_does_not_clear_the_warning(moderator_client):
    site_installed(NOW - datetime.timedelta(days=60))

    call_command("purge_personal_data", "--dry-run", stdout=StringIO())

    assert purge_warning(moderator_client) is not None
