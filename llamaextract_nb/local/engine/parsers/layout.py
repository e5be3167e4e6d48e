"""Words with boxes -> visual lines in reading order (rows, column gutters).

A line is one visual row of words, sorted left to right. Words further apart than
:data:`WIDE_GAP` line heights are joined with two spaces instead of one, so that text
consumers can tell a label from a right-aligned value. Multi-column prose is read column
by column: a vertical gutter that stays free over several rows, with several words of
running text on each side, splits those rows into left and right lines.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from operator import attrgetter, itemgetter

from llamaextract_nb.local.engine.document import Box, Line, Word
from llamaextract_nb.local.engine.parsers.spaced_letters import spaced_words

WIDE_GAP = 1.0  # in line heights
TOUCHING = 0.08  # words closer than this (in line heights) are one word split by PDFium
_MIN_BAND_ROWS = 4
_MIN_TEXT_WORDS = 3.0  # mean words per row on each side of a prose gutter
_MAX_DEPTH = 3
_OPEN_ROWS = 3  # rows a word may still join (a heading's row stays open beside small lines)
_SIMILAR_SIZE = 0.6  # words at least this fraction of a row's height are of similar size
_INSIDE = 0.7  # share of a similar-size word's height inside a row's band to join it

Item = tuple[float, float, float, float, Word]
"""A word in reading-frame coordinates: (x0, y0, x1, y1, word)."""
Frame = Callable[[float, float, float, float], tuple[float, float, float, float]]

_new = object.__new__
_set_x, _set_y, _set_w, _set_h = (vars(Box)[name].__set__ for name in ("x", "y", "w", "h"))


def new_box(x: float, y: float, w: float, h: float) -> Box:
    """``Box(x, y, w, h)`` made three times faster than by the frozen dataclass's
    ``__init__`` (a page has hundreds of words, each with its box)."""
    box = _new(Box)
    _set_x(box, x)
    _set_y(box, y)
    _set_w(box, w)
    _set_h(box, h)
    return box


class _Row:
    """Words on one visual line; its band is that of the word that started it."""

    __slots__ = ("bottom", "center", "height", "items", "top")

    def __init__(self, items: list[Item]) -> None:
        self.items = items
        self.top = items[0][1]
        self.bottom = items[0][3]
        self.center = (self.top + self.bottom) / 2
        self.height = max(self.bottom - self.top, 1e-3)

    def takes(self, item: Item) -> bool:
        """Whether a word sits on this line: centred on it within half the smaller height,
        or, for words of similar size (a superscript), mostly inside its band. A small
        line beside a large heading is not taken by the heading's band."""
        y0, y1 = item[1], item[3]
        height = y1 - y0
        smaller = min(height, self.height)
        if abs((y0 + y1) / 2 - self.center) <= smaller / 2:
            return True
        if smaller < _SIMILAR_SIZE * max(height, self.height):
            return False
        return min(y1, self.bottom) - max(y0, self.top) >= _INSIDE * height


def build_lines(
    items: list[Item], frame: Frame | None = None, *, recognized: bool = False
) -> list[Line]:
    """Group words into lines in reading order.

    ``items`` hold each word with its box as (x0, y0, x1, y1); ``frame`` optionally maps
    those to coordinates where text runs left to right (for pages of vertical text).
    ``recognized`` words come from OCR: their items are already in straightened
    coordinates (line boxes come from the words' page boxes) and the recogniser split
    them at spaces, so touching ones are not joined.
    """
    if not items:
        return []
    if frame is not None:
        items = [(*frame(x0, y0, x1, y1), word) for x0, y0, x1, y1, word in items]
    items = sorted(items, key=_TOP_LEFT)
    rows = [_Row([items[0]])]
    last = rows[0]
    last_items, last_center, last_height = last.items, last.center, last.height
    for item in items[1:]:
        # the common case first: centred on the last line
        y0, y1 = item[1], item[3]
        height = y1 - y0
        smaller = height if height < last_height else last_height
        if abs((y0 + y1) / 2 - last_center) <= smaller / 2:
            last_items.append(item)
            continue
        for row in reversed(rows[-_OPEN_ROWS:]):
            if row.takes(item):
                row.items.append(item)
                break
        else:
            last = _Row([item])
            rows.append(last)
            last_items, last_center, last_height = last.items, last.center, last.height
    rows.sort(key=_CENTER)  # a heading's row follows the small line above its middle
    for row in rows:
        row.items.sort(key=_LEFT)
        row.items = _join_spaced_letters(row.items if recognized else _join_touching(row.items))
    if frame is None and not recognized:
        return [_line(part) for part in _reading_order(rows, 0)]
    return [_framed_line(part) for part in _reading_order(rows, 0)]


