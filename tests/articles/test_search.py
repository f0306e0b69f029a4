"""Search for Japanese text (articles/search.py and ArticleQuerySet.search): what a query finds."""

import datetime
from http import HTTPStatus
from urllib.parse import quote

import pytest
from django.db import connection
from django.utils import timezone

from articles.models import Article, Paragraph
from articles.search import DOCUMENT_MAX_CHARS, SearchDocument, SearchTerms
from tests.factories import ArticleFactory
from tests.servers import Reader, manage, site_environment

# Queries, without a database


def test_full_width_and_half_width_queries_give_the_same_terms():
    assert SearchTerms.parse("ＮＡＴＯ ﾐｻｲﾙ").terms == SearchTerms.parse("nato ミサイル").terms


def test_a_query_is_split_into_terms_at_spaces_and_punctuation():
    assert SearchTerms.parse("NATO　首脳会議、開幕!").terms == ("nato", "首脳会議", "開幕")


def test_a_repeated_term_is_searched_once():
    assert SearchTerms.parse("台湾 台湾").terms == ("台湾",)


def test_nul_and_control_characters_are_removed_from_a_query():
    query = SearchTerms.parse("韓\x00国\u202e\u200b\x07")

    assert query.text == "韓国"
    assert query.terms == ("韓国",)


def test_a_query_is_cut_to_its_first_hundred_characters():
    query = SearchTerms.parse("台" * 2_000)

    assert query.text == "台" * 100
    assert query.truncated


def test_a_query_of_symbols_only_has_nothing_to_search_for():
    assert not SearchTerms.parse("!?・…★ 「」")


def test_a_two_character_term_is_one_gram_and_needs_no_confirmation():
    query = SearchTerms.parse("台湾")

    assert (query.tsquery, query.terms_to_confirm) == ("'台湾'", [])


def test_a_longer_term_needs_all_its_pairs_and_then_the_whole_term():
    query = SearchTerms.parse("首脳会議")

    assert query.tsquery == "'首脳' & '脳会' & '会議'"
    assert query.terms_to_confirm == ["首脳会議"]


def test_a_document_holds_each_character_and_each_pair_within_a_run():
    document = SearchDocument.of(["韓国、NATO"])

    assert document.vector == "'a' 'at' 'n' 'na' 'o' 't' 'to' '国' '韓' '韓国'"
    assert document.text == "韓国 nato"


def test_a_very_long_article_is_indexed_up_to_the_limit():
    document = SearchDocument.of(["あ" * DOCUMENT_MAX_CHARS, "いう"])

    assert len(document.text) == DOCUMENT_MAX_CHARS


# Searching articles


def titles(query):
    found = Article.objects.published().search(SearchTerms.parse(query))
    return set(found.values_list("title", flat=True))


@pytest.fixture
def missile(db):
    return ArticleFactory(
        title="北朝鮮がミサイルを発射", summary=["日本海に落下した。"], body=["政府が発表した。"]
    )


def test_a_word_inside_a_japanese_sentence_is_found(missile):
    assert titles("ミサイル") == {missile.title}


@pytest.mark.parametrize("word", ["台湾", "韓国"])
def test_two_character_words_are_found(db, word):
    article = ArticleFactory(title=f"{word}で選挙", summary=[], body=[])
    ArticleFactory(title="欧州で選挙", summary=[], body=[])

    assert titles(word) == {article.title}


def test_a_one_character_query_finds_the_articles_holding_that_character(missile):
    ArticleFactory(title="台湾で選挙", summary=["投票率が上がった。"], body=["結果は明日。"])

    assert titles("鮮") == {missile.title}


def test_an_article_holding_only_the_pieces_of_a_word_is_not_found(db):
    ArticleFactory(title="首脳が出席した脳会議", summary=[], body=[])

    assert titles("首脳会議") == set()


def test_a_word_split_by_punctuation_in_the_article_is_not_found(db):
    ArticleFactory(title="首脳、会議に出席", summary=[], body=[])

    assert titles("首脳会議") == set()


def test_a_japanese_and_a_latin_word_must_both_be_there(db):
    both = ArticleFactory(title="NATO首脳会議が開幕", summary=[], body=[])
    ArticleFactory(title="NATOが声明", summary=[], body=[])
    ArticleFactory(title="G7首脳会議が開幕", summary=[], body=[])

    assert titles("NATO 首脳会議") == {both.title}


def test_full_width_and_half_width_text_is_found_either_way(db):
    full_width = ArticleFactory(title="ＮＡＴＯが会合", summary=[], body=[])
    half_width = ArticleFactory(title="ﾐｻｲﾙ発射", summary=[], body=[])

    assert titles("nato") == {full_width.title}
    assert titles("ミサイル") == {half_width.title}


@pytest.mark.parametrize(
    ("field", "text", "query"),
    [
        ("title", "港湾の再開発", "港湾"),
        ("original_title", "A harbour remade", "harbour"),
        ("summary", ["漁業への影響が懸念される。"], "漁業"),
        ("body", ["鉄道の延伸も検討されている。"], "鉄道"),
    ],
)
def test_headline_original_headline_summary_and_text_are_searched(db, field, text, query):
    article = ArticleFactory(**{field: text})
    ArticleFactory()

    assert titles(query) == {article.title}


