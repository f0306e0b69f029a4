"""Turn what a reader typed into safe HTML: escaped text, links, `>>N` anchors and line breaks."""

import re
import unicodedata
from collections.abc import Callable

from bleach.linkifier import Linker
from django.utils.html import escape

# Only ASCII can be part of a URL here, so a link ends at the first Japanese or full-width
# character (「詳しくはhttps://example.com/aを参照。」), and a scheme is required, so text just
# before a URL never costs it its `https://`. bleach sees the escaped text with its entities kept,
# so `&amp;` is the one entity a URL may hold (a quote or `<` ends it). bleach still trims a
# trailing `.` `,` and unbalanced `)`.
URL_RE = re.compile(r"https?://(?:[a-z0-9\-._~:/?#\[\]@!$()*+,;=%]|&amp;)+", re.IGNORECASE)

# >>12 or ＞＞１２ (full-width, as Japanese keyboards often type it), already HTML-escaped.
REPLY_ANCHOR_RE = re.compile(r"(?:&gt;|＞){2}([0-9０-９]{1,7})")

LINK_REL = "nofollow ugc noopener noreferrer"


def _external_link_attrs(attrs, new=False):
    attrs[(None, "rel")] = LINK_REL
    attrs[(None, "target")] = "_blank"
    return attrs


_linker = Linker(url_re=URL_RE, callbacks=[_external_link_attrs], parse_email=False)


def comment_html(text: str, comment_url: Callable[[int], str]) -> str:
    """HTML for a comment body; `comment_url(n)` is the address of comment n of the article."""
    html = _linker.linkify(escape(text))

    def reply_anchor(match: re.Match) -> str:
        number = int(unicodedata.normalize("NFKC", match.group(1)))
        return f'<a class="reply-anchor" href="{comment_url(number)}">&gt;&gt;{number}</a>'

    html = REPLY_ANCHOR_RE.sub(reply_anchor, html)
    return html.replace("\r\n", "\n").replace("\n", "<br>")