_TOP_LEFT = itemgetter(1, 0)
_CENTER = attrgetter("center")
_LEFT = itemgetter(0)


def _join_touching(items: list[Item]) -> list[Item]:
    """Merge neighbours with no visible gap (under :data:`TOUCHING` of the smaller word's
    height): PDFium sometimes "spaces" the letters of a word drawn glyph by glyph
    (``P A C K E T E E R``), which is not what is printed."""
    last = items[0]
    joined = [last]
    for item in items[1:]:
        height, other = last[3] - last[1], item[3] - item[1]
        if item[0] - last[2] >= TOUCHING * (height if height < other else other):
            joined.append(item)
            last = item
            continue
        first_box, second_box = last[4].box, item[4].box
        assert first_box is not None and second_box is not None
        word = Word(
            last[4].text + item[4].text,
            first_box.union(second_box),
            min(last[4].confidence, item[4].confidence),
        )
        last = (
            min(last[0], item[0]),
            min(last[1], item[1]),
            max(last[2], item[2]),
            max(last[3], item[3]),
            word,
        )
        joined[-1] = last
    return joined


def _join_spaced_letters(items: list[Item]) -> list[Item]:
    """Merge the letters of letter-spaced words ("R E C I T A L S") into one word each,
    where :mod:`.spaced_letters` finds them by their gaps in line heights."""
    previous = False  # a cheap test first: do two one-letter words follow each other?
    for item in items:
        text = item[4].text
        if len(text) == 1 and text.isalpha():
            if previous:
                break
            previous = True
        else:
            previous = False
    else:
        return items
    texts = [item[4].text for item in items]
    gaps = []
    for left, right in itertools.pairwise(items):
        height = min(left[3] - left[1], right[3] - right[1])
        gaps.append((right[0] - left[2]) / max(height, 1e-3))
    words = spaced_words(texts, gaps)
    if not words:
        return items
    joined: list[Item] = []
    cursor = 0
    for start, end in words:
        joined += items[cursor:start]
        joined.append(_merged(items[start:end]))
        cursor = end
    return joined + items[cursor:]


def _merged(items: list[Item]) -> Item:
    """One word from several neighbouring items, its box the union of theirs."""
    box: Box | None = None
    for item in items:
        if item[4].box is not None:
            box = item[4].box if box is None else box.union(item[4].box)
    return (
        min(item[0] for item in items),
        min(item[1] for item in items),
        max(item[2] for item in items),
        max(item[3] for item in items),
        Word("".join(item[4].text for item in items), box, min(i[4].confidence for i in items)),
    )


def _line(items: list[Item]) -> Line:
    """A line from its items in reading order (item coordinates are page coordinates)."""
    left, top, right, bottom, first = items[0]
    tallest = bottom - top
    for item in items:
        if item[3] - item[1] > tallest:
            tallest = item[3] - item[1]
    gap = WIDE_GAP * tallest
    parts = [first.text]
    words = [first]
    previous_end = right
    for x0, y0, x1, y1, word in items[1:]:
        parts.append("  " if x0 - previous_end > gap else " ")
        parts.append(word.text)
        words.append(word)
        previous_end = x1
        if x0 < left:
            left = x0
        if y0 < top:
            top = y0
        if x1 > right:
            right = x1
        if y1 > bottom:
            bottom = y1
    return Line(
        text="".join(parts), words=words, box=new_box(left, top, right - left, bottom - top)
    )


