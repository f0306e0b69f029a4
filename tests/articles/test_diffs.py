import pytest

from articles.diffs import changed_span, char_diff_html


def test_a_japanese_change_is_marked_character_by_character_and_escaped():
    html = char_diff_html("北朝鮮の首都は平壌です。<b>", "韓国の首都はソウルです。<b>")

    assert html == (
        "<del>北朝鮮</del><ins>韓国</ins>の首都は<del>平壌</del><ins>ソウル</ins>です。&lt;b&gt;"
    )


def test_frequent_characters_in_a_long_paragraph_do_not_turn_the_diff_into_a_rewrite():
    before = "の、".join(f"{n}番目の文" for n in range(300))
    after = before.replace("150番目", "百五十番目")

    html = char_diff_html(before, after)

    assert html.count("<del>") == 1
    assert "<del>150</del><ins>百五十</ins>" in html


@pytest.mark.parametrize(
    ("before", "after", "quoted"),
    [
        # The phrase between punctuation marks around the change.
        (
            "北朝鮮の首都は平壌です。",
            "韓国の首都はソウルです。",
            ("北朝鮮の首都は平壌です", "韓国の首都はソウルです"),
        ),
        (
            "会談は二時間、両国は協力を確認した。",
            "会談は二時間、両国は協力で一致した。",
            ("両国は協力を確認した", "両国は協力で一致した"),
        ),
        # English captions: the words around the change.
        (
            "The minister met him on Monday.",
            "The prime minister met him on Monday.",
            ("minister", "prime minister"),
        ),
        # A phrase too long to quote whole: the change and its neighbours.
        (
            "長い" * 30 + "です。",
            "長い" * 14 + "短い" + "長い" * 15 + "です。",
            ("い長い長い長い長い長", "い長い長い短い長い長"),
        ),
    ],
)
def test_a_note_quotes_the_phrase_that_changed(before, after, quoted):
    assert changed_span(before, after) == quoted
