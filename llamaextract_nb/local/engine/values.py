"""Where values of a semantic type are printed inside a piece of text.

``find_spans(text, semantic)`` returns the character spans of dates, amounts, numbers,
booleans or durations in ``text``. Free-text types (organisation, person, address, text...)
have no pattern: the whole label segment is their value, cut by :func:`trim_span`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from llamaextract_nb.lang import DATE_JOINERS, MONTHS
from llamaextract_nb.local.engine.currencies import AMOUNT_CURRENCY, CODES, SYMBOLS
from llamaextract_nb.local.engine.regex_trie import trie_pattern

_SHORT_YEAR_UNSAFE = frozenset(["set", "out", "gen", "sie", "lis", "lip", "mag", "ago", "paz"])


MONTH_NAMES = trie_pattern(list(MONTHS))
"""Every month name or abbreviation of the supported languages, as a regex (a trie: one
test per next letter, not one per name; use it case-insensitively)."""
_MONTH = rf"(?:{MONTH_NAMES})\.?"
SAFE_MONTH_NAMES = trie_pattern(sorted(set(MONTHS) - _SHORT_YEAR_UNSAFE))
"""The month names that are not also common words ("set", "out", "sie"): for the looser
date forms (a two-digit year, the month first, dates in running prose)."""
_MONTH_STRICT = rf"(?:{SAFE_MONTH_NAMES})\.?"
_DAY = r"\d{1,2}(?:st|nd|rd|th|er|º|°|ª)?"
_JOINERS = trie_pattern([j for j in DATE_JOINERS if j != "day of"])
# between day and month: "2. März", "18th day of April", "3 de mayo", "15 janvier", "02/JAN"
_DAY_GAP = rf"(?:\.\s*|/|(?:\s+day)?(?:\s+(?:{_JOINERS}))?[\s,-]+)"
_MONTH_FIRSTS = "".join(sorted({m[0] for m in MONTHS} | {m[0].upper() for m in MONTHS}))
# Each pattern starts with a lookahead on its possible first characters: the regex engine
# then skips most positions of a page quickly.
DATE_RE = re.compile(
    rf"(?=[\d{_MONTH_FIRSTS}])(?:"
    r"\b\d{4}-\d{1,2}-\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2})?)?\b"
    r"|\b\d{4}/\d{1,2}/\d{1,2}\b"
    r"|\b\d{4}\.\d{1,2}\.\d{1,2}\b"
    r"|\b\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})\b(?![.,/-]\d)"
    rf"|\b{_DAY}{_DAY_GAP}{_MONTH}(?:\s+(?:{_JOINERS}))?(?:[\s,./-]+|,\s*)\d{{4}}\b"
    rf"|\b{_DAY}[\s/-]+{_MONTH_STRICT}[\s/-]+\d{{2}}\b"
    rf"|\b{_MONTH_STRICT}\s+{_DAY}(?:\s*,\s*|\s+)\d{{4}}\b)",
    re.IGNORECASE,
)
_DIGIT_START = re.compile(r"\d(?<!\w\d)")  # a digit with a word boundary before it
_MAX_MONTH = max(map(len, MONTHS))  # "september"


class DateScan:
    """The matches of a date pattern, trying it only where a date can start.

    For patterns whose every match starts either at a digit with a word boundary before
    it (``12/05/2020``, ``5th May 2020``) or at a month name of at most nine letters
    that is followed by an optional ``.``, whitespace and such a digit (``May 5, 2020``):
    :meth:`finditer` gives exactly ``pattern.finditer(text)``, but tries the pattern only
    at those digits (found by one quick scan) and at the word just before each, instead
    of at every character (an ``IGNORECASE`` pattern opening with a lookahead is tried
    at every one).
    """

    __slots__ = ("pattern",)

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern

    def finditer(self, text: str, /) -> Iterator[re.Match[str]]:
        """The pattern's matches in ``text``, left to right, not overlapping."""
        starts: list[int] = []
        for digit in _DIGIT_START.finditer(text):
            at = digit.start()
            word_end = at
            while word_end and text[word_end - 1].isspace():
                word_end -= 1
            if word_end < at:  # a word, maybe with a ".", then whitespace: a month?
                if word_end and text[word_end - 1] == ".":
                    word_end -= 1
                start = word_end
                while start and word_end - start <= _MAX_MONTH and _is_word(text[start - 1]):
                    start -= 1
                if start < word_end and word_end - start <= _MAX_MONTH:
                    starts.append(start)
            starts.append(at)
        end = 0
        match = self.pattern.match
        for start in sorted(set(starts)):
            if start >= end and (found := match(text, start)) is not None:
                yield found
                end = found.end()


def _is_word(char: str) -> bool:
    """Whether ``char`` is a word character as the ``re`` module's ``\\w`` sees it."""
    return char.isalnum() or char == "_"


