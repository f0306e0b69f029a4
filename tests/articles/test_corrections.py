"""Corrections told to readers: the notes at the end of an article, the modified time they move
everywhere the article is published, the corrections page and its feeds, and the shared cache."""

import datetime
import xml.etree.ElementTree as ET
from http import HTTPStatus
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from articles.models import ChangeKind, Correction
from articles.passages import passage_change
from tests.articles.test_previews import head_of, structured_data
from tests.articles.test_revisions import admin_form, change_url
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db

JST = ZoneInfo("Asia/Tokyo")
PUBLISHED = datetime.datetime(2026, 11, 28, 9, 0, tzinfo=JST)
CORRECTED = datetime.datetime(2026, 11, 29, 10, 5, tzinfo=JST)
ATOM = "{http://www.w3.org/2005/Atom}"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
CORRECTIONS = reverse("articles:corrections")
CORRECTIONS_FEED = reverse("articles:corrections-feed")
CORRECTIONS_ATOM = reverse("articles:corrections-feed-atom")


@pytest.fixture(autouse=True)
def _public_address(settings):
    settings.SITE_URL = "https://kjnews.example"


@pytest.fixture
def pinned():
    with time_machine.travel(PUBLISHED + datetime.timedelta(minutes=5), tick=False) as traveller:
        yield traveller


@pytest.fixture
def article(section, pinned):
    return ArticleFactory(
        section=section,
        title="北朝鮮がミサイル発射、日本海に落下",
        published_at=PUBLISHED,
        body=[
            "防衛省によると、発射は午前7時ごろだった。",
            "ミサイルは約400キロ飛行した。",
            "政府は北京の大使館ルートで抗議した。",
        ],
    )


def correct(article, editor, number, text, *, kind=ChangeKind.CORRECTION):
    paragraph = list(article.paragraphs.all())[number - 1]
    return passage_change(
        article=article, key=f"paragraph-{paragraph.pk}", text=text, editor=editor, kind=kind
    )


@pytest.fixture
def corrected(article, editor, pinned):
    pinned.move_to(CORRECTED)
    return correct(article, editor, 2, "ミサイルは約600キロ飛行した。")


# --- The note


def test_a_correction_is_told_at_the_end_of_the_article(client, article, corrected):
    response = client.get(article.get_absolute_url())

    assertContains(
        response,
        "訂正（2026年11月29日）：第2段落の「ミサイルは約400キロ飛行した」を「ミサイルは約600キロ飛行した」に訂正しました。",
    )
    assertContains(response, "ミサイルは約600キロ飛行した。")


def test_passage_change_returns_the_note_it_made(corrected):
    assert corrected.correction == Correction.objects.get()
    assert corrected.correction.text_before == "ミサイルは約400キロ飛行した。"
    assert corrected.correction.text_after == "ミサイルは約600キロ飛行した。"


def test_a_minor_fix_is_told_to_no_reader(client, article, editor):
    correct(article, editor, 3, "政府は北京の大使館ルートを通じて抗議した。", kind=ChangeKind.MINOR)

    response = client.get(article.get_absolute_url())

    assertContains(response, "大使館ルートを通じて抗議した。")
    assertNotContains(response, "訂正しました")


def test_notes_are_listed_oldest_first(client, article, editor, pinned):
    pinned.move_to(CORRECTED)
    correct(article, editor, 3, "政府は外交ルートで抗議した。")
    pinned.move_to(CORRECTED + datetime.timedelta(days=1))
    passage_change(
        article=article,
        key="headline",
        text="北朝鮮がミサイル発射、日本海に落下か",
        editor=editor,
        kind=ChangeKind.CORRECTION,
    )

    page = client.get(article.get_absolute_url()).text

    first, second = "訂正（2026年11月29日）：第3段落", "訂正（2026年11月30日）：見出し"
    assert page.index(first) < page.index(second)


def test_an_english_reader_reads_the_note_in_english_with_an_english_date(
    client, article, corrected
):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(article.get_absolute_url())

    assertContains(
        response,
        "Correction (Nov. 29, 2026): in paragraph 2, “ミサイルは約400キロ飛行した” was "
        "corrected to “ミサイルは約600キロ飛行した”.",
    )


