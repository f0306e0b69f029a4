"""共感した・なるほど・うーん: readers react to comments without an account, and read threads in
the order they like."""

import json
import re
import time
from http import HTTPStatus

import pytest
from django.test import Client

from comments.models import Ban, Comment, Reaction
from comments.posters import Poster
from comments.services import CommentRejected, reaction_toggle
from tests.concurrency import all_at_once
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db


def react_url(article):
    return f"{article.get_absolute_url()}comments/reactions/"


def react(client, comment, kind="empathy", *, as_json=False, **fields):
    headers = {"HTTP_ACCEPT": "application/json"} if as_json else {}
    return client.post(
        react_url(comment.article), {"reaction": f"{comment.number}:{kind}", **fields}, **headers
    )


def button(page_text, number, kind):
    """The reaction button of `kind` under comment `number`, as the reader's page shows it."""
    return re.search(rf'<button [^>]*value="{number}:{kind}"[^>]*>.*?</button>', page_text, re.S)[0]


def shown_count(page_text, number, kind) -> int:
    return int(re.search(r'reaction__count">(\d+)<', button(page_text, number, kind))[1])


def test_every_published_comment_offers_the_three_reactions(client, article):
    comment = CommentFactory(article=article)

    page = client.get(article.get_absolute_url()).text

    assert "共感した" in button(page, comment.number, "empathy")
    assert "なるほど" in button(page, comment.number, "insight")
    assert "うーん" in button(page, comment.number, "doubt")
    # One form for all buttons: one CSRF token however many comments the page shows.
    assert page.count('name="csrfmiddlewaretoken"') == 2  # the reactions form and the comment form


def test_a_reader_reacts_without_javascript_and_comes_back_to_the_comment(client, article):
    comment = CommentFactory(article=article)

    response = react(client, comment, "empathy")

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].endswith(f"#c-{comment.number}")
    page = client.get(response["Location"]).text
    assert shown_count(page, comment.number, "empathy") == 1
    assert 'aria-pressed="true"' in button(page, comment.number, "empathy")
    assert 'aria-pressed="false"' in button(page, comment.number, "insight")


def test_pressing_again_takes_the_reaction_back(client, article):
    comment = CommentFactory(article=article)
    react(client, comment, "insight")

    react(client, comment, "insight")

    page = client.get(article.get_absolute_url()).text
    assert shown_count(page, comment.number, "insight") == 0
    assert 'aria-pressed="false"' in button(page, comment.number, "insight")
    assert not Reaction.objects.exists()


def test_each_reaction_counts_once_per_reader_and_readers_add_up(article):
    comment = CommentFactory(article=article)
    readers = [Client(REMOTE_ADDR=f"198.51.100.{n}") for n in range(1, 4)]

    for reader in readers:
        react(reader, comment, "empathy")
    react(readers[0], comment, "doubt")

    comment.refresh_from_db()
    assert (comment.empathy_count, comment.insight_count, comment.doubt_count) == (3, 0, 1)


def test_with_javascript_the_answer_is_the_new_count_and_whether_it_stands(client, article):
    comment = CommentFactory(article=article)

    answer = react(client, comment, "empathy", as_json=True)

    assert answer.status_code == HTTPStatus.OK
    assert json.loads(answer.content) == {
        "number": comment.number,
        "kind": "empathy",
        "pressed": True,
        "counts": {"empathy": 1, "insight": 0, "doubt": 0},
    }


def test_reacting_too_often_is_refused_with_when_to_try_again(client, article, settings):
    settings.REACTION_RATE_LIMITS = ["2/m"]
    comments = CommentFactory.create_batch(3, article=article)
    react(client, comments[0], as_json=True)
    react(client, comments[1], as_json=True)

    answer = react(client, comments[2], as_json=True)

    assert answer.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "秒後" in json.loads(answer.content)["error"]
    assert Comment.objects.get(pk=comments[2].pk).empathy_count == 0


def test_without_javascript_a_refusal_is_told_beside_the_comment(client, article, settings):
    settings.REACTION_RATE_LIMITS = ["1/m"]
    first, second = CommentFactory.create_batch(2, article=article)
    react(client, first)

    response = react(client, second)
    page = client.get(response["Location"]).text

    assert "投稿の間隔が短すぎます" in page
    assert shown_count(page, second.number, "empathy") == 0


@pytest.mark.parametrize(
    "status", [Comment.Status.HIDDEN, Comment.Status.REMOVED_BY_MODERATOR, Comment.Status.PENDING]
)
def test_only_comments_readers_can_see_take_reactions(article, poster, status):
    comment = CommentFactory(article=article, status=status)

    with pytest.raises(CommentRejected):
        reaction_toggle(comment=comment, poster=poster, kind="empathy")

    assert not Reaction.objects.exists()


