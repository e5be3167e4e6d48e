"""Geometry helpers shared by generators: segments of a line, boxes of a span, lines below.

A line is split into *segments* at column gaps: a wide horizontal gap between word boxes
on PDFs, a run of three or more spaces, a tab or a ``|`` in text. Segments carry an x
range: page points for PDFs, character columns for text, so "below" works for both.
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from llamaextract_nb.local.engine.document import Box, Line, Page
from llamaextract_nb.local.engine.document_caches import ExtractionCache

_TEXT_GAP = re.compile(r"\s{2,}|\t+|\s*\|\s*")  # parsers mark column gaps with two spaces
# per-page and per-line caches of each extraction, bounded within a document
_PAGE_INDEX: ExtractionCache[OrderedDict[int, tuple[Page, str, list[int]]]]
_PAGE_INDEX = ExtractionCache(OrderedDict)
_PAGE_INDEX_SIZE = 256
_MATCHING: ExtractionCache[OrderedDict[tuple[int, Finder], tuple[Page, list[int]]]]
_MATCHING = ExtractionCache(OrderedDict)
_LINE_IDS: ExtractionCache[OrderedDict[int, tuple[Page, frozenset[int]]]]
_LINE_IDS = ExtractionCache(OrderedDict)
_SEGMENTS: ExtractionCache[OrderedDict[int, tuple[Line, bool, list[Segment]]]]
_SEGMENTS = ExtractionCache(OrderedDict)
_SEGMENTS_SIZE = 4096
_MAX_ANCHOR_WORDS = 80
_BELOW_WINDOW = 40


class Finder(Protocol):
    """What :func:`lines_matching` searches with: a compiled pattern or the like."""

    def finditer(self, string: str, /) -> Iterator[re.Match[str]]: ...


@dataclass(frozen=True, slots=True)
class Segment:
    """A column piece of a line: ``text == line.text[start:end]`` spanning ``x0..x1``."""

    start: int
    end: int
    x0: float
    x1: float


def word_offsets(line: Line) -> list[tuple[int, int]]:
    """Character span of each word of ``line`` inside ``line.text``."""
    spans: list[tuple[int, int]] = []
    pos = 0
    text = line.text
    for word in line.words:
        start = text.find(word.text, pos) if word.text else -1
        if start < 0:
            start = pos
        end = start + len(word.text)
        spans.append((start, end))
        pos = end
    return spans


def segments(line: Line, geometry: bool) -> list[Segment]:
    """The column segments of ``line`` (one segment when it has no column gap), cached."""
    cache = _SEGMENTS.get()
    cached = cache.get(id(line))
    if cached is not None and cached[0] is line and cached[1] == geometry:
        return cached[2]
    result = _segments(line, geometry)
    cache[id(line)] = (line, geometry, result)
    if len(cache) > _SEGMENTS_SIZE:
        cache.popitem(last=False)
    return result


def _segments(line: Line, geometry: bool) -> list[Segment]:
    text = line.text
    if geometry and line.words and all(w.box is not None for w in line.words):
        return _geometric_segments(line)
    result: list[Segment] = []
    pos = 0
    for gap in _TEXT_GAP.finditer(text):
        if gap.start() > pos:
            result.append(Segment(pos, gap.start(), float(pos), float(gap.start())))
        pos = gap.end()
    if pos < len(text):
        result.append(Segment(pos, len(text), float(pos), float(len(text))))
    return result


def _geometric_segments(line: Line) -> list[Segment]:
    offsets = word_offsets(line)
    boxes = [w.box for w in line.words]
    heights = sorted(b.h for b in boxes if b is not None)
    height = heights[len(heights) // 2] if heights else 10.0
    result: list[Segment] = []
    first = 0
    for i in range(1, len(boxes) + 1):
        prev = boxes[i - 1]
        cur = boxes[i] if i < len(boxes) else None
        assert prev is not None
        if cur is None or cur.x - prev.x1 > 1.6 * height:
            start_box = boxes[first]
            assert start_box is not None
            result.append(Segment(offsets[first][0], offsets[i - 1][1], start_box.x, prev.x1))
            first = i
    return result


def span_boxes(line: Line, start: int, end: int) -> list[Box]:
    """Boxes of the words of ``line`` that overlap ``line.text[start:end]`` (one per run)."""
    boxes: list[Box] = []
    for (w_start, w_end), word in zip(word_offsets(line), line.words, strict=True):
        if word.box is None or w_end <= start or w_start >= end:
            continue
        if boxes and abs(boxes[-1].y - word.box.y) < word.box.h / 2:
            boxes[-1] = boxes[-1].union(word.box)
        else:
            boxes.append(word.box)
    if not boxes and line.box is not None and not line.words:
        boxes.append(line.box)
    return boxes


def segment_at(line: Line, geometry: bool, offset: int) -> Segment | None:
    """The segment containing character ``offset``."""
    for seg in segments(line, geometry):
        if seg.start <= offset < seg.end:
            return seg
    return None


def lines_below(page: Page, index: int, geometry: bool, limit: int = 2) -> list[Line]:
    """Up to ``limit`` lines after line ``index`` on its page, nearest first.

    On PDFs only lines starting below the line within a few line heights count; blank
    lines are skipped. Only the next few dozen lines in reading order are looked at.
    """
    line = page.lines[index]
    found: list[Line] = []
    for other in page.lines[index + 1 : index + 1 + _BELOW_WINDOW]:
        if not other.text.strip():
            continue
        if geometry and line.box is not None and other.box is not None:
            if other.box.y < line.box.y + line.box.h * 0.5:
                continue
            if other.box.y - line.box.y1 > 3.0 * max(line.box.h, 1.0) * (len(found) + 1):
                break
        found.append(other)
        if len(found) >= limit:
            break
    return found


def overlapping_segment(line: Line, geometry: bool, x0: float, x1: float) -> Segment | None:
    """The segment of ``line`` whose x range overlaps ``x0..x1`` most (None if none does)."""
    best: Segment | None = None
    best_overlap = 0.0
    for seg in segments(line, geometry):
        overlap = min(seg.x1, x1) - max(seg.x0, x0)
        if overlap > best_overlap:
            best, best_overlap = seg, overlap
    return best


def fit_to_column(line: Line, text: str, geometry: bool) -> tuple[int, int] | None:
    """Where ``text`` is printed in ``line`` (spacing may differ), cut at the first column
    gap after its start: a free-text value never runs into the next column."""
    words = text.split()
    if not words:
        return None
    match = re.search(r"\s*".join(re.escape(word) for word in words), line.text)
    if match is None:
        return None
    seg = segment_at(line, geometry, match.start())
    end = min(match.end(), seg.end) if seg is not None else match.end()
    return match.start(), end


def anchor_lines(page: Page, text: str) -> list[Line] | None:
    """The consecutive lines of ``page`` over which ``text`` is printed (spacing and line
    breaks aside): where a value a generator joined from several lines comes from. None
    when ``text`` is printed within one line, or nowhere."""
    words = text.split()
    if not words or len(words) > _MAX_ANCHOR_WORDS:
        return None
    page_text, starts = _page_index(page)
    match = re.search(r"\s+".join(re.escape(word) for word in words), page_text)
    if match is None:
        return None
    first = bisect_right(starts, match.start()) - 1
    last = bisect_right(starts, match.end() - 1) - 1
    return page.lines[first : last + 1] if last > first else None


def is_page_line(page: Page, line: Line) -> bool:
    """Whether ``line`` is one of the page's own lines (not a cell or a joined block)."""
    cache = _LINE_IDS.get()
    cached = cache.get(id(page))
    if cached is None or cached[0] is not page:
        cached = (page, frozenset(id(each) for each in page.lines))
        cache[id(page)] = cached
        if len(cache) > _PAGE_INDEX_SIZE:
            cache.popitem(last=False)
    return id(line) in cached[1]


