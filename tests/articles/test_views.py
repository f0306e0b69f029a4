import datetime
import io
import re
from http import HTTPStatus
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.client import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.views.defaults import server_error
from PIL import Image
from pytest_django.asserts import assertContains, assertInHTML, assertNotContains

from articles.models import Article, Paragraph, SummaryPoint
from tests.factories import (
    ArticleFactory,
    EditorFactory,
    SectionFactory,
    UserFactory,
    image_attach,
    jpeg_upload,
)

pytestmark = pytest.mark.django_db

JST = ZoneInfo("Asia/Tokyo")
HOME = reverse("articles:home")


def page_text(response):
    return response.content.decode()


def png_upload(name="photo.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), "navy").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


# Home page


def test_home_lists_published_articles_newest_first(client):
    older = ArticleFactory(published_at=datetime.datetime(2026, 11, 24, 9, 0, tzinfo=JST))
    newer = ArticleFactory(published_at=datetime.datetime(2026, 11, 25, 9, 0, tzinfo=JST))

    html = page_text(client.get(HOME))

    assert html.index(newer.title) < html.index(older.title)


def test_home_card_links_the_headline_to_the_article(client, article):
    response = client.get(HOME)

    assertInHTML(
        f'<h2 class="article-card__title"><a href="{article.get_absolute_url()}">'
        f"{article.title}</a></h2>",
        page_text(response),
    )


def test_home_card_shows_the_section_with_a_link_to_its_page(client, article):
    response = client.get(HOME)

    assertContains(
        response,
        '<a class="article-card__section" href="/sections/east-asia-plus/">東アジア+</a>',
        html=True,
    )


def test_home_card_shows_the_publication_time_in_japan_time_japanese_style(client):
    ArticleFactory(published_at=datetime.datetime(2026, 11, 25, 9, 0, tzinfo=datetime.UTC))

    response = client.get(HOME)

    assertContains(
        response,
        '<time datetime="2026-11-25T18:00:00+09:00">2026年11月25日 18:00</time>',
        html=True,
    )


def test_home_card_shows_the_first_summary_point_as_lead(client):
    ArticleFactory(summary=["最初の要点。", "二番目の要点。"])

    response = client.get(HOME)

    assertContains(response, '<p class="article-card__lead">最初の要点。</p>', html=True)
    assertNotContains(response, "二番目の要点。")


def test_home_card_of_an_illustrated_article_has_a_lazily_loaded_thumbnail(client):
    image_attach(ArticleFactory())

    html = page_text(client.get(HOME))

    card = re.search(
        r'<article class="article-card article-card--illustrated">.*?</article>', html, re.S
    )
    img = re.search(r"<img [^>]*>", card[0])[0]
    assert 'width="1200" height="675"' in img
    assert 'alt="" loading="lazy"' in img
    assert "fetchpriority" not in img


def test_thumbnails_cost_the_list_pages_no_query(client, section):
    ArticleFactory.create_batch(3, section=section)
    with CaptureQueriesContext(connection) as plain:
        client.get(HOME)
    for article in Article.objects.all():
        image_attach(article, jpeg_upload(size=(200, 100)))
    with CaptureQueriesContext(connection) as illustrated:
        response = client.get(HOME)

    assert page_text(response).count("<picture>") == 3
    assert len(illustrated) == len(plain)


def test_home_says_so_when_there_are_no_articles(client):
    response = client.get(HOME)

    assert response.status_code == HTTPStatus.OK
    assertContains(response, "まだ記事が公開されていません。")


def test_home_leaves_out_drafts_and_scheduled_articles(client):
    draft = ArticleFactory(draft=True)
    scheduled = ArticleFactory(scheduled=True)

    response = client.get(HOME)

    assertNotContains(response, draft.title)
    assertNotContains(response, scheduled.title)


@pytest.mark.parametrize("page", [HOME, "/sections/east-asia-plus/"])
def test_list_pages_cost_at_most_six_queries_with_five_articles_or_fifty(
    client, section, settings, page
):
    settings.ARTICLES_PER_PAGE = 50
    ArticleFactory.create_batch(5, section=section)
    with CaptureQueriesContext(connection) as with_five:
        client.get(page)
    ArticleFactory.create_batch(45, section=section)
    with CaptureQueriesContext(connection) as with_fifty:
        response = client.get(page)

    assert page_text(response).count('class="article-card"') == 50
    assert len(with_five) <= 6
    assert len(with_fifty) == len(with_five)


# Publication rules


def test_draft_article_is_404_for_readers(client):
    draft = ArticleFactory(draft=True)

    response = client.get(draft.get_absolute_url())

    assert response.status_code == HTTPStatus.NOT_FOUND


def test_scheduled_article_is_404_until_its_time_then_readable(client):
    now = datetime.datetime(2026, 11, 25, 9, 0, tzinfo=JST)
    with time_machine.travel(now, tick=False) as traveller:
        article = ArticleFactory(published_at=now + datetime.timedelta(hours=3))
        before = client.get(article.get_absolute_url())

        traveller.move_to(now + datetime.timedelta(hours=3))
        after = client.get(article.get_absolute_url())

    assert (before.status_code, after.status_code) == (HTTPStatus.NOT_FOUND, HTTPStatus.OK)


def test_scheduled_article_appears_on_home_once_its_time_comes(client):
    now = datetime.datetime(2026, 11, 25, 9, 0, tzinfo=JST)
    with time_machine.travel(now, tick=False) as traveller:
        article = ArticleFactory(published_at=now + datetime.timedelta(hours=3))
        assertNotContains(client.get(HOME), article.title)

        traveller.move_to(now + datetime.timedelta(hours=3, seconds=1))
        assertContains(client.get(HOME), article.title)


def test_editor_sees_a_draft_on_its_real_url_with_a_preview_banner(client):
    draft = ArticleFactory(draft=True)
    client.force_login(EditorFactory())

    response = client.get(draft.get_absolute_url())

    assert response.status_code == HTTPStatus.OK
    assertContains(response, 'class="preview-banner" role="status"')
    assertContains(response, "この記事はまだ読者には表示されていません。")
    assertContains(response, "下書き")


def test_editor_preview_of_a_scheduled_article_says_it_is_scheduled(client):
    article = ArticleFactory(published_at=datetime.datetime(2099, 1, 2, 3, 0, tzinfo=JST))
    client.force_login(EditorFactory())

    response = client.get(article.get_absolute_url())

    assertContains(response, "予約公開")
    assertContains(response, "2099年1月2日 03:00")


def test_editor_preview_is_never_cached(client):
    draft = ArticleFactory(draft=True)
    client.force_login(EditorFactory())

    response = client.get(draft.get_absolute_url())

    cache_control = response.headers["Cache-Control"]
    assert {"no-cache", "no-store", "private"} <= {
        part.strip() for part in cache_control.split(",")
    }


def test_editor_sees_no_preview_banner_on_a_published_article(client, article):
    client.force_login(EditorFactory())

    response = client.get(article.get_absolute_url())

    assertNotContains(response, "preview-banner")


def test_staff_without_change_permission_cannot_see_a_draft(client):
    draft = ArticleFactory(draft=True)
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_article"))
    client.force_login(staff)

    response = client.get(draft.get_absolute_url())

    assert response.status_code == HTTPStatus.NOT_FOUND


# Section pages and navigation


def test_section_page_lists_only_its_own_articles(client, section):
    own = ArticleFactory(section=section)
    other = ArticleFactory(section=SectionFactory(name="欧州", slug="europe"))

    response = client.get(section.get_absolute_url())

    assertContains(response, own.title)
    assertNotContains(response, other.title)


def test_section_page_shows_its_name_and_description(client):
    section = SectionFactory(name="中東", slug="middle-east", description="中東各国の動き")

    response = client.get(section.get_absolute_url())

    assertContains(response, '<h1 class="page-title">中東</h1>', html=True)
    assertContains(response, "中東各国の動き")


def test_section_page_leaves_out_drafts_and_scheduled_articles(client, section):
    draft = ArticleFactory(section=section, draft=True)
    scheduled = ArticleFactory(section=section, scheduled=True)

    response = client.get(section.get_absolute_url())

    assertNotContains(response, draft.title)
    assertNotContains(response, scheduled.title)


def test_unknown_section_is_404(client):
    response = client.get(reverse("articles:section", kwargs={"slug": "no-such-section"}))

    assert response.status_code == HTTPStatus.NOT_FOUND


def test_navigation_lists_every_section_in_order(client):
    SectionFactory(name="欧州", slug="europe", position=2)
    SectionFactory(name="東アジア+", slug="east-asia-plus", position=1)
    SectionFactory(name="米州", slug="americas", position=3)

    html = page_text(client.get(HOME))

    assert html.index("東アジア+") < html.index("欧州") < html.index("米州")
    assert html.count('class="section-nav__link"') == 3


def test_navigation_marks_the_current_section_page(client, section):
    SectionFactory(name="欧州", slug="europe")

    response = client.get(section.get_absolute_url())

    assertContains(
        response,
        '<a class="section-nav__link" href="/sections/east-asia-plus/" aria-current="page">'
        "東アジア+</a>",
        html=True,
    )
    assertContains(response, 'aria-current="page"', count=1)


def test_article_page_names_its_section_next_to_the_brand(client, article):
    response = client.get(article.get_absolute_url())

    assertContains(
        response,
        '<a class="site-header__section" href="/sections/east-asia-plus/">東アジア+</a>',
        html=True,
    )


# Pagination


def test_home_shows_the_newest_articles_on_the_first_page(client, settings):
    settings.ARTICLES_PER_PAGE = 2
    oldest, middle, newest = (
        ArticleFactory(published_at=datetime.datetime(2026, 11, day, 9, 0, tzinfo=JST))
        for day in (23, 24, 25)
    )

    response = client.get(HOME)

    assertContains(response, newest.title)
    assertContains(response, middle.title)
    assertNotContains(response, oldest.title)
    assertContains(response, "1ページ目")
    assertContains(response, 'href="?page=2"')


def test_home_second_page_shows_the_older_articles(client, settings):
    settings.ARTICLES_PER_PAGE = 2
    oldest, _middle, newest = (
        ArticleFactory(published_at=datetime.datetime(2026, 11, day, 9, 0, tzinfo=JST))
        for day in (23, 24, 25)
    )

    response = client.get(HOME, {"page": 2})

    assertContains(response, oldest.title)
    assertNotContains(response, newest.title)
    assertContains(response, "2ページ目")
    assertContains(response, 'href="?page=1"')


def test_single_page_has_no_pagination(client, article):
    response = client.get(HOME)

    assertNotContains(response, 'class="pagination"')


# Article page


def test_article_page_shows_the_headline(client, article):
    response = client.get(article.get_absolute_url())

    assertContains(
        response, f'<h1 id="article-title" class="article-title">{article.title}</h1>', html=True
    )


def test_article_page_shows_summary_points_as_list_items_in_their_order(client):
    article = ArticleFactory(summary=[])
    SummaryPoint.objects.create(article=article, position=2, text="二番目の要点。")
    SummaryPoint.objects.create(article=article, position=1, text="最初の要点。")

    response = client.get(article.get_absolute_url())

    # Each point is followed by its own 誤訳・誤りを指摘 link (suggestions), not part of its text.
    points = re.findall(r'<li id="(s-\d+)">([^<]*)<', response.text)
    assert points == [("s-1", "最初の要点。"), ("s-2", "二番目の要点。")]


def test_article_page_shows_the_original_headline_as_is(client):
    article = ArticleFactory(original_title='Can Tokyo & Seoul "reset" ties?')

    response = client.get(article.get_absolute_url())

    assertContains(response, '<p class="original-title" lang="en">')
    assertContains(response, "Can Tokyo &amp; Seoul &quot;reset&quot; ties?")


def test_article_page_numbers_paragraphs_in_their_order(client):
    article = ArticleFactory(body=[])
    Paragraph.objects.create(article=article, position=2, text="二段落目。")
    Paragraph.objects.create(article=article, position=1, text="一段落目。")

    response = client.get(article.get_absolute_url())

    paragraphs = re.findall(r'<li id="(p-\d+)">([^<]*)<', response.text)
    assert paragraphs == [("p-1", "一段落目。"), ("p-2", "二段落目。")]


def test_article_page_links_the_source_safely_in_a_new_tab(client):
    article = ArticleFactory(source_url="https://news.example.com/world/asia-123")

    response = client.get(article.get_absolute_url())

    assertContains(
        response,
        '<a class="source__link" href="https://news.example.com/world/asia-123"'
        ' rel="noopener noreferrer" target="_blank">https://news.example.com/world/asia-123</a>',
        html=True,
    )
    assertContains(response, "ソース:")


def test_article_page_shows_the_image_with_its_english_caption(client):
    article = ArticleFactory(
        image=png_upload(), image_caption="Leaders meet in Seoul", image_alt="会談する首脳"
    )

    response = client.get(article.get_absolute_url())

    assertContains(response, f'src="{article.image.url}"')
    assertContains(response, 'alt="会談する首脳"')
    assertContains(
        response,
        '<figcaption id="image-caption" lang="en">Leaders meet in Seoul</figcaption>',
        html=True,
    )


def test_article_page_without_an_image_has_no_figure(client, article):
    response = client.get(article.get_absolute_url())

    assertNotContains(response, "<figure")


def test_cut_off_last_paragraph_ends_with_an_ellipsis(client):
    article = ArticleFactory(body=["会談は二時間続いた。", "両首脳は今後の協力について"])

    response = client.get(article.get_absolute_url())

    assertContains(response, "両首脳は今後の協力について<span")
    assertContains(response, "…")
    assertContains(response, "本文はここで途切れています。")


def test_complete_last_paragraph_has_no_ellipsis(client):
    article = ArticleFactory(body=["会談は二時間続いた。", "両首脳は協力を確認した。"])

    response = client.get(article.get_absolute_url())

    assertNotContains(response, "…")


def test_article_page_has_a_comments_area_welcoming_anonymous_comments(client, article):
    response = client.get(article.get_absolute_url())

    assertContains(response, '<section id="comments" class="comments"')
    assertContains(response, "コメント</h2>")
    assertContains(response, 'href="#comments"')


def test_stored_script_tags_come_back_escaped(client):
    article = ArticleFactory(
        title="<script>alert('title')</script>", body=["<script>alert('body')</script>"]
    )

    response = client.get(article.get_absolute_url())

    assertNotContains(response, "<script>")
    assertContains(response, "&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt;")
    assertContains(response, "&lt;script&gt;alert(&#x27;body&#x27;)&lt;/script&gt;")


def test_stored_script_tags_in_a_lead_come_back_escaped_on_home(client):
    ArticleFactory(summary=["<script>alert('lead')</script>"])

    response = client.get(HOME)

    assertNotContains(response, "<script>")
    assertContains(response, "&lt;script&gt;")


# Search page

SEARCH = reverse("articles:search")


def search(client, query, **params):
    return client.get(SEARCH, {"q": query, **params})


@pytest.mark.parametrize("page", [HOME, "/sections/east-asia-plus/"])
def test_every_page_has_a_labelled_search_box_that_asks_the_search_page(client, section, page):
    response = client.get(page)

    assertContains(response, f'<form class="site-search" role="search" action="{SEARCH}"')
    assertContains(
        response,
        '<label class="visually-hidden" for="site-search-query">記事を検索</label>',
        html=True,
    )
    assertContains(response, 'id="site-search-query" name="q"')


def test_article_page_has_the_search_box_too(client, article):
    assertContains(client.get(article.get_absolute_url()), 'id="site-search-query" name="q"')


def test_search_lists_the_matching_articles_newest_first(client, section):
    older = ArticleFactory(
        title="台湾で選挙", published_at=datetime.datetime(2026, 11, 24, 9, 0, tzinfo=JST)
    )
    newer = ArticleFactory(
        title="台湾の半導体", published_at=datetime.datetime(2026, 11, 25, 9, 0, tzinfo=JST)
    )
    ArticleFactory(title="欧州で選挙")

    html = page_text(search(client, "台湾"))

    assert html.count('class="article-card search-result"') == 2
    assert html.index("半導体") < html.index("で選挙")
    assert newer.get_absolute_url() in html
    assert older.get_absolute_url() in html


def test_search_result_shows_the_marked_headline_section_time_and_snippet(client, section):
    ArticleFactory(
        section=section,
        title="台湾の半導体",
        published_at=datetime.datetime(2026, 11, 25, 9, 0, tzinfo=JST),
        summary=["輸出が増えた。", "台湾の工場が新設される。"],
    )

    response = search(client, "台湾")

    assertContains(response, "<mark>台湾</mark>の半導体")
    assertContains(
        response,
        '<a class="article-card__section" href="/sections/east-asia-plus/">東アジア+</a>',
        html=True,
    )
    assertContains(response, '<time datetime="2026-11-25T09:00:00+09:00">', html=False)
    assertContains(
        response,
        '<p class="search-result__snippet"><mark>台湾</mark>の工場が新設される。</p>',
        html=True,
    )


def test_search_shows_the_query_in_the_heading_and_the_search_box(client):
    response = search(client, "ＮＡＴＯ 首脳会議")

    assertContains(response, "「ＮＡＴＯ 首脳会議」の検索結果</h1>")
    assertContains(response, 'name="q" value="ＮＡＴＯ 首脳会議"')


def test_what_the_reader_typed_comes_back_escaped(client):
    response = search(client, '<script>alert("x")</script>')

    assertNotContains(response, "<script>alert")
    assertContains(response, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;")


def test_a_search_without_results_says_so(client, article):
    response = search(client, "量子暗号")

    assertContains(response, "「量子暗号」に一致する記事は見つかりませんでした。")


def test_an_empty_search_asks_for_words(client, article):
    response = client.get(SEARCH)

    assert response.status_code == HTTPStatus.OK
    assertContains(response, "検索欄に言葉を入力すると、記事を探せます。")


def test_a_search_for_symbols_only_says_what_to_type(client, article):
    response = search(client, "★！？")

    assertContains(response, "記号だけでなく、文字か数字を入力してください。")


@pytest.mark.parametrize(
    "query",
    ["", " ", "x" * 2_000, "！＃＄％", "\x00", "台\x00湾", "\u202e\u200b", "%00", "' OR 1=1 --"],
)
def test_any_query_answers_a_page(client, article, query):
    response = search(client, query)

    assert response.status_code == HTTPStatus.OK


def test_a_nul_byte_in_the_address_answers_a_page(client, article):
    response = client.get(f"{SEARCH}?q=%E5%8F%B0%00%E6%B9%BE&page=%00")

    assert response.status_code == HTTPStatus.OK


def test_a_long_query_says_that_only_its_first_hundred_characters_were_searched(client):
    response = search(client, "台湾" * 1_000)

    assertContains(response, "最初の100文字で検索しました。")
    assertContains(response, f'value="{"台湾" * 50}"')


def test_search_pages_link_to_the_next_page_with_the_query(client, settings, section):
    settings.ARTICLES_PER_PAGE = 2
    ArticleFactory.create_batch(3, section=section, title="台湾のニュース")

    first = search(client, "台湾")
    second = search(client, "台湾", page=2)

    assertContains(first, 'href="?q=%E5%8F%B0%E6%B9%BE&amp;page=2" rel="next"')
    assert page_text(second).count('class="article-card search-result"') == 1


def test_search_results_end_after_fifty_pages(client, settings, section):
    settings.ARTICLES_PER_PAGE = 1
    ArticleFactory.create_batch(51, section=section, summary=[], body=[])

    last = search(client, "韓国", page=50)
    beyond = search(client, "韓国", page=51)

    assertNotContains(last, 'rel="next"')
    assertContains(beyond, "これ以上の検索結果はありません。")


def test_search_pages_are_not_kept_in_the_shared_page_cache(client, settings, section):
    settings.PAGE_CACHE_SECONDS = 600
    before = search(client, "台湾")
    ArticleFactory(section=section, title="台湾で選挙")

    after = search(client, "台湾")

    assertNotContains(before, "で選挙")
    assertContains(after, "<mark>台湾</mark>で選挙")
    assert "X-Page-Cache" not in after.headers


def test_search_pages_may_be_kept_by_browsers_for_as_long_as_a_home_page(client, article):
    response = search(client, "韓国")

    assert "public" in response.headers["Cache-Control"]
    assert "max-age=30" in response.headers["Cache-Control"]
    assert "Cookie" in response.headers["Vary"]


def test_search_pages_ask_search_engines_not_to_index_them(client, article):
    assertContains(search(client, "韓国"), '<meta name="robots" content="noindex">')


def test_search_costs_a_fixed_number_of_queries_for_five_results_or_twenty(client, section):
    ArticleFactory.create_batch(5, section=section)
    with CaptureQueriesContext(connection) as with_five:
        search(client, "韓国")
    ArticleFactory.create_batch(15, section=section)
    with CaptureQueriesContext(connection) as with_twenty:
        response = search(client, "韓国")

    assert page_text(response).count('class="article-card search-result"') == 20
    # Navigation, the planner settings, the newest articles' cutoff, the results, their
    # summary points and paragraphs, and in a test the savepoint and its release and reset.
    assert len(with_five) == len(with_twenty) <= 9


# Language and error pages


def test_pages_are_in_japanese_by_default(client, article):
    response = client.get(article.get_absolute_url())

    assertContains(response, '<html lang="ja">')
    assertContains(response, "匿名コメント募集中")
    assert response.headers["Content-Language"] == "ja"


def test_choosing_english_shows_the_english_interface(client, article):
    switched = client.post(reverse("set_language"), {"language": "en", "next": HOME})

    response = client.get(article.get_absolute_url())

    assert switched.status_code == HTTPStatus.FOUND
    assertContains(response, '<html lang="en">')
    assertContains(response, "Anonymous comments welcome")
    assertNotContains(response, "匿名コメント募集中")


def test_pages_tell_shared_caches_that_the_language_cookie_matters(client):
    response = client.get(HOME)

    assert "Cookie" in response.headers["Vary"]


def test_every_page_offers_the_language_switcher(client):
    response = client.get(HOME)

    assertContains(response, f'action="{reverse("set_language")}" method="post"')
    assertContains(response, '<option value="en" lang="en">English</option>', html=True)


def test_switching_the_language_needs_no_token_so_pages_without_forms_can_be_shared(client):
    response = client.get(HOME)

    assertNotContains(response, "csrfmiddlewaretoken")
    assert "csrftoken" not in response.cookies


def test_unknown_url_gives_a_japanese_404_page(client):
    response = client.get("/no/such/page/")

    assert response.status_code == HTTPStatus.NOT_FOUND
    assertContains(response, "ページが見つかりません", status_code=HTTPStatus.NOT_FOUND)
    assertContains(response, '<html lang="ja">', status_code=HTTPStatus.NOT_FOUND)


def test_server_error_page_is_japanese_and_needs_no_database():
    request = RequestFactory().get("/")

    with CaptureQueriesContext(connection) as queries:
        response = server_error(request)

    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert "サーバーエラーが発生しました" in page_text(response)
    assert len(queries) == 0


def test_article_page_shows_the_rights_basis_beside_the_source(client):
    article = ArticleFactory(rights=Article.Rights.SUMMARY_QUOTING_SOURCE)

    response = client.get(article.get_absolute_url())

    source = re.search(r'<p class="source">.*?</p>', response.text, re.DOTALL)[0]
    assertInHTML('<span class="source__rights">（出典を示した要約・引用）</span>', source)


def test_an_article_published_before_rights_were_recorded_shows_no_basis(client):
    article = ArticleFactory(rights="")

    response = client.get(article.get_absolute_url())

    assertNotContains(response, "source__rights")
