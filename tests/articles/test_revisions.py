"""Revisions of an article's text (articles/revisions.py): recorded by every write path, shown to
editors with character-level diffs, and restorable."""

import datetime
import json
from http import HTTPStatus
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains
from reversion.models import Revision

from articles.models import Article, ArticleRevision, ChangeKind, Correction, Paragraph
from articles.passages import passage_change
from articles.revisions import RevisionNotOfArticle, revision_restore
from articles.search import SearchTerms
from articles.services import articles_import
from tests.articles.test_admin import change_url, inline_forms
from tests.factories import ArticleFactory, ModeratorFactory, SectionFactory

pytestmark = pytest.mark.django_db

JST = ZoneInfo("Asia/Tokyo")
NOW = datetime.datetime(2026, 11, 29, 10, 5, tzinfo=JST)


@pytest.fixture
def pinned():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def history_url(article):
    return reverse("admin:articles_article_revisions", args=[article.pk])


def restore_url(article, revision_id):
    return reverse("admin:articles_article_restore", args=[article.pk, revision_id])


def paragraph_key(article, number):
    return f"paragraph-{list(article.paragraphs.all())[number - 1].pk}"


def texts(article):
    article = Article.objects.get(pk=article.pk)
    return (
        article.title,
        [point.text for point in article.summary_points.all()],
        [paragraph.text for paragraph in article.paragraphs.all()],
    )


def admin_form(article, *, paragraphs, kind="", **changes):
    """The article's change form as the admin submits it, with the paragraphs given."""
    points = list(article.summary_points.all())
    existing = list(article.paragraphs.all())
    return {
        "section": article.section_id,
        "title": article.title,
        "original_title": article.original_title,
        "slug": article.slug,
        "source_name": article.source_name,
        "source_url": article.source_url,
        "rights": article.rights,
        "image_caption": article.image_caption,
        "image_alt": article.image_alt,
        "status": article.status,
        "published_at_0": article.published_at.astimezone(JST).strftime("%Y-%m-%d"),
        "published_at_1": article.published_at.astimezone(JST).strftime("%H:%M:%S"),
        "change_kind": kind,
        "change_note": "",
        **inline_forms(
            "summary_points",
            [(p.position, p.text) for p in points],
            ids=[p.pk for p in points],
        ),
        **inline_forms(
            "paragraphs",
            [(position, text) for position, text in enumerate(paragraphs, start=1)],
            ids=[p.pk for p in existing[: len(paragraphs)]],
        ),
        **changes,
    }


# --- Recording


def test_passage_change_records_a_revision_by_the_editor_naming_the_passage(article, editor):
    changed = passage_change(
        article=article, key=paragraph_key(article, 2), text="両国は協力で合意した。", editor=editor
    )

    revision = Revision.objects.get(pk=changed.revision_id)
    assert revision.user == editor
    assert revision.comment == "第2段落を変更しました。"
    assert ArticleRevision.objects.get(revision=revision).kind == ChangeKind.MINOR


def test_the_first_change_of_an_older_article_keeps_the_text_before_it_too(article, editor):
    passage_change(article=article, key="headline", text="新しい見出し", editor=editor)

    first, second = ArticleRevision.objects.filter(article=article).order_by("revision_id")
    assert first.revision.user is None
    assert second.revision.user == editor


def test_passage_change_with_the_same_text_records_nothing(article, editor):
    changed = passage_change(article=article, key="headline", text=article.title, editor=editor)

    assert changed.revision_id is None
    assert not ArticleRevision.objects.filter(article=article).exists()


def test_passage_change_refuses_an_empty_passage(article, editor):
    with pytest.raises(ValidationError):
        passage_change(article=article, key="headline", text="  ", editor=editor)

    assert Article.objects.get(pk=article.pk).title == article.title


def test_an_admin_save_records_a_revision_with_the_editor_and_the_change_message(
    editor_client, editor, article
):
    data = admin_form(
        article, paragraphs=["会談は約三時間にわたって行われた。", "両国は協力を確認した。"]
    )

    response = editor_client.post(change_url(article), data)

    assert response.status_code == HTTPStatus.FOUND, response.context["errors"]
    latest = ArticleRevision.objects.filter(article=article).first()
    assert latest.revision.user == editor
    assert latest.kind == ChangeKind.MINOR
    assert "段落" in latest.revision.get_comment()
    assert not Correction.objects.exists()