def join_lines(parts: list[str]) -> str:
    """A value printed over several lines, as one string: a line break reads as ", "
    unless the line already ends with a comma or the print is all capitals (receipt
    printers wrap mid-phrase: "NO.59 JALAN PERMAS 9/5" / "BANDAR BARU PERMAS JAYA")."""
    text = parts[0] if parts else ""
    for previous, part in itertools.pairwise(parts):
        if previous.endswith(",") or (previous.isupper() and part.isupper()):
            text += " " + part
        else:
            text += ", " + part
    return text


def joined_line(lines: list[Line]) -> Line:
    """Several lines cited as one (a value printed over lines, such as an address):
    their texts joined by newlines, as they appear in the page text."""
    if len(lines) == 1:
        return lines[0]
    box = None
    for line in lines:
        if line.box is not None:
            box = line.box if box is None else box.union(line.box)
    words = [word for line in lines for word in line.words]
    return Line(text="\n".join(line.text for line in lines), words=words, box=box)


def _page_index(page: Page) -> tuple[str, list[int]]:
    """The page's text (lines joined by newlines) and each line's start offset, cached."""
    cache = _PAGE_INDEX.get()
    cached = cache.get(id(page))
    if cached is not None and cached[0] is page:
        return cached[1], cached[2]
    starts = []
    pos = 0
    for line in page.lines:
        starts.append(pos)
        pos += len(line.text) + 1
    text = "\n".join(line.text for line in page.lines)
    cache[id(page)] = (page, text, starts)
    if len(cache) > _PAGE_INDEX_SIZE:
        cache.popitem(last=False)
    return text, starts


def lines_matching(page: Page, pattern: Finder) -> list[int]:
    """Indexes of the lines of ``page`` that ``pattern`` may match (a fast prefilter:
    one search over the page text instead of one per line)."""
    key = (id(page), pattern)
    cache = _MATCHING.get()
    cached = cache.get(key)
    if cached is not None and cached[0] is page:
        return cached[1]
    text, starts = _page_index(page)
    found: list[int] = []
    for match in pattern.finditer(text):
        first = bisect_right(starts, match.start()) - 1
        last = bisect_right(starts, max(match.end() - 1, match.start())) - 1
        for index in range(max(first, 0), last + 1):
            if not found or found[-1] < index:
                found.append(index)
    cache[key] = (page, found)
    if len(cache) > _PAGE_INDEX_SIZE * 8:
        cache.popitem(last=False)
    return found
