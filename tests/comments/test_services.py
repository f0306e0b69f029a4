import datetime

import pytest
import time_machine
from django.utils import timezone

from comments.models import Comment, Thread
from comments.posters import Poster
from comments.services import CommentRejected, comment_create, comment_remove_by_poster
from tests.concurrency import all_at_once
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db


def post(article, poster, body="テストのコメントです。", key="browser-key", name=""):
    return comment_create(article=article, poster=poster, name=name, body=body, deletion_key=key)


def test_comments_are_numbered_from_one_within_their_article(poster):
    first_article, second_article = ArticleFactory(), ArticleFactory()

    numbers = [
        post(first_article, poster, body="一").number,
        post(first_article, poster, body="二").number,
        post(second_article, poster, body="三").number,
    ]

    assert numbers == [1, 2, 1]


def test_poster_id_is_stored_with_the_comment_and_the_address_is_not(poster):
    comment = post(ArticleFactory(), poster)

    assert comment.poster_id == poster.id_for(comment.article_id)
    stored = " ".join(str(value) for value in Comment.objects.values_list().get())
    assert "203.0.113.7" not in stored


def test_the_same_text_from_the_same_poster_within_minutes_is_a_duplicate(poster):
    article = ArticleFactory()
    post(article, poster, body="同じ内容")

    with pytest.raises(CommentRejected) as rejection:
        post(article, poster, body="同じ内容")

    assert rejection.value.code == "duplicate"
    assert Comment.objects.count() == 1


def test_the_same_text_is_welcome_again_after_the_duplicate_window(poster, settings):
    settings.COMMENT_DUPLICATE_WINDOW_MINUTES = 10
    article = ArticleFactory()
    with time_machine.travel(timezone.now() - datetime.timedelta(minutes=11)):
        post(article, poster, body="同じ内容")

    assert post(article, poster, body="同じ内容").number == 2


def test_another_poster_may_post_the_same_text(poster):
    article = ArticleFactory()
    post(article, poster, body="同感です")

    assert post(article, Poster("198.51.100.1"), body="同感です").number == 2


def test_a_closed_thread_refuses_new_comments(poster):
    article = ArticleFactory()
    Thread.objects.create(article=article, is_closed=True)

    with pytest.raises(CommentRejected) as rejection:
        post(article, poster)

    assert rejection.value.code == "closed"


def test_threads_close_by_themselves_after_the_configured_days(poster, settings):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 7
    article = ArticleFactory(published_at=timezone.now() - datetime.timedelta(days=8))

    with pytest.raises(CommentRejected):
        post(article, poster)


def test_poster_deletes_own_comment_with_the_browser_key(poster):
    comment = post(ArticleFactory(), poster, key="my-key")

    comment_remove_by_poster(comment=comment, deletion_key="my-key")

    comment.refresh_from_db()
    assert comment.status == Comment.Status.REMOVED_BY_POSTER
    assert Thread.objects.get(article=comment.article).published_count == 0


def test_nobody_else_can_delete_a_comment(poster):
    comment = post(ArticleFactory(), poster, key="my-key")

    with pytest.raises(CommentRejected):
        comment_remove_by_poster(comment=comment, deletion_key="someone-elses-key")
    with pytest.raises(CommentRejected):
        comment_remove_by_poster(comment=comment, deletion_key=None)


def test_deletion_is_refused_after_the_window(poster, settings):
    settings.COMMENT_DELETE_WINDOW = datetime.timedelta(hours=24)
    comment = post(ArticleFactory(), poster, key="my-key")

    later = timezone.now() + datetime.timedelta(hours=25)

    with time_machine.travel(later), pytest.raises(CommentRejected):
        comment_remove_by_poster(comment=comment, deletion_key="my-key")


def test_thread_counts_only_published_comments():
    article = ArticleFactory()
    CommentFactory.create_batch(3, article=article)
    CommentFactory(article=article, status=Comment.Status.HIDDEN)

    assert Thread.objects.get(article=article).published_count == 3


@pytest.mark.django_db(transaction=True)
def test_many_readers_posting_at_once_get_numbers_one_to_n_without_gaps_or_duplicates(
    postgresql_required,
):
    article = ArticleFactory()
    # One connection each: PostgreSQL's default max_connections (100) leaves room for 90 and the
    # test's own. The live-site test posts 100 at once through gunicorn (tests/reliability).
    readers, posts_each = 90, 3

    def reader(index):
        poster = Poster(address=f"198.51.100.{index}")
        for n in range(posts_each):
            post(article, poster, body=f"読者{index}の{n}件目")

    assert all_at_once(reader, readers, timeout=120) == []
    total = readers * posts_each
    numbers = sorted(Comment.objects.filter(article=article).values_list("number", flat=True))
    assert numbers == list(range(1, total + 1))
    assert Comment.objects.filter(article=article).values("body").distinct().count() == total
    assert Thread.objects.get(article=article).published_count == total