def test_an_admin_revision_holds_the_rows_renumbered_as_saved(editor_client, article):
    data = admin_form(article, paragraphs=["一段落目。", "二段落目。", "三段落目。", "足した。"])
    for index, position in enumerate(["10", "20", "30", "0"]):
        data[f"paragraphs-{index}-position"] = position  # renumbered 1, 2, 3, 4 once saved

    editor_client.post(change_url(article), data)

    latest = ArticleRevision.objects.filter(article=article).first()
    positions = sorted(
        json.loads(version.serialized_data)[0]["fields"]["position"]
        for version in latest.revision.version_set.all()
        if version.content_type.model == "paragraph"
    )
    assert positions == [1, 2, 3, 4]


def test_an_import_records_a_revision_of_each_article(section, tmp_path):
    record = {
        "section": section.slug,
        "title": "取り込んだ記事",
        "original_title": "An imported article",
        "summary": ["要点。"],
        "body": ["本文。"],
        "source_name": "Example World News",
        "source_url": "https://news.example.com/imported",
        "published_at": "2026-11-20T09:00:00+09:00",
        "rights": "translated_with_permission",
    }

    result = articles_import(records=[record], base_dir=tmp_path)

    [article] = result.created
    [recorded] = ArticleRevision.objects.filter(article=article)
    assert recorded.revision.comment == "取り込み"


# --- The history page


def test_an_editor_sees_each_revision_with_its_character_diff(editor_client, editor, article):
    passage_change(
        article=article,
        key=paragraph_key(article, 2),
        text="両国は協力の継続を確認した。",
        editor=editor,
        kind=ChangeKind.CORRECTION,
    )

    response = editor_client.get(history_url(article))

    assert response.status_code == HTTPStatus.OK
    assertContains(response, "第2段落を訂正しました。")
    assertContains(response, "両国は協力<ins>の継続</ins>を確認した。", html=True)
    assertContains(response, "訂正")
    assertContains(response, editor.username)


def test_the_change_form_links_to_the_history(editor_client, article):
    assertContains(editor_client.get(change_url(article)), history_url(article))


@pytest.mark.parametrize("who", ["anonymous", "moderator"])
def test_only_those_who_may_change_articles_see_their_history(client, article, who):
    if who == "moderator":
        client.force_login(ModeratorFactory())

    response = client.get(history_url(article))

    assert response.status_code in (HTTPStatus.FOUND, HTTPStatus.FORBIDDEN)
    assertNotContains(response, article.title, status_code=response.status_code)


# --- Restoring


@pytest.fixture
def corrected(article, editor):
    """The article after two edits: paragraph 2 reworded, then a fourth paragraph added and
    the third deleted through the admin."""
    first = passage_change(
        article=article, key=paragraph_key(article, 2), text="両国は対立した。", editor=editor
    )
    third = article.paragraphs.all()[2]
    Paragraph.objects.create(article=article, position=4, text="新しく加えた段落。")
    third.delete()
    return first


def test_restoring_brings_back_the_text_with_deleted_rows_and_without_added_ones(
    article, editor, corrected
):
    original = ArticleRevision.objects.filter(article=article).order_by("revision_id").first()
    ids_before = set(Paragraph.objects.filter(article=article).values_list("pk", flat=True))

    revision_restore(article=article, revision=original.revision, editor=editor)

    assert texts(article)[2] == [
        "会談は約二時間にわたって行われた。",
        "両国は協力を確認した。",
        "詳細は後日発表される。",
    ]
    ids_after = set(Paragraph.objects.filter(article=article).values_list("pk", flat=True))
    assert len(ids_after - ids_before) == 1  # the deleted paragraph, back with its old id
    assert not Paragraph.objects.filter(text="新しく加えた段落。").exists()


