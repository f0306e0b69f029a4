"""Differences between two versions of a passage, character by character.

Japanese has no spaces between words, so a word-level diff would mark whole sentences as changed;
characters are the unit readers see change (北朝鮮 → 韓国 is five characters, not a sentence).
"""

import difflib
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join

# A quote of a change runs to the punctuation (or, in English, the spaces) around it:
# 「北朝鮮の首都は平壌です」を「韓国の首都はソウルです」, not 「鮮の首都」. A clause longer than
# this is quoted in part.
QUOTE_AT_MOST = 40
# A part quoted from a long clause is widened to at least this many characters, so that
# 「を」を「が」に訂正 still names the place in the passage.
QUOTE_AT_LEAST = 10
_PHRASE_ENDS = frozenset("。、，．,.！？!?；;：:・…「」『』（）()［］[]【】〈〉《》\n\t 　")


@dataclass(frozen=True)
class DiffPart:
    # "equal", "delete" or "insert"
    operation: str
    text: str


def char_diff(before: str, after: str) -> list[DiffPart]:
    """The two texts as a sequence of kept, deleted and inserted runs of characters."""
    # autojunk off: in a long paragraph frequent characters (の, 、) would otherwise be skipped
    # as junk and the diff would mark most of the text as replaced.
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    parts = []
    for operation, i1, i2, j1, j2 in matcher.get_opcodes():
        if operation == "equal":
            parts.append(DiffPart("equal", before[i1:i2]))
            continue
        if i2 > i1:
            parts.append(DiffPart("delete", before[i1:i2]))
        if j2 > j1:
            parts.append(DiffPart("insert", after[j1:j2]))
    return parts


def char_diff_html(before: str, after: str) -> str:
    """The diff as escaped HTML: deletions in `<del>`, insertions in `<ins>`."""
    tags = {"equal": "{}", "delete": "<del>{}</del>", "insert": "<ins>{}</ins>"}
    return format_html_join(
        "",
        "{}",
        ((format_html(tags[part.operation], part.text),) for part in char_diff(before, after)),
    )


def changed_span(before: str, after: str) -> tuple[str, str]:
    """The part of each text that changed, as a note quotes it: the phrase around the change
    (between punctuation marks), or for a long phrase the change with enough of its neighbours
    to be found in the passage."""
    start = 0
    while start < min(len(before), len(after)) and before[start] == after[start]:
        start += 1
    # Characters common to both ends, counted from the end; never overlapping the common start.
    end = 0
    while (
        end < min(len(before), len(after)) - start
        and before[len(before) - 1 - end] == after[len(after) - 1 - end]
    ):
        end += 1

    phrase_start, phrase_end = start, end
    while phrase_start > 0 and before[phrase_start - 1] not in _PHRASE_ENDS:
        phrase_start -= 1
    while phrase_end > 0 and before[len(before) - phrase_end] not in _PHRASE_ENDS:
        phrase_end -= 1
    longest = max(len(before), len(after)) - phrase_end - phrase_start
    if len(before) - phrase_end - phrase_start > 0 and longest <= QUOTE_AT_MOST:
        start, end = phrase_start, phrase_end
    else:
        while (len(before) - end) - start < QUOTE_AT_LEAST and (start > 0 or end > 0):
            if start > 0:
                start -= 1
            if (len(before) - end) - start < QUOTE_AT_LEAST and end > 0:
                end -= 1
    return before[start : len(before) - end], after[start : len(after) - end]
