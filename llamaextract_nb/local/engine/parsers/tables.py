"""Tables from text laid out in columns: PDF word geometry (with ruling lines) or plain text.

Input is a page's lines cut into *segments*: runs of words separated by column-sized gaps
(or by a vertical ruling line). A table is a run of consecutive lines of two or more
segments whose segments fall into the same columns. The first line is the header; on a
page that continues a table without repeating its header it is the first data row (the
engine recognises such continuations by their width).
A line with text only in the leading columns right below a row (no ruling line between)
continues that row's cells; a summary line (``Total ...`` or text starting right of the
first column with cells missing) ends the table; so do blank space and label/value blocks
(``Invoice Date: ...``), which are not tables.
"""

from __future__ import annotations

import re
import statistics
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from llamaextract_nb.local.engine.document import Box, Cell, Line, Table, Word

CELL_GAP = 0.5  # gap between words, in line heights, that separates PDF cells
PDF_BLANK_GAP = 1.6  # vertical space, in line heights, that ends an unruled PDF table
TEXT_BLANK_GAP = 0.5  # in plain text any blank line does
_RULED_GAP = 3.0  # ... and this much ends a ruled one (cells may be padded)
_CONTINUATION_GAP = 0.6  # at most this much space above a line that continues a row
_LIST_MARKER = re.compile(r"^(\(?[ivxlcdm]+[.)]|\(?[a-z0-9]{1,3}[.)]|[•·▪◦‣\-–—*]|§\s?\d+)$", re.I)
_SUMMARY = re.compile(
    r"^(sub\s*-?\s*total|total|grand total|tax|vat|gst|sales tax|discount|shipping|balance|"
    r"amount due|total due|balance due|paid|rounding)\b",
    re.I,
)


@dataclass(slots=True)
class Segment:
    """Words of one line that belong to one cell."""

    words: list[Word]
    text: str
    x0: float
    x1: float
    box: Box | None = None


@dataclass(slots=True)
class Row:
    """One line as segments, with its vertical extent and height (a text line is 1 high)."""

    segments: list[Segment]
    y0: float
    y1: float

    @property
    def height(self) -> float:
        return max(self.y1 - self.y0, 1e-3)


class Rules:
    """Ruling lines on a PDF page, in top-left points: vertical ones as (x, y0, y1),
    horizontal ones as (y, x0, x1); sorted, so lookups stay cheap on drawings with
    thousands of strokes."""

    __slots__ = ("_horizontal", "_vertical", "_xs", "_ys")

    def __init__(
        self,
        vertical: list[tuple[float, float, float]],
        horizontal: list[tuple[float, float, float]],
    ) -> None:
        self._vertical = sorted(vertical)
        self._horizontal = sorted(horizontal)
        self._xs = [rule[0] for rule in self._vertical]
        self._ys = [rule[0] for rule in self._horizontal]

    def splits(self, left: float, right: float, y: float) -> bool:
        """A vertical rule between x=left and x=right at height y."""
        start, end = bisect_left(self._xs, left), bisect_right(self._xs, right)
        return any(y0 <= y <= y1 for _, y0, y1 in self._vertical[start:end])

    def between(self, top: float, bottom: float, x0: float, x1: float) -> bool:
        """A horizontal rule at a y in [top, bottom] (line centres) that spans into [x0, x1]."""
        start, end = bisect_left(self._ys, top), bisect_right(self._ys, bottom)
        return any(a < x1 and b > x0 for _, a, b in self._horizontal[start:end])


def pdf_rows(lines: list[Line], rules: Rules | None = None) -> list[Row]:
    """Lines with word boxes -> rows of segments (gaps and vertical rules split cells).

    A cell gap is at least :data:`CELL_GAP` line heights and at least twice the page's
    usual space between words (wide in monospaced fonts).
    """
    space = _usual_word_gap(lines)
    rows: list[Row] = []
    for line in lines:
        if line.box is None or not line.words:
            continue
        center = line.box.y + line.box.h / 2
        limit = max(CELL_GAP * line.box.h, 2 * space)
        groups: list[list[Word]] = [[line.words[0]]]
        for previous, word in zip(line.words, line.words[1:], strict=False):
            assert previous.box is not None and word.box is not None
            gap_start, gap_end = previous.box.x1, word.box.x
            if gap_end - gap_start > limit or (
                rules is not None and rules.splits(gap_start - 1, gap_end + 1, center)
            ):
                groups.append([word])
            else:
                groups[-1].append(word)
        segments = [_pdf_segment(group) for group in groups]
        rows.append(Row(segments, line.box.y, line.box.y1))
    return rows


