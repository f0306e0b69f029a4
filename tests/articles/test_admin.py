import html
import json
import re
from http import HTTPStatus
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from articles.models import Article
from tests.factories import (
    ArticleFactory,
    ModeratorFactory,
    SectionFactory,
    SuperuserFactory,
    force_verified_login,
    jpeg_upload,
)

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:articles_article_changelist")
ADD = reverse("admin:articles_article_add")
INDEX = reverse("admin:index")


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def inline_forms(prefix, rows, ids=()):
    """POST data for one admin inline: its management form plus one form per (position, text).

    `ids` are the primary keys of existing rows, which come first, as the admin renders them.
    """
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(len(ids)),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, (position, text) in enumerate(rows):
        data[f"{prefix}-{index}-position"] = str(position)
        data[f"{prefix}-{index}-text"] = text
        if index < len(ids):
            data[f"{prefix}-{index}-id"] = str(ids[index])
    return data


def data_attribute(page, name):
    match = re.search(rf'{name}="([^"]*)"', page)
    assert match, f"{name} not found in the page"
    return json.loads(html.unescape(match[1]))


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


# --- Who may open the article admin


def test_anonymous_visitor_is_sent_to_the_admin_login(client):
    response = client.get(CHANGELIST)

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"{reverse('admin:login')}?next={CHANGELIST}"


def test_editor_can_open_the_article_changelist(editor_client, article):
    response = editor_client.get(CHANGELIST)

    assert response.status_code == HTTPStatus.OK
    assert article.title in response.text


def test_editor_can_open_the_add_form(editor_client):
    assert editor_client.get(ADD).status_code == HTTPStatus.OK


def test_editor_can_open_an_article_change_form(editor_client, article):
    response = editor_client.get(change_url(article))

    assert response.status_code == HTTPStatus.OK
    assert article.title in response.text


def test_moderator_is_forbidden_the_article_changelist(client):
    client.force_login(ModeratorFactory())

    assert client.get(CHANGELIST).status_code == HTTPStatus.FORBIDDEN


def test_moderator_does_not_see_the_articles_app_on_the_admin_index(client):
    client.force_login(ModeratorFactory())

    response = client.get(INDEX)

    assert response.status_code == HTTPStatus.OK
    assert reverse("admin:app_list", args=["articles"]) not in response.text
    assert CHANGELIST not in response.text


def test_superuser_sees_the_articles_app_on_the_admin_index(client):
    force_verified_login(client, SuperuserFactory())

    response = client.get(INDEX)

    assert CHANGELIST in response.text


def test_superuser_can_open_the_article_changelist(client, article):
    force_verified_login(client, SuperuserFactory())

    response = client.get(CHANGELIST)

    assert response.status_code == HTTPStatus.OK
    assert article.title in response.text


@pytest.mark.parametrize("model", ["user", "group"])
def test_editor_is_forbidden_the_user_and_group_admin(editor_client, model):
    response = editor_client.get(reverse(f"admin:auth_{model}_changelist"))

    assert response.status_code == HTTPStatus.FORBIDDEN


# --- The groups created by migrations


def test_editors_group_holds_exactly_the_article_section_and_text_permissions():
    editors = Group.objects.get(name="Editors")

    granted = set(
        editors.permissions.filter(content_type__app_label="articles").values_list(
            "content_type__app_label", "codename"
        )
    )

    assert granted == {
        ("articles", f"{action}_{model}")
        for model in ["article", "section", "summarypoint", "paragraph"]
        for action in ["add", "change", "delete", "view"]
    }


def test_editors_group_has_no_permission_on_users_or_groups():
    editors = Group.objects.get(name="Editors")

    assert not editors.permissions.filter(content_type__app_label="auth").exists()


def test_moderators_group_has_no_article_permission():
    moderators = Group.objects.get(name="Moderators")

    assert not moderators.permissions.filter(content_type__app_label="articles").exists()


# --- Writing an article through the admin