def test_a_note_escapes_the_text_it_quotes(client, article, editor, pinned):
    pinned.move_to(CORRECTED)
    correct(article, editor, 1, "防衛省によると、発射は<b>午前6時</b>ごろだった。")

    response = client.get(article.get_absolute_url())

    assertContains(response, "&lt;b&gt;午前6時&lt;/b&gt;")
    assertNotContains(response, "<b>午前6時")


def test_an_admin_correction_makes_a_note_for_each_changed_passage(client, article, editor):
    client.force_login(editor)
    data = admin_form(
        article,
        paragraphs=[
            "防衛省によると、発射は午前6時ごろだった。",
            "ミサイルは約400キロ飛行した。",
            "政府は外交ルートで抗議した。",
        ],
        kind="correction",
    )

    response = client.post(change_url(article), data)

    assert response.status_code == HTTPStatus.FOUND, response.context["errors"]
    notes = Correction.objects.filter(article=article)
    assert [note.passage_label for note in notes] == ["第1段落", "第3段落"]
    assert all(note.made_by == editor for note in notes)


# --- The modified time, everywhere the article is published


def test_the_page_says_when_the_article_was_updated(client, article, corrected):
    response = client.get(article.get_absolute_url())

    assertContains(response, "更新")
    assertContains(
        response, '<time datetime="2026-11-29T10:05:00+09:00">2026年11月29日 10:05</time>'
    )


def test_the_structured_data_holds_the_new_modified_time_and_the_note(client, article, corrected):
    data = structured_data(head_of(client, article))

    assert data["dateModified"] == "2026-11-29T10:05:00+09:00"
    assert data["datePublished"] == "2026-11-28T09:00:00+09:00"
    [note] = data["correction"]
    assert note["@type"] == "CorrectionComment"
    assert note["text"].startswith("訂正（2026年11月29日）：第2段落")


def test_the_atom_feed_entry_is_updated_when_corrected(client, article, corrected):
    root = ET.fromstring(client.get(reverse("articles:feed-atom")).content)

    [entry] = root.findall(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}updated") == "2026-11-29T10:05:00+09:00"
    assert entry.findtext(f"{ATOM}published") == "2026-11-28T09:00:00+09:00"


def test_the_sitemap_lastmod_is_the_correction_time(client, article, corrected):
    root = ET.fromstring(
        client.get(reverse("articles:sitemap", kwargs={"section": "articles"})).content
    )

    [url] = root.findall(f"{SM}url")
    assert url.findtext(f"{SM}lastmod") == "2026-11-29T10:05:00+09:00"


# --- The corrections page and its feeds


def test_the_corrections_page_lists_corrections_newest_first_linking_to_their_notes(
    client, article, editor, pinned
):
    other = ArticleFactory(
        section=article.section, title="台風が沖縄に接近", published_at=PUBLISHED
    )
    pinned.move_to(CORRECTED)
    first = correct(article, editor, 1, "防衛省によると、発射は午前6時ごろだった。")
    pinned.move_to(CORRECTED + datetime.timedelta(hours=1))
    second = passage_change(
        article=other, key="headline", text="台風が沖縄に再接近", editor=editor, kind="correction"
    )

    response = client.get(CORRECTIONS)

    assert response.status_code == HTTPStatus.OK
    page = response.text
    assert page.index("台風が沖縄に再接近") < page.index("北朝鮮がミサイル発射")
    assertContains(response, f'href="{first.correction.get_absolute_url()}"')
    assertContains(response, f'href="{second.correction.get_absolute_url()}"')
    assertContains(client.get(article.get_absolute_url()), f'id="{first.correction.anchor}"')


def test_the_corrections_page_leaves_out_articles_readers_cannot_see(client, editor, pinned):
    draft = ArticleFactory(section=SectionFactory(), title="下書きの記事", draft=True)
    passage_change(
        article=draft, key="headline", text="下書きの記事（直し）", editor=editor, kind="correction"
    )

    response = client.get(CORRECTIONS)

    assertNotContains(response, "下書きの記事")
    assertContains(response, "訂正はまだありません。")