def _usual_word_gap(lines: list[Line]) -> float:
    """The median gap between neighbouring words closer than 0.8 line heights (spaces)."""
    gaps = [
        right.box.x - left.box.x1
        for line in lines
        if line.box is not None
        for left, right in zip(line.words, line.words[1:], strict=False)
        if left.box is not None
        and right.box is not None
        and 0 < right.box.x - left.box.x1 < 0.8 * line.box.h
    ]
    return statistics.median(gaps) if gaps else 0.0


def _pdf_segment(words: list[Word]) -> Segment:
    boxes = [word.box for word in words if word.box is not None]
    left = min(box.x for box in boxes)
    top = min(box.y for box in boxes)
    right = max(box.x + box.w for box in boxes)
    bottom = max(box.y + box.h for box in boxes)
    box = Box(left, top, right - left, bottom - top)
    return Segment(words, " ".join(word.text for word in words), left, right, box)


_TEXT_CELL = re.compile(r"\S+(?: \S+)*")
_TEXT_RULE = re.compile(r"^\s*[-=_+|*~.]{3,}[-=_+|*~. ]*$")


def text_rows(raw_lines: list[str]) -> list[Row]:
    """Plain-text lines -> rows whose segments are split at tabs or two or more spaces.

    x positions are character columns and each line is one unit high, so a blank line
    is a gap of one height; lines drawn with ``-``/``=`` characters are skipped.
    """
    rows: list[Row] = []
    y = 0.0
    for raw in raw_lines:
        if _TEXT_RULE.match(raw):
            continue  # a ruling line drawn with characters separates nothing
        y += 1.0
        expanded = raw.expandtabs(8)
        segments = [
            Segment(
                [Word(word) for word in match.group().split()],
                match.group(),
                float(match.start()),
                float(match.end()),
            )
            for match in _TEXT_CELL.finditer(expanded)
        ]
        if segments:
            rows.append(Row(segments, y, y + 1.0))
    return rows


def find_tables(
    rows: list[Row], page: int, rules: Rules | None = None, *, blank_gap: float = PDF_BLANK_GAP
) -> list[Table]:
    """Every table in ``rows`` (consecutive lines of one page, top to bottom).

    ``blank_gap`` is the vertical space, in line heights, that ends an unruled table
    (:data:`TEXT_BLANK_GAP` for plain text, where any blank line does).
    """
    tables: list[Table] = []
    index = 0
    while index < len(rows):
        if len(rows[index].segments) >= 2:
            found = _grow(rows, index, rules, blank_gap)
            if found is not None:
                table, end = found
                table.page = page
                tables.append(table)
                index = end
                continue
        index += 1
    return tables


class _Columns:
    """Column extents learnt from the rows of a table so far."""

    def __init__(self, header: list[Segment]) -> None:
        self.spans = [[segment.x0, segment.x1] for segment in header]

    def assign(self, segments: list[Segment], slack: float) -> list[int] | None:
        """A column index per segment, or None when a segment spans several columns."""
        result: list[int] = []
        for segment in segments:
            hits = [
                index
                for index, (x0, x1) in enumerate(self.spans)
                if segment.x0 < x1 + slack and segment.x1 > x0 - slack
            ]
            if len(hits) > 1:
                hits = [
                    index
                    for index in hits
                    if _overlap(segment, self.spans[index]) > 0.5 * (segment.x1 - segment.x0)
                    or self.spans[index][0] <= (segment.x0 + segment.x1) / 2 <= self.spans[index][1]
                ]
            if not hits:
                hits = self._zone(segment)
            if len(hits) != 1:
                return None
            result.append(hits[0])
        if result != sorted(result):
            return None
        return result

    def _zone(self, segment: Segment) -> list[int]:
        """The column whose free zone (between its neighbours) holds a segment, nearest first."""
        spans = self.spans
        for index in range(len(spans) - 1):
            if spans[index][1] <= segment.x0 and segment.x1 <= spans[index + 1][0]:
                left = segment.x0 - spans[index][1]
                right = spans[index + 1][0] - segment.x1
                return [index if left <= right else index + 1]
        if segment.x0 >= spans[-1][1]:
            return [len(spans) - 1]
        if segment.x1 <= spans[0][0]:
            return [0]
        return []

    def learn(self, segments: list[Segment], columns: list[int]) -> None:
        for segment, index in zip(segments, columns, strict=True):
            span = self.spans[index]
            span[0], span[1] = min(span[0], segment.x0), max(span[1], segment.x1)


