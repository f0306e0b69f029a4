"""Sitemaps for crawlers: the index, articles, sections and Google News; robots.txt points there."""

import datetime
import time
import xml.etree.ElementTree as ET
from http import HTTPStatus
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from articles.models import Article
from articles.sitemaps import ArticleSitemap
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db

JST = ZoneInfo("Asia/Tokyo")
NOW = datetime.datetime(2026, 11, 25, 12, 0, tzinfo=JST)
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


@pytest.fixture(autouse=True)
def _public_address(settings):
    settings.SITE_URL = "https://kjnews.example"


@pytest.fixture
def pinned(time_machine):
    time_machine.move_to(NOW, tick=False)


def xml_of(client, url):
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"].startswith("application/xml")
    return ET.fromstring(response.content)


def locations(root):
    return [element.text for element in root.iter(f"{SM}loc")]


def news_entries(client):
    root = xml_of(client, "/sitemap-news.xml")
    return [
        {
            "loc": url.findtext(f"{SM}loc"),
            "name": url.findtext(f"{NEWS}news/{NEWS}publication/{NEWS}name"),
            "language": url.findtext(f"{NEWS}news/{NEWS}publication/{NEWS}language"),
            "date": url.findtext(f"{NEWS}news/{NEWS}publication_date"),
            "title": url.findtext(f"{NEWS}news/{NEWS}title"),
        }
        for url in root.findall(f"{SM}url")
    ]


def hours_ago(hours):
    return NOW - datetime.timedelta(hours=hours)


# The index


def test_the_index_lists_the_article_section_and_news_sitemaps_at_the_sites_address(client):
    ArticleFactory()

    root = xml_of(client, "/sitemap.xml")

    assert root.tag == f"{SM}sitemapindex"
    assert locations(root) == [
        "https://kjnews.example/sitemap-articles.xml",
        "https://kjnews.example/sitemap-sections.xml",
        "https://kjnews.example/sitemap-news.xml",
    ]


def test_the_index_lists_every_page_of_a_long_article_sitemap(client, monkeypatch):
    monkeypatch.setattr(ArticleSitemap, "limit", 2)
    ArticleFactory.create_batch(5)

    root = xml_of(client, "/sitemap.xml")

    assert locations(root)[:3] == [
        "https://kjnews.example/sitemap-articles.xml",
        "https://kjnews.example/sitemap-articles.xml?p=2",
        "https://kjnews.example/sitemap-articles.xml?p=3",
    ]
    second_page = xml_of(client, "/sitemap-articles.xml?p=2")
    assert len(locations(second_page)) == 2


def test_the_index_says_when_the_articles_last_changed(client):
    ArticleFactory(published_at=hours_ago(3))

    root = xml_of(client, "/sitemap.xml")

    assert root.find(f"{SM}sitemap/{SM}lastmod").text.endswith("+09:00")


def test_sitemaps_are_kept_out_of_search_results(client):
    assert client.get("/sitemap.xml")["X-Robots-Tag"] == "noindex"


# Articles and sections


def test_the_article_sitemap_lists_what_readers_see_with_when_it_last_changed(client, pinned):
    article = ArticleFactory(slug="talks", published_at=hours_ago(30))
    Article.objects.filter(pk=article.pk).update(updated_at=hours_ago(2))
    ArticleFactory(draft=True)
    ArticleFactory(scheduled=True)

    root = xml_of(client, "/sitemap-articles.xml")

    [url] = root.findall(f"{SM}url")
    assert url.findtext(f"{SM}loc") == "https://kjnews.example/articles/talks/"
    assert datetime.datetime.fromisoformat(url.findtext(f"{SM}lastmod")) == hours_ago(2)
    assert url.findtext(f"{SM}lastmod").endswith("+09:00")


def test_the_section_sitemap_lists_every_section(client):
    SectionFactory(slug="east-asia-plus", position=1)
    SectionFactory(slug="europe", position=2)

    root = xml_of(client, "/sitemap-sections.xml")

    assert locations(root) == [
        "https://kjnews.example/sections/east-asia-plus/",
        "https://kjnews.example/sections/europe/",
    ]


