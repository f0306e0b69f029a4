import pytest
from django.core.management import call_command

from comments.models import Comment
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db


def test_demo_comments_go_to_published_articles_numbered_from_one():
    published = ArticleFactory()
    draft = ArticleFactory(draft=True)

    call_command("seed_demo_comments")

    numbers = list(Comment.objects.filter(article=published).values_list("number", flat=True))
    assert numbers == list(range(1, len(numbers) + 1))
    assert len(numbers) >= 2
    assert not Comment.objects.filter(article=draft).exists()


def test_demo_comments_leave_articles_that_already_have_comments_alone():
    article = ArticleFactory()
    CommentFactory(article=article, body="本物の読者のコメント")

    call_command("seed_demo_comments")

    assert list(Comment.objects.filter(article=article).values_list("body", flat=True)) == [
        "本物の読者のコメント"
    ]


def test_if_empty_does_nothing_once_any_comment_exists():
    CommentFactory()
    quiet_article = ArticleFactory()

    call_command("seed_demo_comments", "--if-empty")

    assert not Comment.objects.filter(article=quiet_article).exists()