def _overlap(segment: Segment, span: list[float]) -> float:
    return min(segment.x1, span[1]) - max(segment.x0, span[0])


def _grow(
    rows: list[Row], start: int, rules: Rules | None, blank_gap: float
) -> tuple[Table, int] | None:
    header = rows[start]
    columns = _Columns(header.segments)
    slack = 0.0 if rules is None and header.height <= 1.0 else header.height * 0.25
    body: list[list[list[Segment]]] = []
    previous = header
    end = start + 1
    while end < len(rows):
        row = rows[end]
        ruled_apart = rules is not None and rules.between(
            (previous.y0 + previous.y1) / 2,
            (row.y0 + row.y1) / 2,
            row.segments[0].x0,
            row.segments[-1].x1,
        )
        gap = row.y0 - previous.y1
        if gap > blank_gap * row.height and not (ruled_apart and gap < _RULED_GAP * row.height):
            break
        assigned = columns.assign(row.segments, slack)
        if assigned is None:
            break
        if body and _continues(row, assigned, gap, ruled_apart, len(columns.spans)):
            for segment, index in zip(row.segments, assigned, strict=True):
                body[-1][index].append(segment)
            previous = row
            end += 1
            continue
        if len(set(assigned)) < 2 or _is_summary(row, assigned, len(columns.spans)):
            break
        cells: list[list[Segment]] = [[] for _ in columns.spans]
        for segment, index in zip(row.segments, assigned, strict=True):
            cells[index].append(segment)
        body.append(cells)
        columns.learn(row.segments, assigned)
        previous = row
        end += 1
    if not body or _is_label_value_block(header, body) or _is_list(header, body):
        return None
    if _fill_ratio(body) < 0.5:  # justified prose or scattered words, not a grid
        return None
    header_cells: list[list[Segment]] = [[segment] for segment in header.segments]
    if len(columns.spans) == 2 and len(body) < 2:
        return None
    table = Table(
        header=[_cell(segments) for segments in header_cells],
        rows=[[_cell(segments) for segments in row] for row in body],
    )
    return table, end


def _continues(row: Row, assigned: list[int], gap: float, ruled_apart: bool, width: int) -> bool:
    """Whether a line continues the cells of the row above (a wrapped description)."""
    if ruled_apart or gap > _CONTINUATION_GAP * row.height:
        return False
    return width - 1 not in assigned and len(assigned) < width


def _is_summary(row: Row, assigned: list[int], width: int) -> bool:
    if _SUMMARY.match(row.segments[0].text):
        return True
    return assigned[0] > 0 and len(set(assigned)) < width


def _is_label_value_block(header: Row, body: list[list[list[Segment]]]) -> bool:
    """Most lines hold a ``Label:`` cell: a form's label/value pairs, not a table."""
    rows = [header.segments, *([segment for cell in row for segment in cell] for row in body)]
    labelled = sum(any(segment.text.endswith(":") for segment in row) for row in rows)
    return labelled * 2 > len(rows)


def _is_list(header: Row, body: list[list[list[Segment]]]) -> bool:
    """Bullets or enumerations ("(i) ...", "1. ...") in a first column of their own."""
    if len(header.segments) != 2:
        return False
    markers = [header.segments[0].text] + [
        " ".join(segment.text for segment in row[0]) for row in body
    ]
    return all(_LIST_MARKER.match(marker) for marker in markers)


def _fill_ratio(body: list[list[list[Segment]]]) -> float:
    cells = [bool(cell) for row in body for cell in row]
    return sum(cells) / len(cells)


def _cell(segments: list[Segment]) -> Cell:
    text = " ".join(segment.text for segment in segments)
    boxes = [segment.box for segment in segments if segment.box is not None]
    if not boxes:
        return Cell(text)
    box = boxes[0]
    for other in boxes[1:]:
        box = box.union(other)
    return Cell(text, box)