def _framed_line(items: list[Item]) -> Line:
    """A line laid out in a turned frame: its box comes from the words' page boxes."""
    line = _line(items)
    boxes = [word.box for word in line.words if word.box is not None]
    left = min(box.x for box in boxes)
    top = min(box.y for box in boxes)
    right = max(box.x1 for box in boxes)
    bottom = max(box.y1 for box in boxes)
    line.box = Box(left, top, right - left, bottom - top)
    return line


def _reading_order(rows: list[_Row], depth: int) -> list[list[Item]]:
    """Rows as item lists, with prose column bands read column by column."""
    band = _find_gutter_band(rows) if depth < _MAX_DEPTH else None
    if band is None:
        return [row.items for row in rows]
    start, end, split = band
    left_rows: list[_Row] = []
    right_rows: list[_Row] = []
    for row in rows[start:end]:
        left = [item for item in row.items if item[2] <= split]
        right = [item for item in row.items if item[2] > split]
        for side, target in ((left, left_rows), (right, right_rows)):
            if side:
                target.append(_Row(side))
    return [
        *(row.items for row in rows[:start]),
        *_reading_order(left_rows, depth + 1),
        *_reading_order(right_rows, depth + 1),
        *_reading_order(rows[end:], depth),  # a sibling region: same depth
    ]


def _find_gutter_band(rows: list[_Row]) -> tuple[int, int, float] | None:
    """The first run of rows sharing a free vertical strip with prose on both sides."""
    for index, row in enumerate(rows):
        gap = _single_wide_gap(row)
        if gap is None:  # a band starts on a row of two columns of text, not a table row
            continue
        end, strip = _extend(rows, index, gap)
        if end - index >= _MIN_BAND_ROWS and _is_prose_split(rows[index:end], strip):
            return index, end, (strip[0] + strip[1]) / 2
    return None


def _single_wide_gap(row: _Row) -> tuple[float, float] | None:
    """The row's one wide gap between words, or None when it has none or several."""
    limit = WIDE_GAP * row.height
    found = None
    previous_end = row.items[0][2]
    for item in row.items:
        if item[0] - previous_end > limit:
            if found is not None:
                return None
            found = (previous_end, item[0])
        previous_end = item[2]
    return found


def _extend(
    rows: list[_Row], start: int, gap: tuple[float, float]
) -> tuple[int, tuple[float, float]]:
    """How far down a free strip continues, and what is left of it there."""
    low, high = gap
    end = start + 1
    while end < len(rows):
        new_low, new_high = _free_part(rows[end], low, high)
        if new_high - new_low < rows[end].height * WIDE_GAP * 0.8:
            break
        low, high = new_low, new_high
        end += 1
    return end, (low, high)


def _free_part(row: _Row, low: float, high: float) -> tuple[float, float]:
    """The widest part of [low, high] that no word of ``row`` covers."""
    best = (low, low)
    cursor = low
    for x0, _, x1, _, _ in row.items:
        if x1 <= cursor:
            continue
        if x0 >= high:
            break
        if x0 - cursor > best[1] - best[0]:
            best = (cursor, x0)
        cursor = max(cursor, x1)
    if high - cursor > best[1] - best[0]:
        best = (cursor, high)
    return best


def _is_prose_split(rows: list[_Row], strip: tuple[float, float]) -> bool:
    """Running text on both sides (several words, no inner wide gaps): not a table or form."""
    middle = (strip[0] + strip[1]) / 2
    both = 0
    counts = [0, 0]
    inner_gaps = [0, 0]
    for row in rows:
        sides = (
            [item for item in row.items if item[2] <= middle],
            [item for item in row.items if item[0] >= middle],
        )
        both += bool(sides[0] and sides[1])
        for index, side in enumerate(sides):
            counts[index] += len(side)
            inner_gaps[index] += sum(
                1 for a, b in itertools.pairwise(side) if b[0] - a[2] > WIDE_GAP * row.height
            )
    if both < _MIN_BAND_ROWS:
        return False
    return all(
        counts[index] >= _MIN_TEXT_WORDS * len(rows) and inner_gaps[index] <= len(rows) * 0.25
        for index in (0, 1)
    )