DATES = DateScan(DATE_RE)
_NUM = (
    r"\d{1,3}(?:[\u00a0\u202f]\d{3})+(?:[.,]\d{1,2})?(?!\d)|\d{1,3}(?: \d{3})+,\d{2}(?!\d)"
    r"|\d{1,3}(?:[,.'’]\d{3})+(?:[.,]\d{1,4})?|\d+(?:[.,]\d{1,4})?|[.,]\d{1,2}"
)
_CUR = rf"(?:{AMOUNT_CURRENCY})"
# a number not cut out of a longer one: "22.05" is no amount inside the date "22.05.2014"
_WHOLE_NUM = rf"(?<!\d[.,])(?<!\d)(?:{_NUM})(?![.,]?\d)"
MULTIPLIERS = {"thousand": 1e3, "k": 1e3, "million": 1e6, "mn": 1e6, "m": 1e6,
               "billion": 1e9, "bn": 1e9}  # fmt: skip
_MULT = r"(?:\s?(?:thousand|million|billion|mn|bn)\b|(?:k|m)\b)"
_CURRENCY_FIRSTS = "".join(
    sorted(
        {
            c
            for code in [*CODES, "RM", "Rs", "zł", "Kč", "Fr", "SFr", "kr"]
            for c in (code[0].lower(), code[0].upper())
        }
    )
)
NUMBER_RE = re.compile(
    rf"(?=[\d(\-−.,{SYMBOLS}{_CURRENCY_FIRSTS}])(?:"
    rf"\(\s*{_CUR}?\s?{_WHOLE_NUM}\s?{_CUR}?\s*\)"
    rf"|[-−]?\s?{_CUR}?\s?[-−]?{_WHOLE_NUM}{_MULT}?(?:\s?{_CUR})?)",
    re.IGNORECASE,
)
INTEGER_RE = re.compile(
    r"(?<![\d.,])[-−]?\d{1,3}(?:[,.'’]\d{3})+(?![\d.,]\d)|(?<![\d.,])[-−]?\d+(?![\d]|[.,]\d)"
)
BOOLEAN_RE = re.compile(
    r"(?<!\w)(?:yes|no|true|false|y|n|x|checked|unchecked)(?!\w)|[✓✔☑☒✗✘]|\[\s*[xX✓]?\s*\]",
    re.IGNORECASE,
)
NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "eighteen": 18, "twenty": 20, "twenty-four": 24,
    "thirty": 30, "thirty-six": 36, "forty-eight": 48, "sixty": 60, "ninety": 90,
}  # fmt: skip
_NUMBER_WORD = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
DURATION_RE = re.compile(
    rf"(?=[\dotfsenOTFSEN])\b(?:(?:{_NUMBER_WORD})\s*(?:\(\s*\d+\s*\)\s*)?|\d+\s*(?:\(\s*(?:{_NUMBER_WORD})\s*\)\s*)?)"
    r"[\s-]*(?:calendar\s+|consecutive\s+|full\s+)?(?P<unit>years?|months?|weeks?|days?)\b",
    re.IGNORECASE,
)
_PATTERNS: dict[str, re.Pattern[str] | DateScan] = {
    "date": DATES,
    "money": NUMBER_RE,
    "number": NUMBER_RE,
    "integer": INTEGER_RE,
    "boolean": BOOLEAN_RE,
    "duration": DURATION_RE,
}
_TRIM = " \t:;,|-–—=#*\"'“”‘’"


def value_pattern(semantic: str) -> re.Pattern[str] | DateScan | None:
    """The pattern finding values of ``semantic``, or None for free-text types."""
    return _PATTERNS.get(semantic)


def has_pattern(semantic: str) -> bool:
    """Whether values of ``semantic`` are found by a pattern (else a whole segment is used)."""
    return semantic in _PATTERNS


def find_spans(text: str, semantic: str) -> list[tuple[int, int]]:
    """Character spans of values of type ``semantic`` in ``text``, in reading order."""
    pattern = _PATTERNS.get(semantic)
    if pattern is None:
        span = trim_span(text, 0, len(text))
        return [span] if span[1] > span[0] else []
    spans = []
    for match in pattern.finditer(text):
        start, end = trim_span(text, match.start(), match.end(), chars=" \t")
        if semantic == "money" and text[end : end + 2].lstrip().startswith("%"):
            continue  # a rate ("VAT 19%"), not an amount
        if end > start and any(ch.isalnum() or ch in "✓✔☑☒✗✘[]" for ch in text[start:end]):
            spans.append((start, end))
    return spans


def trim_span(text: str, start: int, end: int, chars: str = _TRIM) -> tuple[int, int]:
    """Shrink ``[start, end)`` past separator punctuation and spaces on both sides."""
    while start < end and text[start] in chars:
        start += 1
    while end > start and text[end - 1] in chars:
        end -= 1
    # keep a closing bracket/quote only when its opening partner is inside the span
    if end > start and text[end - 1] == ")" and "(" not in text[start : end - 1]:
        end -= 1
    return start, end
