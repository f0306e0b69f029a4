"""RSS and Atom feeds of the latest articles, for the site and for each section."""

import datetime
import xml.etree.ElementTree as ET
from http import HTTPStatus
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains

from tests.factories import ArticleFactory, SectionFactory, image_attach

pytestmark = pytest.mark.django_db

JST = ZoneInfo("Asia/Tokyo")
ATOM = "{http://www.w3.org/2005/Atom}"
SITE_FEED = reverse("articles:feed")
SITE_ATOM = reverse("articles:feed-atom")


@pytest.fixture(autouse=True)
def _public_address(settings):
    settings.SITE_URL = "https://kjnews.example"


def rss_items(client, url=SITE_FEED):
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"].startswith("application/rss+xml")
    return ET.fromstring(response.content).find("channel").findall("item")


def atom_entries(client, url=SITE_ATOM):
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content).findall(f"{ATOM}entry")


def test_site_feed_lists_published_articles_newest_first(client):
    older = ArticleFactory(published_at=datetime.datetime(2026, 11, 24, 9, 0, tzinfo=JST))
    newer = ArticleFactory(published_at=datetime.datetime(2026, 11, 25, 9, 0, tzinfo=JST))

    titles = [item.findtext("title") for item in rss_items(client)]

    assert titles == [newer.title, older.title]


def test_feed_item_has_the_headline_the_lead_and_the_articles_full_address(client):
    article = ArticleFactory(summary=["最初の要点。", "二番目の要点。"], slug="talks")

    [item] = rss_items(client)

    assert item.findtext("title") == article.title
    assert item.findtext("description") == "最初の要点。"
    assert item.findtext("link") == "https://kjnews.example/articles/talks/"
    assert item.findtext("guid") == "https://kjnews.example/articles/talks/"


def test_feed_gives_the_publication_time_in_japan_time(client):
    ArticleFactory(published_at=datetime.datetime(2026, 11, 25, 0, 30, tzinfo=datetime.UTC))

    [item] = rss_items(client)
    [entry] = atom_entries(client)

    assert item.findtext("pubDate") == "Wed, 25 Nov 2026 09:30:00 +0900"
    assert entry.findtext(f"{ATOM}published") == "2026-11-25T09:30:00+09:00"


def test_atom_entry_is_updated_when_the_article_was_edited_after_publication(client):
    published = datetime.datetime(2026, 11, 25, 9, 0, tzinfo=JST)
    article = ArticleFactory(published_at=published)
    edited = published + datetime.timedelta(hours=5)
    type(article).objects.filter(pk=article.pk).update(updated_at=edited)

    [entry] = atom_entries(client)

    assert entry.findtext(f"{ATOM}published") == "2026-11-25T09:00:00+09:00"
    assert entry.findtext(f"{ATOM}updated") == "2026-11-25T14:00:00+09:00"


def test_feed_item_names_its_section_as_category(client, section):
    ArticleFactory(section=section)

    [item] = rss_items(client)
    [entry] = atom_entries(client)

    assert [category.text for category in item.findall("category")] == ["東アジア+"]
    assert [category.get("term") for category in entry.findall(f"{ATOM}category")] == ["東アジア+"]


def test_feed_item_carries_its_image_as_an_enclosure_with_size_and_type(client, settings):
    article = image_attach(ArticleFactory())
    jpeg_960 = next(
        item
        for item in article.image_renditions
        if (item["width"], item["mime_type"]) == (960, "image/jpeg")
    )

    [item] = rss_items(client)
    enclosure = item.find("enclosure")

    assert enclosure.attrib == {
        "url": f"https://kjnews.example/media/{jpeg_960['name']}",
        "length": str(jpeg_960["size"]),
        "type": "image/jpeg",
    }
    stored = (settings.MEDIA_ROOT / jpeg_960["name"]).stat().st_size
    assert enclosure.get("length") == str(stored)


def test_atom_entry_links_its_image_as_an_enclosure(client):
    image_attach(ArticleFactory())

    [entry] = atom_entries(client)

    [enclosure] = [link for link in entry.findall(f"{ATOM}link") if link.get("rel") == "enclosure"]
    assert enclosure.get("type") == "image/jpeg"
    assert enclosure.get("href").startswith("https://kjnews.example/media/articles/")


def test_an_article_without_an_image_has_no_enclosure(client, article):
    [item] = rss_items(client)

    assert item.find("enclosure") is None


