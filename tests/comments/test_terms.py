"""Blocked-term matching is pure text folding: these tests need no database."""

from dataclasses import dataclass

import pytest

from comments.terms import first_match, term_forms


@dataclass(frozen=True)
class BlockedTerm:
    """Stands in for the stored term, which keeps its forms alongside what the moderator typed."""

    text: str
    surface: str
    reading: str


def blocked(text):
    forms = term_forms(text)
    return BlockedTerm(text=text, surface=forms.surface, reading=forms.reading)


@pytest.mark.parametrize(
    "comment",
    [
        "死.ね",
        "シ ネ",
        "ｼﾈ",
        "し　ね",
        "氏ね",
        "死ね",
        "シ★ネ",
        "し\u200bね",
        "し\u0336ね",
        "し😀ね",
        "お前なんか氏ねよ",
    ],
)
def test_the_term_shine_in_kana_catches_its_disguised_spellings(comment):
    term = blocked("しね")

    assert first_match(comment, [term]) == term


@pytest.mark.parametrize("comment", ["シネ", "しね", "ｼ・ﾈ"])
def test_a_term_stored_in_kanji_catches_the_same_word_written_in_kana(comment):
    term = blocked("死ね")

    assert first_match(comment, [term]) == term


@pytest.mark.parametrize("comment", ["バカ", "ばか", "ﾊﾞｶ", "馬 鹿", "この馬鹿が"])
def test_the_term_baka_in_kanji_catches_kana_and_spaced_spellings(comment):
    term = blocked("馬鹿")

    assert first_match(comment, [term]) == term


def test_a_term_stored_in_katakana_catches_the_word_written_in_kanji():
    term = blocked("バカ")

    assert first_match("馬鹿", [term]) == term


def test_full_width_capitals_match_a_latin_term():
    term = blocked("shine")

    assert first_match("ＳＨＩＮＥ", [term]) == term


@pytest.mark.parametrize("comment", ["S P A M", "ｓｐａｍ", "s.p.a.m", "Spam!!"])
def test_a_latin_term_catches_spaced_full_width_and_capitalised_spellings(comment):
    term = blocked("spam")

    assert first_match(comment, [term]) == term


@pytest.mark.parametrize(
    "comment",
    [
        "今日は良い天気ですね",
        "新しいネットワーク",
        "明日も晴れるといいですね",
        "美しいね",
        "交通事故で死亡",
        "死ぬかと思った",
    ],
)
def test_ordinary_sentences_do_not_match_the_term_shine(comment):
    assert first_match(comment, [blocked("しね")]) is None


@pytest.mark.parametrize("comment", ["シネマ", "暇だしね", "少し眠い", "私ね", "指値"])
def test_a_short_kana_term_is_also_found_inside_ordinary_words_a_known_limitation(comment):
    term = blocked("しね")

    assert first_match(comment, [term]) == term


def test_the_long_vowel_mark_keeps_bar_counter_apart_from_baka():
    assert first_match("バーカウンター", [blocked("ばか")]) is None


def test_a_run_of_long_vowel_marks_counts_as_one():
    term = blocked("ばーか")

    assert first_match("ばーーーか", [term]) == term


def test_the_first_matching_term_is_returned_in_the_order_given():
    spam, baka, shine = blocked("spam"), blocked("馬鹿"), blocked("しね")

    assert first_match("バカ、しね", [spam, baka, shine]) == baka


def test_a_comment_without_any_term_matches_nothing():
    terms = [blocked("しね"), blocked("馬鹿")]

    assert first_match("記事の要約がわかりやすかったです", terms) is None


def test_a_term_made_only_of_symbols_never_matches():
    assert first_match("★★★ 良い記事 ★★★", [blocked("★")]) is None


def test_no_terms_means_no_match():
    assert first_match("しね", []) is None


@pytest.mark.parametrize(
    ("text", "surface"),
    [
        ("死.ね", "死ね"),
        ("ＡＢＣ", "abc"),
        ("①②", "12"),
        ("ヴァイオリン", "ゔぁいおりん"),
        ("バー・カウンター", "ばーかうんたー"),
        ("し\ufeffね\u200d", "しね"),
        ("Straße", "strasse"),
    ],
)
def test_the_surface_folds_width_case_and_script_and_drops_everything_but_letters(text, surface):
    assert term_forms(text).surface == surface


@pytest.mark.parametrize(
    "text", ["しね", "ばーか", "ゔぁいおりん", "spam", "abc123", "ぁぃぅっゃ", "한국어", "привет"]
)
def test_text_without_kanji_reads_as_its_surface(text):
    forms = term_forms(text)

    assert forms.reading == forms.surface


@pytest.mark.parametrize(
    ("text", "reading"), [("死ね", "しね"), ("馬鹿", "ばか"), ("氏ね", "しね")]
)
def test_kanji_are_read_in_hiragana(text, reading):
    assert term_forms(text).reading == reading


def test_a_kanji_pykakasi_cannot_read_is_kept_and_its_neighbour_still_read():
    assert term_forms("髙橋").reading == "髙はし"


def test_a_two_thousand_character_comment_is_searched_to_its_end():
    comment = ("首相は新しい経済政策について説明した。市場の反応は概ね好意的だった。" * 60)[:1998]
    term = blocked("しね")

    assert first_match(comment + "氏ね", [blocked("spam"), term]) == term


@pytest.mark.django_db
def test_a_site_without_blocked_terms_never_loads_the_reading_dictionary(article, poster):
    from comments.services import comment_create
    from comments.terms import _kakasi

    _kakasi.cache_clear()

    comment_create(
        article=article, poster=poster, name="", body="漢字を含むコメント", deletion_key="k"
    )

    assert _kakasi.cache_info().currsize == 0
