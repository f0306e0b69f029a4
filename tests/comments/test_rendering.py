"""comment_html is a pure function: these tests need no database."""

import pytest

from comments.rendering import comment_html


def render(text):
    return comment_html(text, lambda number: f"/articles/a/?cpage=1#c-{number}")


def test_url_followed_by_japanese_ends_at_the_first_japanese_character():
    html = render("詳しくはhttps://example.com/a?b=1を参照。")

    assert html == (
        '詳しくは<a href="https://example.com/a?b=1" rel="nofollow ugc noopener noreferrer"'
        ' target="_blank">https://example.com/a?b=1</a>を参照。'
    )


@pytest.mark.parametrize(
    ("text", "href"),
    [
        ("ソースhttps://example.com/news/1です", "https://example.com/news/1"),
        ("（https://example.com/x）", "https://example.com/x"),
        ("「https://example.com/q?a=1&b=2」", "https://example.com/q?a=1&amp;b=2"),
        ("see https://example.com/a.", "https://example.com/a"),
        ("http://example.com/path、次", "http://example.com/path"),
    ],
)
def test_links_keep_their_scheme_and_stop_at_japanese_punctuation(text, href):
    assert f'<a href="{href}" rel="nofollow ugc noopener noreferrer"' in render(text)


def test_links_carry_nofollow_ugc_noopener_noreferrer():
    assert 'rel="nofollow ugc noopener noreferrer"' in render("https://example.com/")


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        "<a href='javascript:alert(1)'>x</a>",
        "<svg/onload=alert(1)>",
    ],
)
def test_markup_comes_back_escaped(text):
    html = render(text)

    assert "<script" not in html
    assert "<img" not in html
    assert "<svg" not in html
    assert "&lt;" in html


def test_javascript_urls_are_never_linked():
    assert "<a" not in render("javascript:alert(document.cookie)")


def test_a_quote_ends_a_url_so_it_cannot_break_out_of_the_attribute():
    html = render('https://example.com/"onmouseover=alert(1)')

    assert 'href="https://example.com/"' in html
    assert "&quot;onmouseover=alert(1)" in html


def test_reply_anchor_links_to_the_comment_in_the_same_article():
    assert render(">>12 そうですね") == (
        '<a class="reply-anchor" href="/articles/a/?cpage=1#c-12">&gt;&gt;12</a> そうですね'
    )


def test_full_width_reply_anchor_is_understood():
    assert 'href="/articles/a/?cpage=1#c-3">&gt;&gt;3</a>' in render("＞＞３ 同意")


def test_line_breaks_are_kept():
    assert render("一行目\n二行目") == "一行目<br>二行目"


def test_emoji_and_long_lines_pass_through():
    text = "🎌" * 5 + "あ" * 3000

    assert render(text) == text