def test_feeds_leave_out_drafts_and_scheduled_articles(client):
    visible = ArticleFactory()
    ArticleFactory(draft=True)
    ArticleFactory(scheduled=True)

    assert [item.findtext("title") for item in rss_items(client)] == [visible.title]
    assert [entry.findtext(f"{ATOM}title") for entry in atom_entries(client)] == [visible.title]


def test_site_feed_is_the_sites_own_in_japanese(client):
    channel = ET.fromstring(client.get(SITE_FEED).content).find("channel")

    assert channel.findtext("title") == "KJニュース"
    assert channel.findtext("link") == "https://kjnews.example/"
    assert channel.findtext("language") == "ja"


def test_feeds_stay_japanese_for_a_reader_of_the_english_interface(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    channel = ET.fromstring(client.get(SITE_FEED).content).find("channel")

    assert channel.findtext("title") == "KJニュース"


def test_feed_addresses_use_the_site_url_not_the_host_the_request_came_through(client):
    ArticleFactory(slug="talks")

    response = client.get(SITE_FEED, HTTP_HOST="localhost")

    assert b"https://kjnews.example/articles/talks/" in response.content
    assert b"localhost" not in response.content


def test_section_feed_lists_only_its_own_articles(client, section):
    own = ArticleFactory(section=section)
    ArticleFactory(section=SectionFactory(name="欧州", slug="europe"))

    items = rss_items(client, reverse("articles:section-feed", kwargs={"slug": section.slug}))

    assert [item.findtext("title") for item in items] == [own.title]


def test_section_feed_is_named_after_its_section(client, section):
    url = reverse("articles:section-feed-atom", kwargs={"slug": section.slug})

    feed = ET.fromstring(client.get(url).content)

    assert feed.findtext(f"{ATOM}title") == "東アジア+ | KJニュース"
    assert feed.find(f"{ATOM}link[@rel='alternate']").get("href") == (
        "https://kjnews.example/sections/east-asia-plus/"
    )


def test_feed_of_an_unknown_section_is_404(client):
    url = reverse("articles:section-feed", kwargs={"slug": "no-such-section"})

    assert client.get(url).status_code == HTTPStatus.NOT_FOUND


def test_a_control_character_pasted_into_a_headline_does_not_break_the_feed(client):
    ArticleFactory(title="見出し\x0bに制御文字", summary=["要点\x08です。"])

    [item] = rss_items(client)

    assert item.findtext("title") == "見出しに制御文字"
    assert item.findtext("description") == "要点です。"


# Where readers find them


def test_every_page_links_the_site_feeds_in_its_head(client, article):
    response = client.get(reverse("articles:home"))

    assertContains(
        response,
        '<link rel="alternate" type="application/rss+xml" title="KJニュース" href="/feed/">',
        html=True,
    )
    assertContains(
        response,
        '<link rel="alternate" type="application/atom+xml" title="KJニュース (Atom)"'
        ' href="/feed/atom/">',
        html=True,
    )


@pytest.mark.parametrize("page", ["section", "article"])
def test_section_pages_and_their_articles_link_the_section_feed(client, article, page):
    url = article.get_absolute_url() if page == "article" else article.section.get_absolute_url()

    response = client.get(url)

    assertContains(
        response,
        '<link rel="alternate" type="application/rss+xml" title="東アジア+ | KJニュース"'
        ' href="/sections/east-asia-plus/feed/">',
        html=True,
    )


# Shared from the page cache


@pytest.fixture
def pages_kept(settings):
    settings.PAGE_CACHE_SECONDS = 600


def test_a_feed_is_served_from_the_shared_cache_to_the_next_reader(pages_kept, article):
    first = Client().get(SITE_FEED)
    second = Client().get(SITE_FEED)

    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit")
    assert second.content == first.content
    assert "public" in second["Cache-Control"]
    assert second["ETag"]


def test_a_newly_published_article_is_in_the_cached_feed_at_once(
    pages_kept, article, django_capture_on_commit_callbacks
):
    Client().get(SITE_FEED)
    with django_capture_on_commit_callbacks(execute=True):
        new = ArticleFactory(title="新しく公開された記事")

    titles = [item.findtext("title") for item in rss_items(Client())]

    assert titles[0] == new.title


def test_a_reader_with_the_current_feed_gets_304(pages_kept, article):
    etag = Client().get(SITE_FEED)["ETag"]

    response = Client().get(SITE_FEED, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == HTTPStatus.NOT_MODIFIED