def test_editor_creates_an_article_with_its_summary_and_paragraphs_in_the_given_order(
    editor_client, section
):
    data = {
        "section": section.pk,
        "title": "台湾海峡の緊張、各国が懸念",
        "original_title": "Why are tensions rising in the Taiwan Strait?",
        "slug": "why-are-tensions-rising-in-the-taiwan-strait",
        "source_name": "Example World News",
        "source_url": "https://news.example.com/world/taiwan-strait",
        "rights": Article.Rights.TRANSLATED_WITH_PERMISSION,
        "image_caption": "",
        "image_alt": "",
        "status": Article.Status.PUBLISHED,
        "published_at_0": "2026-05-01",
        "published_at_1": "09:00:00",
        **inline_forms("summary_points", [(1, "一つ目の要点。"), (2, "二つ目の要点。")]),
        **inline_forms(
            "paragraphs", [(1, "第一段落。"), (2, "第二段落。"), (3, "第三段落は途中で")]
        ),
    }

    response = editor_client.post(ADD, data)

    assert response.status_code == HTTPStatus.FOUND, response.context["errors"]
    article = Article.objects.get(slug="why-are-tensions-rising-in-the-taiwan-strait")
    assert [p.text for p in article.summary_points.all()] == ["一つ目の要点。", "二つ目の要点。"]
    assert [p.text for p in article.paragraphs.all()] == [
        "第一段落。",
        "第二段落。",
        "第三段落は途中で",
    ]


def test_add_form_prepopulates_the_slug_from_the_original_headline(editor_client):
    response = editor_client.get(ADD)

    fields = data_attribute(response.text, "data-prepopulated-fields")
    assert {(field["id"], tuple(field["dependency_ids"])) for field in fields} == {
        ("#id_slug", ("#id_original_title",))
    }


def test_changelist_filters_by_status(editor_client):
    ArticleFactory(title="公開済みの記事")
    ArticleFactory(title="下書きの記事", draft=True)
    assert "?status__exact=draft" in editor_client.get(CHANGELIST).text

    response = editor_client.get(CHANGELIST, {"status__exact": "draft"})

    assert [a.title for a in response.context["cl"].result_list] == ["下書きの記事"]


def test_changelist_filters_by_section(editor_client):
    korea = SectionFactory(name="韓国", slug="korea")
    ArticleFactory(title="韓国の記事", section=korea)
    ArticleFactory(title="別の記事")
    assert f"?section__id__exact={korea.pk}" in editor_client.get(CHANGELIST).text

    response = editor_client.get(CHANGELIST, {"section__id__exact": korea.pk})

    assert [a.title for a in response.context["cl"].result_list] == ["韓国の記事"]


def test_changelist_search_by_headline_finds_the_article(editor_client):
    ArticleFactory(title="北朝鮮がミサイル発射")
    ArticleFactory(title="日中首脳が電話会談")

    response = editor_client.get(CHANGELIST, {"q": "ミサイル"})

    assert [a.title for a in response.context["cl"].result_list] == ["北朝鮮がミサイル発射"]


def test_change_form_links_to_the_article_on_the_site(editor_client, article):
    page = editor_client.get(change_url(article)).text
    link = re.search(r'<a href="([^"]+)" class="viewsitelink"', page)
    assert link, "no 'view on site' link on the change form"

    response = editor_client.get(link[1])

    assert response.status_code == HTTPStatus.FOUND
    assert urlsplit(response["Location"]).path == article.get_absolute_url()


def test_rows_left_at_position_zero_are_appended_and_everything_is_renumbered(
    editor_client, section
):
    article = ArticleFactory(section=section, summary=["一", "二"], body=["第一段落。"])
    points = list(article.summary_points.all())
    paragraph = article.paragraphs.get()
    data = {
        "section": section.pk,
        "title": article.title,
        "original_title": article.original_title,
        "slug": article.slug,
        "source_name": article.source_name,
        "source_url": article.source_url,
        "rights": article.rights,
        "image_caption": "",
        "image_alt": "",
        "status": Article.Status.PUBLISHED,
        "published_at_0": "2026-05-01",
        "published_at_1": "09:00:00",
        **inline_forms(
            "summary_points",
            [(5, "一"), (9, "二"), (0, "三（追加）")],
            ids=[points[0].pk, points[1].pk],
        ),
        **inline_forms("paragraphs", [(1, "第一段落。")], ids=[paragraph.pk]),
    }

    response = editor_client.post(reverse("admin:articles_article_change", args=[article.pk]), data)

    assert response.status_code == HTTPStatus.FOUND, response.context["errors"]
    assert list(article.summary_points.values_list("position", "text")) == [
        (1, "一"),
        (2, "二"),
        (3, "三（追加）"),
    ]