def test_an_unknown_sitemap_or_page_is_404(client):
    assert client.get("/sitemap-nothing.xml").status_code == HTTPStatus.NOT_FOUND
    assert client.get("/sitemap-articles.xml?p=9").status_code == HTTPStatus.NOT_FOUND
    assert client.get("/sitemap-articles.xml?p=x").status_code == HTTPStatus.NOT_FOUND


# Google News


def test_the_news_sitemap_names_the_publication_language_time_and_title(client, pinned):
    published_at = datetime.datetime(2026, 11, 25, 9, 0, tzinfo=JST)
    ArticleFactory(slug="talks", title="日韓首脳が会談", published_at=published_at)

    [entry] = news_entries(client)

    assert entry == {
        "loc": "https://kjnews.example/articles/talks/",
        "name": "KJニュース",
        "language": "ja",
        "date": "2026-11-25T09:00:00+09:00",
        "title": "日韓首脳が会談",
    }


def test_the_news_sitemap_holds_only_articles_first_published_in_the_last_48_hours(client, pinned):
    recent = ArticleFactory(title="47時間前の記事", published_at=hours_ago(47))
    ArticleFactory(title="49時間前の記事", published_at=hours_ago(49))
    ArticleFactory(title="下書き", published_at=hours_ago(1), draft=True)
    ArticleFactory(title="予約", scheduled=True)

    assert [entry["title"] for entry in news_entries(client)] == [recent.title]


def test_an_old_article_edited_today_does_not_count_as_news_again(client, pinned):
    old = ArticleFactory(published_at=hours_ago(72))
    old.title = "今日直した古い記事"
    old.save()

    assert news_entries(client) == []


def test_the_news_sitemap_lists_at_most_1000_articles_newest_first(client, section, pinned):
    Article.objects.bulk_create(
        Article(
            section=section,
            title=f"記事{number}",
            slug=f"article-{number}",
            source_url=f"https://news.example.com/{number}",
            rights=Article.Rights.TRANSLATED_WITH_PERMISSION,
            status=Article.Status.PUBLISHED,
            published_at=NOW - datetime.timedelta(minutes=number),
        )
        for number in range(1, 1002)
    )

    entries = news_entries(client)

    assert len(entries) == 1000
    assert (entries[0]["title"], entries[-1]["title"]) == ("記事1", "記事1000")


def test_an_article_leaves_the_cached_news_sitemap_48_hours_after_publication(client, settings):
    settings.PAGE_CACHE_SECONDS = 600
    window = datetime.timedelta(hours=48)
    ArticleFactory(published_at=timezone.now() - window + datetime.timedelta(seconds=2))
    assert len(news_entries(client)) == 1

    time.sleep(2.5)

    assert news_entries(client) == []


def test_a_scheduled_article_appears_in_the_cached_news_sitemap_at_its_time(client, settings):
    settings.PAGE_CACHE_SECONDS = 600
    soon = timezone.now() + datetime.timedelta(seconds=2)
    ArticleFactory(title="予約公開の記事", published_at=soon)
    assert news_entries(client) == []

    time.sleep(2.5)

    assert [entry["title"] for entry in news_entries(client)] == ["予約公開の記事"]


# robots.txt


def test_robots_txt_lets_crawlers_in_except_for_staff_pages_and_names_the_sitemap(client):
    response = client.get("/robots.txt")

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.text == (
        "User-agent: *\n"
        "Disallow: /admin/\n"
        "Disallow: /moderation/\n"
        "\n"
        "Sitemap: https://kjnews.example/sitemap.xml\n"
    )


def test_robots_txt_does_not_give_away_an_admin_address_the_operator_chose(client, settings):
    settings.ADMIN_PATH = "back-office-7f3a/"

    text = client.get("/robots.txt").text

    assert "back-office" not in text
    assert "/admin/" not in text
    assert "Disallow: /moderation/" in text


def test_robots_txt_may_be_cached(client):
    assert client.get("/robots.txt")["Cache-Control"] == "public, max-age=3600"
