"""What other sites and crawlers read in an article page's head: the canonical address,
OpenGraph and Twitter card tags, and schema.org NewsArticle structured data."""

import datetime
import json
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from django.contrib.staticfiles import finders
from PIL import Image

from articles.previews import json_ld_script
from tests.factories import ArticleFactory, image_attach

JST = ZoneInfo("Asia/Tokyo")
PUBLISHED = datetime.datetime(2026, 11, 25, 9, 0, tzinfo=JST)


class HeadReader(HTMLParser):
    """The head's meta tags (property or name -> content), links and JSON-LD blocks."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, list[str]] = {}
        self.links: list[dict] = []
        self.json_ld: list[str] = []
        self.scripts: list[tuple[str | None, str | None]] = []  # (type, src)
        self._in_json_ld = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "meta" and ("property" in attributes or "name" in attributes):
            key = attributes.get("property") or attributes["name"]
            self.meta.setdefault(key, []).append(attributes.get("content"))
        elif tag == "link":
            self.links.append(attributes)
        elif tag == "script":
            self.scripts.append((attributes.get("type"), attributes.get("src")))
            self._in_json_ld = attributes.get("type") == "application/ld+json"
            if self._in_json_ld:
                self.json_ld.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_json_ld = False

    def handle_data(self, data):
        if self._in_json_ld:
            self.json_ld[-1] += data


def head_of(client, article):
    reader = HeadReader()
    reader.feed(client.get(article.get_absolute_url()).text)
    return reader


def one(reader, key):
    values = reader.meta.get(key, [])
    assert len(values) == 1, f"{key}: {values}"
    return values[0]


def structured_data(reader):
    [block] = reader.json_ld
    return json.loads(block)


def japan_time(text):
    """A timezone-aware ISO 8601 time at +09:00, or a failed test."""
    value = datetime.datetime.fromisoformat(text)
    assert value.utcoffset() == datetime.timedelta(hours=9), text
    return value


@pytest.fixture(autouse=True)
def _public_address(settings):
    settings.SITE_URL = "https://kjnews.example"


@pytest.fixture
def illustrated(db, section):
    article = ArticleFactory(
        section=section,
        slug="talks",
        title="日韓首脳が会談、協力を確認",
        original_title="Can the two neighbours work together?",
        source_name="Example World News",
        source_url="https://news.example.com/world/asia-talks",
        summary=["両首脳が東京で会談した。", "経済協力で一致した。"],
        published_at=PUBLISHED,
    )
    return image_attach(article)


# The canonical address and OpenGraph


@pytest.mark.django_db
def test_article_page_names_its_canonical_address_on_the_public_site(client, illustrated):
    reader = head_of(client, illustrated)

    canonical = [link["href"] for link in reader.links if link.get("rel") == "canonical"]
    assert canonical == ["https://kjnews.example/articles/talks/"]


@pytest.mark.django_db
def test_opengraph_describes_the_article_in_japanese(client, illustrated):
    reader = head_of(client, illustrated)

    assert one(reader, "og:type") == "article"
    assert one(reader, "og:title") == "日韓首脳が会談、協力を確認"
    assert one(reader, "og:description") == "両首脳が東京で会談した。"
    assert one(reader, "og:url") == "https://kjnews.example/articles/talks/"
    assert one(reader, "og:locale") == "ja_JP"
    assert one(reader, "og:site_name") == "KJニュース"
    assert one(reader, "article:section") == "東アジア+"


@pytest.mark.django_db
def test_opengraph_image_is_the_largest_jpeg_rendition_with_its_size_and_alt(client, illustrated):
    largest = max(
        (item for item in illustrated.image_renditions if item["mime_type"] == "image/jpeg"),
        key=lambda item: item["width"],
    )

    reader = head_of(client, illustrated)

    assert one(reader, "og:image") == f"https://kjnews.example/media/{largest['name']}"
    assert (one(reader, "og:image:width"), one(reader, "og:image:height")) == ("1200", "675")
    assert one(reader, "og:image:type") == "image/jpeg"
    assert one(reader, "og:image:alt") == "握手する両国の首脳"


@pytest.mark.django_db
def test_opengraph_times_are_japan_time_published_then_modified(client, illustrated):
    reader = head_of(client, illustrated)

    published = japan_time(one(reader, "article:published_time"))
    modified = japan_time(one(reader, "article:modified_time"))
    assert published == PUBLISHED
    assert modified >= published


@pytest.mark.django_db
def test_an_article_with_an_image_gets_a_large_image_twitter_card(client, illustrated):
    reader = head_of(client, illustrated)

    assert one(reader, "twitter:card") == "summary_large_image"
    assert one(reader, "twitter:title") == illustrated.title
    assert one(reader, "twitter:image") == one(reader, "og:image")
    assert one(reader, "twitter:image:alt") == "握手する両国の首脳"


@pytest.mark.django_db
def test_an_article_without_an_image_gets_a_plain_summary_card_and_no_image_tags(client, article):
    reader = head_of(client, article)

    assert one(reader, "twitter:card") == "summary"
    assert not any(key.endswith(":image") for key in reader.meta)


@pytest.mark.django_db
def test_a_decorative_image_is_previewed_without_alt_text(client, illustrated):
    illustrated.image_alt, illustrated.image_decorative = "", True
    illustrated.save()

    reader = head_of(client, illustrated)

    assert "og:image" in reader.meta
    assert "og:image:alt" not in reader.meta
    assert "twitter:image:alt" not in reader.meta


@pytest.mark.django_db
def test_an_editors_preview_of_a_draft_asks_not_to_be_indexed(client, editor):
    draft = ArticleFactory(draft=True)
    client.force_login(editor)

    reader = head_of(client, draft)

    assert one(reader, "robots") == "noindex"


# schema.org NewsArticle


@pytest.mark.django_db
def test_structured_data_is_a_news_article_with_what_search_engines_require(client, illustrated):
    data = structured_data(head_of(client, illustrated))

    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "日韓首脳が会談、協力を確認"
    assert (
        data["url"] == data["mainEntityOfPage"]["@id"] == "https://kjnews.example/articles/talks/"
    )
    assert data["inLanguage"] == "ja"
    assert data["articleSection"] == "東アジア+"
    assert data["description"] == "両首脳が東京で会談した。"


@pytest.mark.django_db
def test_structured_data_dates_carry_the_japan_time_zone(client, illustrated):
    data = structured_data(head_of(client, illustrated))

    assert japan_time(data["datePublished"]) == PUBLISHED
    assert japan_time(data["dateModified"]) >= PUBLISHED


@pytest.mark.django_db
def test_structured_data_image_is_an_absolute_address_with_its_size(client, illustrated):
    data = structured_data(head_of(client, illustrated))

    [image] = data["image"]
    assert image["@type"] == "ImageObject"
    assert image["url"].startswith("https://kjnews.example/media/articles/")
    assert image["url"].endswith("-1200w.jpg")
    assert (image["width"], image["height"]) == (1200, 675)


@pytest.mark.django_db
def test_structured_data_names_kj_news_as_publisher_with_its_logo(client, illustrated):
    data = structured_data(head_of(client, illustrated))

    publisher = data["publisher"]
    assert publisher["@type"] == "NewsMediaOrganization"
    assert publisher["name"] == "KJニュース"
    assert publisher["url"] == "https://kjnews.example/"
    assert publisher["logo"]["url"] == "https://kjnews.example/static/img/kjnews-logo.png"


def test_the_publisher_logo_is_a_square_png_drawn_for_kj_news():
    path = finders.find("img/kjnews-logo.png")

    with Image.open(path) as logo:
        assert (logo.format, logo.size) == ("PNG", (512, 512))


@pytest.mark.django_db
def test_structured_data_says_which_source_article_it_is_based_on(client, illustrated):
    data = structured_data(head_of(client, illustrated))

    assert data["isBasedOn"] == {
        "@type": "NewsArticle",
        "url": "https://news.example.com/world/asia-talks",
        "headline": "Can the two neighbours work together?",
        "publisher": {"@type": "Organization", "name": "Example World News"},
    }


@pytest.mark.django_db
def test_a_headline_that_closes_the_script_stays_inside_the_structured_data(client):
    title = "</script><script>alert('x')</script> & <!-- 見出し"
    article = ArticleFactory(title=title)

    reader = head_of(client, article)

    assert structured_data(reader)["headline"] == title
    assert [script for script in reader.scripts if script[0] != "application/ld+json"] == [
        (None, "/static/js/comments.js")
    ]


@pytest.mark.django_db
def test_the_only_inline_script_element_is_the_structured_data_block(client, illustrated):
    reader = head_of(client, illustrated)

    # Data, not script: a Content-Security-Policy's script-src does not apply to it.
    assert reader.scripts == [("application/ld+json", None), (None, "/static/js/comments.js")]


def test_json_ld_script_escapes_what_would_end_the_block_and_keeps_japanese_readable():
    html = json_ld_script({"headline": "東京</script><!--&"})

    assert html == (
        '<script type="application/ld+json">'
        '{"headline":"東京\\u003C/script\\u003E\\u003C!--\\u0026"}</script>'
    )
    inner = html.removeprefix('<script type="application/ld+json">').removesuffix("</script>")
    assert json.loads(inner) == {"headline": "東京</script><!--&"}