def test_a_banned_reader_cannot_react(article, poster):
    comment = CommentFactory(article=article)
    Ban.objects.create(poster_hash=poster.hash)

    with pytest.raises(CommentRejected) as refusal:
        reaction_toggle(comment=comment, poster=poster, kind="empathy")

    assert refusal.value.code == "banned"


def test_an_unknown_reaction_is_refused(client, article):
    comment = CommentFactory(article=article)

    answer = react(client, comment, "love", as_json=True)

    assert answer.status_code == HTTPStatus.BAD_REQUEST


def test_a_reaction_leaves_the_shared_page_in_the_cache_for_everyone_else(
    article, settings, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE_SECONDS = 600
    comment = CommentFactory(article=article)
    Client().get(article.get_absolute_url())  # shared
    reactor = Client()

    with django_capture_on_commit_callbacks(execute=True):
        react(reactor, comment, "empathy")
    everyone_else = Client().get(article.get_absolute_url())
    own = reactor.get(article.get_absolute_url())

    assert everyone_else["X-Page-Cache"] == "hit"
    assert shown_count(own.text, comment.number, "empathy") == 1
    assert own["X-Page-Cache"] == "personal"


def test_shared_pages_catch_up_with_reaction_counts_within_the_configured_time(article, settings):
    settings.PAGE_CACHE_SECONDS = 600
    settings.REACTION_COUNTS_MAX_AGE = 1
    comment = CommentFactory(article=article)
    Client().get(article.get_absolute_url())
    react(Client(), comment, "empathy")

    time.sleep(1.5)

    page = Client().get(article.get_absolute_url()).text
    assert shown_count(page, comment.number, "empathy") == 1


def test_a_thread_can_be_read_newest_first(client, settings):
    settings.COMMENTS_PER_PAGE = 2
    article = ArticleFactory()
    for number in range(1, 6):
        CommentFactory(article=article, body=f"{number}番目")

    first_page = client.get(article.get_absolute_url(), {"sort": "newest"}).text
    second_page = client.get(article.get_absolute_url(), {"sort": "newest", "cpage": 2}).text

    assert re.findall(r'id="c-(\d+)"', first_page) == ["5", "4"]
    assert re.findall(r'id="c-(\d+)"', second_page) == ["3", "2"]
    assert 'href="?sort=newest&amp;cpage=2#comments"' in first_page


def test_a_thread_can_be_read_most_agreed_first(settings):
    article = ArticleFactory()
    quiet, popular, liked = CommentFactory.create_batch(3, article=article)
    for n, comment in enumerate([popular, popular, popular, liked], start=1):
        react(Client(REMOTE_ADDR=f"198.51.100.{n}"), comment, "empathy")

    page = Client().get(article.get_absolute_url(), {"sort": "empathy"}).text

    assert re.findall(r'id="c-(\d+)"', page) == [
        str(popular.number),
        str(liked.number),
        str(quiet.number),
    ]


def test_links_to_a_comment_stay_the_numbered_pages_whatever_the_order(client, settings):
    settings.COMMENTS_PER_PAGE = 2
    article = ArticleFactory()
    comments = CommentFactory.create_batch(3, article=article)

    newest = comments[-1]

    page = client.get(article.get_absolute_url(), {"sort": "newest"}).text

    assert f'href="{article.get_absolute_url()}comments/{newest.number}/"' in page
    permalink = client.get(f"{article.get_absolute_url()}comments/{newest.number}/")
    assert permalink["Location"] == f"{article.get_absolute_url()}?cpage=2#c-3"


def test_reacting_on_a_sorted_page_comes_back_to_the_same_order_and_page(client, article):
    comment = CommentFactory(article=article)

    response = react(client, comment, sort="empathy", cpage="1")

    assert response["Location"] == (
        f"{article.get_absolute_url()}?sort=empathy&cpage=1#c-{comment.number}"
    )


@pytest.mark.django_db(transaction=True)
def test_many_readers_reacting_at_once_are_all_counted_exactly(postgresql_required):
    comment = CommentFactory(article=ArticleFactory())
    readers = 40

    def reader(index):
        poster = Poster(address=f"198.51.100.{index}")
        reaction_toggle(comment=comment, poster=poster, kind="empathy")

    assert all_at_once(reader, readers, timeout=60) == []
    comment.refresh_from_db()
    assert comment.empathy_count == readers
    assert Reaction.objects.filter(comment=comment).count() == readers


def test_a_browser_asking_whether_its_copy_is_current_gets_the_new_counts(article, settings):
    settings.PAGE_CACHE_SECONDS = 600
    settings.REACTION_COUNTS_MAX_AGE = 1
    comment = CommentFactory(article=article)
    reader = Client()
    first = reader.get(article.get_absolute_url())
    react(Client(REMOTE_ADDR="198.51.100.9"), comment, "empathy")
    time.sleep(1.5)

    again = reader.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == HTTPStatus.OK
    assert shown_count(again.text, comment.number, "empathy") == 1
