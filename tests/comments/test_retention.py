"""purge_personal_data: who posted is forgotten after the retention period; what was said stays."""

import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from comments.models import Ban, Comment, PersonalDataPurge, Report
from comments.retention import personal_data_purge
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2027, 3, 1, 4, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
OLD = NOW - datetime.timedelta(days=91)
RECENT = NOW - datetime.timedelta(days=89)


@pytest.fixture(autouse=True)
def _pinned(time_machine, settings):
    time_machine.move_to(NOW, tick=False)
    settings.PERSONAL_DATA_RETENTION_DAYS = 90
    with translation.override("en"):
        yield


def comment_posted(at, article, **kwargs):
    return CommentFactory(
        article=article,
        created_at=at,
        poster_hash="a" * 64,
        poster_network_hash="n" * 64,
        sender_record="gAAAAABencrypted-record",
        deletion_key_hash="d" * 64,
        **kwargs,
    )


def purge(*args):
    out = StringIO()
    call_command("purge_personal_data", *args, stdout=out)
    return out.getvalue()


def personal_data(comment):
    comment.refresh_from_db()
    return (
        comment.poster_hash,
        comment.poster_network_hash,
        comment.sender_record,
        comment.deletion_key_hash,
    )


def test_an_old_comment_loses_its_poster_hashes_sender_record_and_deletion_key_hash(article):
    comment = comment_posted(OLD, article)

    purge()

    assert personal_data(comment) == ("", "", "", "")


def test_an_old_comment_keeps_its_text_number_and_status(article):
    comment = comment_posted(OLD, article, body="九十日より前のコメント")

    purge()

    kept = Comment.objects.get(pk=comment.pk)
    assert (kept.body, kept.number, kept.status, kept.poster_id) == (
        "九十日より前のコメント",
        comment.number,
        Comment.Status.PUBLISHED,
        comment.poster_id,
    )


def test_a_recent_comment_keeps_its_personal_data(article):
    comment = comment_posted(RECENT, article)

    purge()

    assert personal_data(comment) == ("a" * 64, "n" * 64, "gAAAAABencrypted-record", "d" * 64)


def test_an_old_report_loses_its_reporter_hashes_and_keeps_its_reason(article):
    report = Report.objects.create(
        comment=comment_posted(OLD, article),
        reason=Report.Reason.SPAM,
        note="宣伝です",
        reporter_hash="r" * 64,
        reporter_network_hash="n" * 64,
        created_at=OLD,
    )

    purge()

    report.refresh_from_db()
    assert (report.reporter_hash, report.reporter_network_hash) == ("", "")
    assert (report.reason, report.note) == ("spam", "宣伝です")


def test_a_recent_report_keeps_its_reporter_hash(article):
    report = Report.objects.create(
        comment=comment_posted(OLD, article),
        reason=Report.Reason.SPAM,
        reporter_hash="r" * 64,
        created_at=RECENT,
    )

    purge()

    report.refresh_from_db()
    assert report.reporter_hash == "r" * 64


def test_bans_that_ended_longer_ago_than_the_retention_period_are_deleted():
    Ban.objects.create(poster_hash="1" * 64, expires_at=OLD)

    purge()

    assert not Ban.objects.exists()


def test_bans_in_force_and_recently_ended_bans_are_kept():
    kept = {
        Ban.objects.create(poster_hash="1" * 64, expires_at=None, created_at=OLD),
        Ban.objects.create(poster_hash="2" * 64, expires_at=NOW + datetime.timedelta(days=7)),
        Ban.objects.create(poster_hash="3" * 64, expires_at=RECENT),
    }

    purge()

    assert set(Ban.objects.all()) == kept


def test_running_twice_is_harmless_and_the_second_run_finds_nothing(article):
    old, recent = comment_posted(OLD, article), comment_posted(RECENT, article)
    purge()

    output = purge()

    assert personal_data(old) == ("", "", "", "")
    assert personal_data(recent) == ("a" * 64, "n" * 64, "gAAAAABencrypted-record", "d" * 64)
    assert "Comments: 0, reports: 0, expired bans deleted: 0." in output


def test_the_command_says_what_it_did(article):
    comment_posted(OLD, article)
    comment_posted(OLD, article)
    Ban.objects.create(poster_hash="1" * 64, expires_at=OLD)

    output = purge()

    assert "older than 90 days (before 2026-12-01 04:00 JST) removed" in output
    assert "Comments: 2, reports: 0, expired bans deleted: 1." in output


def test_a_dry_run_counts_and_changes_nothing(article):
    comment = comment_posted(OLD, article)
    Ban.objects.create(poster_hash="1" * 64, expires_at=OLD)

    output = purge("--dry-run")

    assert "Dry run" in output
    assert "Comments: 1, reports: 0, expired bans to delete: 1." in output
    assert personal_data(comment) == ("a" * 64, "n" * 64, "gAAAAABencrypted-record", "d" * 64)
    assert Ban.objects.exists()


def test_the_retention_period_comes_from_the_settings(settings, article):
    settings.PERSONAL_DATA_RETENTION_DAYS = 30
    comment = comment_posted(NOW - datetime.timedelta(days=31), article)

    purge()

    assert personal_data(comment) == ("", "", "", "")


def test_a_retention_period_below_one_day_stops_the_command_with_a_message(settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 0

    with pytest.raises(CommandError, match="at least 1"):
        purge()


def test_comments_are_cleared_in_batches_until_none_is_left(article):
    comments = [comment_posted(OLD, article) for _ in range(5)]

    result = personal_data_purge(batch_size=2)

    assert result.comments == 5
    assert all(personal_data(comment) == ("", "", "", "") for comment in comments)


def test_a_completed_run_is_recorded_with_what_it_removed(article):
    comment_posted(OLD, article)
    Ban.objects.create(poster_hash="1" * 64, expires_at=OLD)

    purge()

    run = PersonalDataPurge.objects.get()
    assert (run.finished_at, run.comments, run.reports, run.bans) == (NOW, 1, 0, 1)


def test_a_dry_run_is_not_recorded_as_a_run(article):
    purge("--dry-run")

    assert not PersonalDataPurge.objects.exists()


def test_old_reactions_are_deleted_and_their_counts_stay(article):
    from comments.models import Reaction
    from comments.posters import Poster
    from comments.services import reaction_toggle

    comment = comment_posted(OLD, article)
    old_reader, new_reader = Poster("198.51.100.4"), Poster("198.51.100.5")
    for reader in (old_reader, new_reader):
        reaction_toggle(comment=comment, poster=reader, kind="empathy")
    Reaction.objects.filter(poster_hash=old_reader.hash).update(created_at=OLD)

    purge()

    comment.refresh_from_db()
    assert Reaction.objects.count() == 1
    assert comment.empathy_count == 2