def test_the_corrections_page_is_paged(client, article, editor, settings, pinned):
    settings.ARTICLES_PER_PAGE = 2
    for number, text in enumerate(["一度目の訂正。", "二度目の訂正。", "三度目の訂正。"], start=1):
        pinned.move_to(CORRECTED + datetime.timedelta(minutes=number))
        correct(article, editor, 1, text)

    first = client.get(CORRECTIONS)
    second = client.get(CORRECTIONS, {"page": 2})

    assertContains(first, "三度目の訂正")
    assertContains(first, 'href="?page=2"')
    assertNotContains(first, "「防衛省によると")
    assertContains(second, "「防衛省によると")


def test_the_corrections_page_names_its_feeds(client):
    response = client.get(CORRECTIONS)

    assertContains(
        response,
        f'<link rel="alternate" type="application/rss+xml" title="訂正 | KJニュース" '
        f'href="{CORRECTIONS_FEED}">',
        html=True,
    )
    assertContains(response, f'href="{CORRECTIONS_ATOM}"')


def test_every_page_links_to_the_corrections_page(client, article):
    assertContains(client.get(article.get_absolute_url()), f'href="{CORRECTIONS}"')


def test_the_rss_feed_of_corrections_carries_each_note(client, article, corrected):
    response = client.get(CORRECTIONS_FEED)

    assert response["Content-Type"].startswith("application/rss+xml")
    [item] = ET.fromstring(response.content).find("channel").findall("item")
    assert item.findtext("title") == "訂正：北朝鮮がミサイル発射、日本海に落下"
    assert item.findtext("description").startswith("訂正（2026年11月29日）：第2段落")
    link = f"https://kjnews.example{article.get_absolute_url()}#{corrected.correction.anchor}"
    assert item.findtext("link") == link


def test_the_atom_feed_of_corrections_is_in_japanese_for_an_english_reader(
    client, article, corrected
):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(CORRECTIONS_ATOM)

    [entry] = ET.fromstring(response.content).findall(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "訂正：北朝鮮がミサイル発射、日本海に落下"
    assert entry.findtext(f"{ATOM}published") == "2026-11-29T10:05:00+09:00"


# --- The shared page cache


@pytest.fixture
def pages_kept(settings):
    settings.PAGE_CACHE_SECONDS = 600


def test_a_correction_shows_at_once_on_a_cached_article_page(
    article, editor, pages_kept, django_capture_on_commit_callbacks
):
    assert Client().get(article.get_absolute_url())["X-Page-Cache"] == "miss"
    assert Client().get(article.get_absolute_url())["X-Page-Cache"] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        correct(article, editor, 2, "ミサイルは約600キロ飛行した。")
    response = Client().get(article.get_absolute_url())

    assert response["X-Page-Cache"] == "miss"
    assertContains(response, "ミサイルは約600キロ飛行した。")
    assertContains(response, "に訂正しました。")


@pytest.mark.parametrize("url", [CORRECTIONS, CORRECTIONS_FEED, CORRECTIONS_ATOM])
def test_a_correction_shows_at_once_on_the_cached_corrections_page_and_feeds(
    article, editor, pages_kept, django_capture_on_commit_callbacks, url
):
    Client().get(url)
    assert Client().get(url)["X-Page-Cache"] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        correct(article, editor, 2, "ミサイルは約600キロ飛行した。")

    assertContains(Client().get(url), "「ミサイルは約600キロ飛行した」に訂正しました")


def test_the_corrections_page_is_shared_like_the_other_lists(client, pages_kept):
    Client().get(CORRECTIONS)

    response = Client().get(CORRECTIONS)

    assert response["X-Page-Cache"] == "hit"
    assert "public" in response["Cache-Control"]


def test_notes_are_read_in_the_same_few_queries_however_many(client, article, editor, pinned):
    correct(article, editor, 1, "防衛省によると、発射は午前6時ごろだった。")
    with CaptureQueriesContext(connection) as one:
        client.get(article.get_absolute_url())
    correct(article, editor, 3, "政府は外交ルートで抗議した。")
    with CaptureQueriesContext(connection) as two:
        client.get(article.get_absolute_url())

    assert len(two) == len(one)
