"""Match moderator-managed blocked terms the way Japanese readers dodge them.

A reader who wants to post 「死ね」 past a filter writes 「シネ」, 「ｼﾈ」, 「し　ね」,
「死.ね」, 「シ★ネ」, hides a zero-width space between the characters, or swaps the kanji
for another with the same reading (「氏ね」). A plain substring test catches none of these,
so a term and a comment are both reduced by `term_forms` to two forms, and `first_match`
compares like with like:

- **surface**: the characters once presentation is ignored. NFKC folds full-width and
  half-width forms (ＡＢＣ → ABC, ｼﾈ → シネ, ① → 1, ㌔ → キロ), `str.casefold` folds Latin
  case, and katakana become hiragana (ヴ → ゔ, ァ → ぁ, ヽ → ゝ; small kana stay small and
  voicing is kept). Then everything that is not a letter or a digit (`str.isalnum`) is
  removed: spaces including U+3000, punctuation (。、.・〜), symbols (★♪), emoji, zero-width
  and other format characters, and combining marks that NFKC could not fold into a letter,
  which are only ever there to break a word up. Characters with something inserted between
  them therefore join up again: 「死.ね」 → 「死ね」, 「S P A M」 → 「spam」.
- **reading**: the surface read in hiragana by pykakasi (「死ね」 → 「しね」, 「馬鹿」 →
  「ばか」) and folded again, so that 「バカ」, 「ばか」 and 「馬鹿」 meet. Text without
  kanji reads as itself, and so does a kanji pykakasi does not know (「髙」), kept as written
  rather than dropped.

The long-vowel mark ー is a letter to Unicode and is kept, because it tells words apart:
without it 「バーカウンター」 would become 「ばかうんた」 and trip the term 「ばか」. A run
of them counts as one, so 「ばーーか」 still meets the term 「ばーか」. The price is that ー
used as padding (「しーね」) is not joined up; moderators add that spelling as a term.

Known limitations, all from matching substrings of folded text rather than words:

- A short kana term also turns up inside ordinary words and grammar. 「しね」 is found in
  「シネマ」, 「暇だしね」 and 「少し眠い」 by surface, and in 「私ね」 (わたしね) and
  「指値」 (さしね) by reading; 「ばか」 is in 「バカンス」. Removing punctuation adds more
  (「ですし、ねえ」 → 「ですしねえ」). Prefer longer or kanji terms, or let a match hold a
  comment for review rather than reject it.
- A Latin term matches inside longer words: 「shine」 is in 「sunshine」.
- A reading is pykakasi's one guess per word, so a kanji read otherwise in context is missed,
  and lookalikes (「4ね」, ツ for シ, 力 for カ, Cyrillic for Latin) are not folded.
- Voiced and unvoiced kana (ば/は) and small and large kana (っ/つ) stay distinct, so
  「ぱか」 does not meet 「ばか」.

pykakasi loads its dictionaries on first use (a fraction of a second), so one converter is
made lazily per process and shared. Converting keeps no state between calls beyond
thread-safe caches, which is enough for gunicorn sync workers and threads alike.
"""

import functools
import itertools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

_KATAKANA_TO_HIRAGANA = str.maketrans(
    {chr(code): chr(code - 0x60) for code in (*range(0x30A1, 0x30F7), 0x30FD, 0x30FE)}
)
_LONG_VOWEL_RUN = re.compile("ー{2,}")


@dataclass(frozen=True, slots=True)
class TermForms:
    """The two forms in which a blocked term and a comment are compared."""

    surface: str
    reading: str


class HasTermForms(Protocol):
    """Anything `first_match` can test: a stored term with its forms precomputed, or `TermForms`."""

    @property
    def surface(self) -> str: ...

    @property
    def reading(self) -> str: ...


@functools.cache
def _kakasi():
    """One converter per process: building it loads dictionaries that every call can share.
    Imported here, when first needed, for the same reason."""
    import pykakasi

    return pykakasi.kakasi()


def _fold(text: str) -> str:
    """Fold width, case and script, then keep only letters and digits, so padding disappears.

    NFKC runs again after case folding because `casefold` can decompose a letter (ǰ → j + ˇ), and
    the mark would otherwise be stripped instead of recomposed.
    """
    text = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    kept = "".join(char for char in text.translate(_KATAKANA_TO_HIRAGANA) if char.isalnum())
    return _LONG_VOWEL_RUN.sub("ー", kept)


def _is_ideograph(char: str) -> bool:
    """CJK unified ideographs of the basic plane, the only kanji pykakasi's dictionary reads."""
    return "\u3400" <= char <= "\u4dbf" or "\u4e00" <= char <= "\u9fff"


@functools.lru_cache(maxsize=8192)
def _kanji_reading(char: str) -> str:
    """A kanji read on its own, or the kanji itself when pykakasi has no reading for it."""
    parts = _kakasi().convert(char)
    return "".join(part["hira"] for part in parts if part["orig"] == char) or char


def _is_readable(char: str) -> bool:
    """Whether pykakasi may see `char` in context: kana, ー, 々, 〆 and the kanji it knows.

    pykakasi mangles its input around a kanji it does not know (「髙橋」 comes back as 「髙」,
    the next character lost), and silently drops ideographs outside the basic plane (「𠮷」) and
    compatibility ideographs (「﨑」). Such characters are kept as written instead of read.
    """
    if _is_ideograph(char):
        return _kanji_reading(char) != char
    return "\u3041" <= char <= "\u309f" or char in "ー々〆"


def _read_run(run: str) -> str:
    """Hiragana for a run of readable characters, read as words so that 馬鹿 is ばか, not うましか.

    Should pykakasi still lose or repeat a character, the run is read one kanji at a time, which
    gives worse readings but never makes characters vanish and their neighbours meet.
    """
    if not any(_is_ideograph(char) for char in run):
        return run
    parts = _kakasi().convert(run)
    if "".join(part["orig"] for part in parts) != run:
        return "".join(_kanji_reading(char) if _is_ideograph(char) else char for char in run)
    return "".join(part["hira"] or part["orig"] for part in parts)


def _reading(surface: str) -> str:
    """The surface in hiragana; anything pykakasi cannot read (Latin, Hangul, 髙) stays as written.

    Keeping what is not read makes text without kanji read as itself.
    """
    reading = "".join(
        _read_run("".join(chars)) if readable else "".join(chars)
        for readable, chars in itertools.groupby(surface, key=_is_readable)
    )
    return _fold(reading)


def term_forms(text: str) -> TermForms:
    """The forms of a blocked term (to store with it) or of a comment's text (to test)."""
    surface = _fold(text)
    return TermForms(surface=surface, reading=_reading(surface))


def first_match[T: HasTermForms](text: str, terms: Iterable[T]) -> T | None:
    """The first term found in `text`, by surface or by reading, or None.

    Each term carries its own precomputed forms so that the dictionary lookup runs once per term
    when a moderator saves it, and at most once per comment here: only when a term is not found
    by its surface, so a site without blocked terms never loads pykakasi's dictionaries (about
    95 MB in every worker). A term with an empty form (one made only of symbols, say) would
    otherwise be found in every comment, so empty forms never match.
    """
    surface = _fold(text)
    reading = None
    for term in terms:
        if term.surface and term.surface in surface:
            return term
        if term.reading:
            reading = _reading(surface) if reading is None else reading
            if term.reading in reading:
                return term
    return None