def test_a_restore_keeps_the_address_status_and_source(article, editor, corrected):
    original = ArticleRevision.objects.filter(article=article).order_by("revision_id").first()
    Article.objects.filter(pk=article.pk).update(source_name="Another Source")

    revision_restore(article=article, revision=original.revision, editor=editor)

    restored = Article.objects.get(pk=article.pk)
    assert (restored.slug, restored.status, restored.source_name) == (
        article.slug,
        Article.Status.PUBLISHED,
        "Another Source",
    )


def test_a_restore_is_a_revision_and_a_log_entry_of_its_own(article, editor, corrected, pinned):
    original = ArticleRevision.objects.filter(article=article).order_by("revision_id").first()
    Revision.objects.filter(pk=original.revision_id).update(
        date_created=datetime.datetime(2026, 11, 28, 9, 30, tzinfo=JST)
    )
    original.revision.refresh_from_db()

    recorded = revision_restore(article=article, revision=original.revision, editor=editor)

    comment = "2026年11月28日 09:30の版に戻しました"
    assert recorded.article_revision.revision.comment == comment
    assert recorded.article_revision.restored_from == original.revision
    latest_entry = LogEntry.objects.filter(object_id=str(article.pk)).order_by("-pk").first()
    assert latest_entry.change_message == comment


def test_a_restore_moves_the_modified_time_and_refreshes_search(article, editor, corrected, pinned):
    original = ArticleRevision.objects.filter(article=article).order_by("revision_id").first()
    pinned.move_to(NOW + datetime.timedelta(hours=2))

    revision_restore(article=article, revision=original.revision, editor=editor)

    restored = Article.objects.get(pk=article.pk)
    assert restored.updated_at == NOW + datetime.timedelta(hours=2)
    found = Article.objects.search(SearchTerms.parse("後日発表"))
    assert list(found) == [restored]


def test_a_revision_of_another_article_cannot_be_restored(article, editor, corrected):
    other = ArticleFactory(section=article.section)
    passage_change(article=other, key="headline", text="別の記事の見出し", editor=editor)
    foreign = ArticleRevision.objects.filter(article=other).first()

    with pytest.raises(RevisionNotOfArticle):
        revision_restore(article=article, revision=foreign.revision, editor=editor)


def test_an_editor_confirms_then_restores_and_readers_see_the_old_text_at_once(
    editor_client, article, corrected, settings, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE_SECONDS = 600
    assertContains(Client().get(article.get_absolute_url()), "両国は対立した。")
    original = ArticleRevision.objects.filter(article=article).order_by("revision_id").first()

    confirm = editor_client.get(restore_url(article, original.revision_id))
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(restore_url(article, original.revision_id), {})

    assertContains(confirm, "両国は<del>対立</del><ins>協力を確認</ins>した。", html=True)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == history_url(article)
    page = Client().get(article.get_absolute_url())
    assertContains(page, "両国は協力を確認した。")
    assertNotContains(page, "両国は対立した。")


def test_a_restore_marked_as_a_correction_tells_readers(editor_client, article, corrected):
    original = ArticleRevision.objects.filter(article=article).order_by("revision_id").first()

    editor_client.post(restore_url(article, original.revision_id), {"change_kind": "correction"})

    [note] = Correction.objects.filter(article=article)
    assert (note.quoted_before, note.quoted_after) == ("両国は対立した", "両国は協力を確認した")


def test_a_moderator_cannot_restore(client, article, corrected):
    client.force_login(ModeratorFactory())
    original = ArticleRevision.objects.filter(article=article).order_by("revision_id").first()

    response = client.post(restore_url(article, original.revision_id), {})

    assert response.status_code in (HTTPStatus.FOUND, HTTPStatus.FORBIDDEN)
    assert texts(article)[2][1] == "両国は対立した。"


def test_the_history_of_an_article_without_revisions_says_so(editor_client):
    article = ArticleFactory(section=SectionFactory())

    response = editor_client.get(history_url(article))

    assertContains(response, "まだ記録されていません")


def test_the_first_recorded_version_is_shown_as_its_text_not_as_additions(
    editor_client, editor, article
):
    passage_change(article=article, key="headline", text="新しい見出し", editor=editor)

    response = editor_client.get(history_url(article))

    assertContains(response, '<dd class="revision-diff">詳細は後日発表される。</dd>', html=True)
    assertNotContains(response, "<ins>詳細は後日発表される。</ins>")
