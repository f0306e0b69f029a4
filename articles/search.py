"""Search for Japanese text: every substring of the articles, found through character n-grams.

Japanese has no spaces, so words cannot be split out without a dictionary, and PostgreSQL's
`simple` configuration would treat 「北朝鮮がミサイルを発射」 as one word. Instead both the articles
and the reader's query are cut the same way:

- **Normalised**: NFKC then case folding, so ＮＡＴＯ, ｎａｔｏ and NATO, ｶﾞ and ガ, ① and 1
  are the same.
- **Runs**: maximal stretches of letters and digits (of any script); everything else (spaces,
  punctuation, symbols) separates them. 「NATO首脳会議、開幕」 has the runs `nato首脳会議` and
  `開幕`.
- **Grams**: an article's search document is the set of every character and every pair of
  neighbouring characters inside a run (`首`, `首脳`, `脳`, `脳会`, …), stored as a `tsvector`
  without positions, with a GIN index over it.

A query term (one run) of one or two characters is then exactly one gram, so the index answers
it exactly. A longer term needs all of its pairs (`首脳 & 脳会 & 会議`), which the index finds, and
then the article's normalised text (`search_text`) is checked for the whole term, which makes it
exact: a query matches an article when every term is a substring of a run of its text. Several
terms (「NATO 首脳会議」) must all match. Without PostgreSQL (SQLite, for `make run`) the same
normalised text is searched by plain substring matching, with the same results, only slower.
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

# What is kept of a reader's query, after control characters are removed.
QUERY_MAX_CHARS = 100
# Text beyond this many normalised characters of one article is not indexed: it keeps the
# document far below PostgreSQL's 1 MB limit for a tsvector, whatever the text.
DOCUMENT_MAX_CHARS = 60_000

_RUN_RE = re.compile(r"[^\W_]+")
_SPACES_RE = re.compile(r"\s+")


def text_normalized(text: str) -> str:
    """NFKC and case folding (NFKC again after folding, as Unicode's NFKC_Casefold does)."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def text_runs(text: str) -> list[str]:
    """The runs of letters and digits in the normalised text."""
    return _RUN_RE.findall(text_normalized(text))


def query_cleaned(raw: str) -> tuple[str, bool]:
    """What a reader typed, fit to show and search: control and format characters (NUL, bidi
    controls, zero-width spaces) removed, white space collapsed, at most QUERY_MAX_CHARS
    characters. Returns the text and whether it was cut."""
    kept = []
    for character in raw:
        category = unicodedata.category(character)
        if category in ("Zl", "Zp") or character in "\t\n\r\v\f":
            kept.append(" ")
        elif category[0] != "C":  # Cc control, Cf format, Cs surrogate, Co private, Cn unassigned
            kept.append(character)
    text = _SPACES_RE.sub(" ", "".join(kept)).strip()
    if len(text) <= QUERY_MAX_CHARS:
        return text, False
    return text[:QUERY_MAX_CHARS].rstrip(), True


@dataclass(frozen=True)
class SearchTerms:
    """A reader's query: the text as shown back, and the normalised terms that must all match."""

    text: str
    terms: tuple[str, ...]
    truncated: bool = False

    @classmethod
    def parse(cls, raw: str) -> "SearchTerms":
        text, truncated = query_cleaned(raw)
        terms = tuple(dict.fromkeys(text_runs(text)))  # distinct, in the reader's order
        return cls(text=text, terms=terms, truncated=truncated)

    def __bool__(self) -> bool:
        return bool(self.terms)

    @property
    def grams(self) -> list[str]:
        """The grams every matching article's document holds: a one-character term itself, the
        pairs of a longer one."""
        grams: dict[str, None] = {}
        for term in self.terms:
            if len(term) == 1:
                grams[term] = None
            else:
                grams.update((term[i : i + 2], None) for i in range(len(term) - 1))
        return list(grams)

    @property
    def tsquery(self) -> str:
        """The grams as a PostgreSQL tsquery literal: all of them (`'首脳' & '脳会' & '会議'`)."""
        return _quoted(self.grams, " & ")

    @property
    def terms_to_confirm(self) -> list[str]:
        """Terms the grams alone do not prove: an article holding 首脳, 脳会 and 会議 need not
        hold 首脳会議."""
        return [term for term in self.terms if len(term) > 2]


def _quoted(grams: Iterable[str], separator: str) -> str:
    """Grams as quoted lexemes. They come from runs of letters and digits, which never hold the
    quote or the backslash that would need escaping."""
    return separator.join(f"'{gram}'" for gram in grams)


@dataclass(frozen=True)
class SearchDocument:
    """What an article is searched by: its normalised runs, and their grams as a tsvector."""

    text: str
    vector: str

    @classmethod
    def of(cls, texts: Iterable[str]) -> "SearchDocument":
        runs, length = [], 0
        for text in texts:
            for run in text_runs(text):
                run = run[: DOCUMENT_MAX_CHARS - length]
                if run:
                    runs.append(run)
                    length += len(run)
        grams = set()
        for run in runs:
            grams.update(run)
            grams.update([run[i : i + 2] for i in range(len(run) - 1)])
        # Runs are separated by a space, which no term contains: a term matches inside one run.
        return cls(text=" ".join(runs), vector=_quoted(sorted(grams), " "))
