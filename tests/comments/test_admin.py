from http import HTTPStatus

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from comments.models import Thread
from tests.factories import CommentFactory, EditorFactory

pytestmark = pytest.mark.django_db


def test_an_editor_closes_comments_on_an_article_from_the_admin(client, article):
    client.force_login(EditorFactory())

    response = client.post(
        reverse("admin:comments_thread_add"), {"article": article.pk, "is_closed": "on"}
    )

    assert response.status_code == HTTPStatus.FOUND
    assert "コメントの受付を終了しました" in client.get(article.get_absolute_url()).text


def test_an_editor_reopens_a_closed_thread(client, article):
    CommentFactory(article=article)
    thread = Thread.objects.get(article=article)
    thread.is_closed = True
    thread.save()
    client.force_login(EditorFactory())

    client.post(reverse("admin:comments_thread_change", args=[thread.pk]), {})

    thread.refresh_from_db()
    assert not thread.is_closed


def test_editors_may_open_and_close_threads_but_not_delete_them_or_touch_comments():
    granted = set(
        Group.objects.get(name="Editors")
        .permissions.filter(content_type__app_label="comments")
        .values_list("codename", flat=True)
    )

    assert granted == {"add_thread", "change_thread", "view_thread"}


def test_readers_cannot_reach_the_comment_admin(client):
    response = client.get(reverse("admin:comments_comment_changelist"))

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("admin:login"))
