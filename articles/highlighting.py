"""Search terms marked in what a result shows: the text escaped, `<mark>` around each match.

Matches are found the way the search found the article (articles/search.py): in the normalised
text, so a search for 「nato」 marks 「ＮＡＴＯ」 and 「ミサイル」 marks 「ﾐｻｲﾙ」. Each stretch of
the normalised text is mapped back to the characters of the original it came from, and those
are marked. The result is the only safe string made from article text in search results.
"""

import unicodedata
from html import escape

from django.utils.safestring import SafeString, mark_safe

from articles.search import text_normalized

# Combine with the character before them: combining marks, and the half-width (semi-)voiced
# sound marks, which NFKC folds into the kana before them (ｶﾞ → ガ).
_JOINING = {"\uff9e", "\uff9f"}


def _clusters(text: str) -> list[tuple[int, int]]:
    """(start, end) of each character of `text` together with the marks that modify it."""
    clusters: list[tuple[int, int]] = []
    for index, character in enumerate(text):
        joins = character in _JOINING or unicodedata.category(character).startswith("M")
        if joins and clusters:
            clusters[-1] = (clusters[-1][0], index + 1)
        else:
            clusters.append((index, index + 1))
    return clusters


def _folded(text: str):
    """The normalised text, and for each of its characters the (start, end) in `text` of the
    characters it came from."""
    folded = text.casefold()
    if (
        len(folded) == len(text)
        and unicodedata.is_normalized("NFKC", text)
        and unicodedata.is_normalized("NFKC", folded)
    ):
        # The common case, most Japanese text: every character folds to one character.
        return folded, [(index, index + 1) for index in range(len(text))]
    pieces, origin = [], []
    for start, end in _clusters(text):
        piece = text_normalized(text[start:end])
        pieces.append(piece)
        origin.extend([(start, end)] * len(piece))
    return "".join(pieces), origin


def match_spans(text: str, terms) -> list[tuple[int, int]]:
    """Where the terms occur in `text`, as (start, end) of the original characters, in order and
    merged where they overlap or touch."""
    if not text or not terms:
        return []
    folded, origin = _folded(text)
    spans = []
    for term in terms:
        found = folded.find(term)
        while found != -1:
            spans.append((origin[found][0], origin[found + len(term) - 1][1]))
            found = folded.find(term, found + 1)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _marked(text: str, spans, start: int, end: int) -> str:
    parts, position = [], start
    for span_start, span_end in spans:
        span_start, span_end = max(span_start, start), min(span_end, end)
        if span_start >= span_end:
            continue
        parts.append(escape(text[position:span_start]))
        parts.append(f"<mark>{escape(text[span_start:span_end])}</mark>")
        position = span_end
    parts.append(escape(text[position:end]))
    return "".join(parts)


def marked_html(text: str, terms) -> SafeString:
    """The whole text, escaped, with every match of the terms in `<mark>`."""
    text = str(text)
    return mark_safe(_marked(text, match_spans(text, terms), 0, len(text)))


def snippet_html(text: str, terms, *, length: int = 120) -> SafeString:
    """About `length` characters of the text around its first match (from the start when
    nothing matches), escaped, with the matches in `<mark>` and … where the text goes on."""
    text = str(text)
    spans = match_spans(text, terms)
    if len(text) <= length:
        return mark_safe(_marked(text, spans, 0, len(text)))
    # The first match a quarter of the way in, so the reader sees what leads up to it.
    start = max(spans[0][0] - length // 4, 0) if spans else 0
    end = min(start + length, len(text))
    start = max(end - length, 0)
    html = _marked(text, spans, start, end)
    return mark_safe(("…" if start > 0 else "") + html + ("…" if end < len(text) else ""))


def snippet_source(texts, terms) -> str:
    """Of an article's texts (summary points, paragraphs…), the one to show as its snippet: the
    first that holds the most terms, else the first."""
    best, best_count = None, 0
    for text in texts:
        folded = text_normalized(text)
        count = sum(term in folded for term in terms)
        if count > best_count:
            best, best_count = text, count
            if count == len(terms):
                break
    if best is not None:
        return best
    return next(iter(texts), "")