def test_drafts_and_scheduled_articles_are_not_found(db):
    ArticleFactory(title="下書きの台湾記事", draft=True)
    ArticleFactory(title="予約の台湾記事", scheduled=True)

    assert titles("台湾") == set()


def test_an_edited_paragraph_is_searched_as_it_now_reads(missile):
    paragraph = missile.paragraphs.get()
    paragraph.text = "防衛省が詳細を調べている。"
    paragraph.save()

    assert titles("防衛省") == {missile.title}
    assert titles("政府") == set()


def test_an_edited_headline_is_searched_as_it_now_reads(missile):
    missile.title = "北朝鮮が衛星打ち上げ"
    missile.save()

    assert titles("衛星") == {missile.title}
    assert titles("ミサイル") == set()


def test_a_deleted_paragraph_no_longer_finds_the_article(
    missile, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        missile.paragraphs.get().delete()

    assert titles("政府") == set()


def test_a_new_paragraph_finds_the_article(missile):
    Paragraph.objects.create(article=missile, position=2, text="国連安保理が緊急会合を開く。")

    assert titles("安保理") == {missile.title}


def test_a_deleted_article_takes_its_paragraphs_with_it_without_error(
    missile, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        missile.delete()

    assert titles("ミサイル") == set()


# Newest first, in two steps (SearchResults): the newest articles first, then the index


@pytest.fixture
def small_window(monkeypatch):
    """A window of three articles instead of 500, so a few articles exercise both steps."""
    monkeypatch.setattr("articles.models.SEARCH_RECENT_WINDOW", 3)


def hours_ago(hours):
    return timezone.now() - datetime.timedelta(hours=hours)


def test_a_word_only_in_older_articles_is_found_newest_first(db, small_window):
    for hours in range(1, 6):
        ArticleFactory(title=f"新しい記事{hours}", published_at=hours_ago(hours))
    older = ArticleFactory(title="氷河が後退", published_at=hours_ago(30))
    oldest = ArticleFactory(title="氷河の調査", published_at=hours_ago(40))

    results = Article.objects.published().search_results(SearchTerms.parse("氷河"))

    assert results[0:3] == [older, oldest]


def test_a_long_word_only_in_older_articles_is_confirmed_in_their_text(
    db, small_window, monkeypatch
):
    monkeypatch.setattr("articles.models.SEARCH_CONFIRM_BATCH", 1)
    for hours in range(1, 6):
        ArticleFactory(title=f"新しい記事{hours}", published_at=hours_ago(hours))
    older = ArticleFactory(title="首脳会議が開幕", published_at=hours_ago(30))
    ArticleFactory(title="首脳が出席した脳会議", published_at=hours_ago(35))
    oldest = ArticleFactory(title="首脳会議が閉幕", published_at=hours_ago(40))

    results = Article.objects.published().search_results(SearchTerms.parse("首脳会議"))

    assert results[0:3] == [older, oldest]
    assert results[1:2] == [oldest]


def test_a_common_word_pages_the_same_within_and_beyond_the_newest_articles(db, small_window):
    for hours in range(1, 9):
        ArticleFactory(published_at=hours_ago(hours))
    newest_first = list(Article.objects.published().order_by("-published_at"))

    results = Article.objects.published().search_results(SearchTerms.parse("韓国"))

    assert results[0:3] == newest_first[0:3]
    assert results[3:6] == newest_first[3:6]
    assert results[6:9] == newest_first[6:8]


@pytest.mark.parametrize("database", ["db", "transactional_db"])
def test_the_index_step_leaves_the_database_settings_as_they_were(
    request, small_window, postgresql_required, database
):
    request.getfixturevalue(database)  # inside the test's transaction, or on its own
    for hours in range(1, 6):
        ArticleFactory(published_at=hours_ago(hours))
    ArticleFactory(title="氷河が後退", published_at=hours_ago(30))

    found = Article.objects.published().search_results(SearchTerms.parse("氷河"))[0:3]

    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_seqscan")
        assert cursor.fetchone() == ("on",)
    assert [article.title for article in found] == ["氷河が後退"]


# The embedded database of `make run`


def test_the_demo_site_on_sqlite_searches_by_substring(tmp_path, start_site, redis_server):
    url = f"sqlite:///{tmp_path / 'kjnews.sqlite3'}"
    env = site_environment(DATABASE_URL=url)
    manage("migrate", "--noinput", env=env)
    manage("seed_demo", "--if-empty", env=env)
    site = start_site(database_url=url, cache_url=redis_server.url(), workers=1)

    page = Reader(site.url).get(f"/search/?q={quote('ｶﾌｪ')}")

    assert page.status == HTTPStatus.OK
    assert "<mark>カフェ</mark>" in page.text


# Set-based refresh, as migrations and the benchmark use it


def test_documents_of_many_articles_are_rebuilt_at_once(db):
    from articles.services import search_documents_refresh

    articles = ArticleFactory.create_batch(3, summary=[], body=[])
    Article.objects.update(search_text="")

    search_documents_refresh(article_ids=[article.pk for article in articles])

    assert set(Article.objects.search(SearchTerms.parse("日本と韓国"))) == set(articles)


def test_an_article_published_later_is_found_once_its_time_comes(db, time_machine):
    article = ArticleFactory(
        title="台湾で選挙", published_at=timezone.now() + datetime.timedelta(hours=1)
    )

    time_machine.move_to(timezone.now() + datetime.timedelta(hours=2))

    assert titles("台湾") == {article.title}
