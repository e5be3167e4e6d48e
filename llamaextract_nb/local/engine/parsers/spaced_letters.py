"""Letter-spaced words ("R E C I T A L S", "I N V O I C E") found so they can be joined.

Headings are often printed with a space between letters; read as text they are runs of
one-letter words that no label or heading rule matches. A run of single letters is one
word when:

- it fills a whole column segment of its line (between the line's ends or wide gaps), has
  at least four letters, all capitals (so "A B C Corp" and "Schedule A B" stay apart);
- or, where the gaps are measured (PDF), the geometry proves it: every word beside the run
  in its segment is set off by a clearly wider gap than the letters' own (letters spaced
  closer than the words around them: "A B C   Corp" read from a PDF -> "ABC Corp"; plain
  text gives no such proof);
- a run of two or more capitals that stands apart the same way ("B I L L   T O") is joined
  too once its line holds a word found by the rules above.

A run may end with a letter followed by a stop (``S:``) or a lone ``:`` or ``.``. Inside a
run, gaps clearly wider than its narrowest one separate words ("B I L L   T O" is two).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

WIDE = 1.0
"""Gap (in line heights) from which two words are in different column segments."""
SPACE = 0.25
"""The gap of one space character in line heights, for text without geometry."""
_WIDER = 1.6  # a gap this many times a run's narrowest gap separates words ...
_SLACK = 0.15  # ... and by at least this much (line heights): PDF gaps vary a little
_MIN_LETTERS = 4
_MIN_PROVEN = 3
_MIN_COMPANION = 2
_STOPS = ":.,;"


def _letter(text: str) -> bool:
    return len(text) == 1 and text.isalpha()


def _tail(text: str) -> bool:
    """A token that may end a run: ``S:`` or a lone ``:`` / ``.``."""
    if len(text) == 2:
        return text[0].isalpha() and text[1] in _STOPS
    return text in (":", ".")


def spaced_words(texts: Sequence[str], gaps: Sequence[float]) -> list[tuple[int, int]]:
    """Index ranges ``[start, end)`` of tokens that each spell one letter-spaced word.

    ``texts`` are a line's words in reading order and ``gaps[i]`` the space between words
    ``i`` and ``i + 1`` in line heights (:data:`WIDE` or more: another column segment).
    """
    count = len(texts)
    found: list[tuple[int, int, bool, bool]] = []  # start, end, joinable, primary
    index = 0
    while index < count:
        if not _letter(texts[index]):
            index += 1
            continue
        end = index + 1
        while end < count and gaps[end - 1] < WIDE and _letter(texts[end]):
            end += 1
        if end < count and gaps[end - 1] < WIDE and _tail(texts[end]):
            end += 1
        if end - index >= 2:
            found += _groups(texts, gaps, index, end)
        index = end
    if not any(primary for *_, primary in found):
        return []
    return [(start, end) for start, end, joinable, _ in found if joinable]


def _groups(
    texts: Sequence[str], gaps: Sequence[float], start: int, end: int
) -> list[tuple[int, int, bool, bool]]:
    """The words of one run of single letters, each as (start, end, joinable, primary):
    a primary word is one by itself, a joinable one only beside a primary word."""
    inner = gaps[start : end - 1]
    narrowest = min(inner)
    wider = max(_WIDER * narrowest, narrowest + _SLACK)
    cuts = [start] + [start + 1 + i for i, gap in enumerate(inner) if gap > wider] + [end]
    groups = []
    for first, stop in itertools.pairwise(cuts):
        letters = sum(1 for text in texts[first:stop] if text[0].isalpha())
        left = gaps[first - 1] if first > 0 else WIDE
        right = gaps[stop - 1] if stop < len(texts) else WIDE
        whole = left >= WIDE and right >= WIDE
        apart = left > wider and right > wider
        capitals = all(text[0].isupper() for text in texts[first:stop] if text[0].isalpha())
        primary = (whole and capitals and letters >= _MIN_LETTERS) or (
            apart and not whole and letters >= _MIN_PROVEN
        )
        joinable = apart and capitals and letters >= _MIN_COMPANION
        groups.append((first, stop, joinable or primary, primary))
    return groups