# --- What publishing needs: a rights basis, and alt text (or the decorative mark) for the image


def publish_form(section, **changes):
    data = {
        "section": section.pk,
        "title": "台湾海峡の緊張、各国が懸念",
        "original_title": "Why are tensions rising in the Taiwan Strait?",
        "slug": "taiwan-strait",
        "source_name": "Example World News",
        "source_url": "https://news.example.com/world/taiwan-strait",
        "rights": Article.Rights.TRANSLATED_WITH_PERMISSION,
        "image_caption": "",
        "image_alt": "",
        "status": Article.Status.PUBLISHED,
        "published_at_0": "2026-05-01",
        "published_at_1": "09:00:00",
        **inline_forms("summary_points", [(1, "要点。")]),
        **inline_forms("paragraphs", [(1, "段落。")]),
    }
    data.update(changes)
    return data


def field_errors(response, name):
    return response.context["adminform"].form.errors.get(name, [])


def test_the_article_form_offers_each_rights_basis_by_its_japanese_name(editor_client):
    response = editor_client.get(ADD)

    for label in [
        "許諾を得て翻訳",
        "出典を示した要約・引用",
        "オープンライセンスに基づく翻訳",
        "パブリックドメイン",
    ]:
        assert f">{label}</option>" in response.text


def test_publishing_without_a_rights_basis_is_refused_with_a_message_beside_the_field(
    editor_client, section
):
    response = editor_client.post(ADD, publish_form(section, rights=""))

    assert response.status_code == HTTPStatus.OK
    assert field_errors(response, "rights") == [
        "公開する前に、権利の根拠（どのような条件でこの記事を掲載するか）を選んでください。"
    ]
    assert not Article.objects.exists()


def test_a_draft_may_be_saved_before_its_rights_basis_is_chosen(editor_client, section):
    response = editor_client.post(
        ADD, publish_form(section, rights="", status=Article.Status.DRAFT)
    )

    assert response.status_code == HTTPStatus.FOUND
    assert Article.objects.get().rights == ""


def test_publishing_an_image_without_alt_text_is_refused(editor_client, section):
    response = editor_client.post(ADD, publish_form(section, image=jpeg_upload()))

    assert field_errors(response, "image_alt") == [
        "公開する前に、画像の代替テキストを書くか、装飾画像として指定してください。"
    ]
    assert not Article.objects.exists()


def test_a_decorative_image_may_be_published_without_alt_text(editor_client, section):
    response = editor_client.post(
        ADD, publish_form(section, image=jpeg_upload(), image_decorative="on")
    )

    assert response.status_code == HTTPStatus.FOUND, response.context["errors"]
    article = Article.objects.get()
    assert (article.image_decorative, article.image_alt_text) == (True, "")


def test_a_decorative_image_with_alt_text_is_refused_as_contradictory(editor_client, section):
    response = editor_client.post(
        ADD,
        publish_form(section, image=jpeg_upload(), image_decorative="on", image_alt="写真"),
    )

    assert field_errors(response, "image_alt") == [
        "装飾画像には代替テキストを付けません。テキストを消すか、「装飾画像」のチェックを外してください。"
    ]


def test_editors_can_list_the_published_articles_still_without_a_rights_basis(editor_client):
    ArticleFactory(title="根拠未選択の記事", rights="")
    ArticleFactory(title="根拠のある記事")

    assert "?rights=none" in editor_client.get(CHANGELIST).text

    response = editor_client.get(CHANGELIST, {"rights": "none"})

    assert [a.title for a in response.context["cl"].result_list] == ["根拠未選択の記事"]
