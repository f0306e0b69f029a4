"""Matched words marked in search results (articles/highlighting.py): no database needed."""

from articles.highlighting import marked_html, snippet_html, snippet_source
from articles.search import SearchTerms


def terms(query):
    return SearchTerms.parse(query).terms


def test_every_match_of_every_term_is_marked():
    html = marked_html("台湾の半導体、台湾海峡", terms("台湾 半導体"))

    assert html == "<mark>台湾</mark>の<mark>半導体</mark>、<mark>台湾</mark>海峡"


def test_the_text_is_escaped_around_and_inside_the_marks():
    html = marked_html('<b>"AT&T"</b> と <script>', terms("at&t script"))

    assert html == (
        "&lt;b&gt;&quot;<mark>AT</mark>&amp;<mark>T</mark>&quot;&lt;/b&gt; と "
        "&lt;<mark>script</mark>&gt;"
    )


def test_a_query_cannot_smuggle_markup_into_the_page():
    html = marked_html("記事", terms("<mark>記事</mark>"))

    assert html == "<mark>記事</mark>"


def test_full_width_and_half_width_text_is_marked_as_written():
    assert marked_html("ＮＡＴＯとﾐｻｲﾙ", terms("nato ミサイル")) == (
        "<mark>ＮＡＴＯ</mark>と<mark>ﾐｻｲﾙ</mark>"
    )


def test_a_half_width_voiced_kana_is_marked_whole():
    assert marked_html("ｶﾞｽ", terms("ガ")) == "<mark>ｶﾞ</mark>ｽ"


def test_overlapping_matches_make_one_mark():
    assert marked_html("首脳会議", terms("首脳 脳会議")) == "<mark>首脳会議</mark>"


def test_text_without_a_match_is_only_escaped():
    assert marked_html("A & B", terms("台湾")) == "A &amp; B"


def test_a_snippet_starts_a_little_before_the_first_match():
    text = "前置き。" * 40 + "ここで台湾の話になる。" + "後書き。" * 40

    html = snippet_html(text, terms("台湾"), length=40)

    assert html.startswith("…")
    assert html.endswith("…")
    assert "ここで<mark>台湾</mark>の話" in html
    assert len(html.replace("<mark>", "").replace("</mark>", "")) == 42


def test_a_snippet_without_a_match_is_the_start_of_the_text():
    html = snippet_html("あ" * 200, terms("台湾"), length=50)

    assert html == "あ" * 50 + "…"


def test_a_short_text_is_its_own_snippet():
    assert snippet_html("台湾で選挙", terms("選挙"), length=50) == "台湾で<mark>選挙</mark>"


def test_the_snippet_comes_from_the_text_with_the_most_terms():
    texts = ["経済の話。", "台湾の話。", "台湾と半導体の話。", "台湾と半導体の別の話。"]

    assert snippet_source(texts, terms("台湾 半導体")) == "台湾と半導体の話。"


def test_without_a_matching_text_the_snippet_is_the_first_one():
    assert snippet_source(["要点。", "本文。"], terms("台湾")) == "要点。"
