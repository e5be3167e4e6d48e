"""Key-value pairs by geometry: a label standing alone with its value to the right or below.

- right: on PDFs, a line at the same height starting right of the label (parsers may split
  columns into separate lines);
- below: the segment of the next line(s) under the label's column;
- tables: a row whose first cell is the label (value in the next cell), or a header cell
  naming the field above a single body row.
"""

from __future__ import annotations

import re

from llamaextract_nb.local.engine.document import Cell, Document, Line, Page, Word
from llamaextract_nb.local.engine.generators.header_zone import continues_name
from llamaextract_nb.local.engine.generators.label import (
    cut_value,
    label_position,
    short_text_value,
)
from llamaextract_nb.local.engine.hints import effort
from llamaextract_nb.local.engine.labels import LabelMatch, find_labels, label_pattern
from llamaextract_nb.local.engine.layout import (
    Segment,
    join_lines,
    joined_line,
    lines_below,
    lines_matching,
    overlapping_segment,
    segments,
    span_boxes,
)
from llamaextract_nb.local.engine.types import Candidate, FieldSpec, Hints
from llamaextract_nb.local.engine.values import has_pattern

_RIGHT_WINDOW = 60  # lines before/after a label searched for a value to its right
_MAX_BLOCK_LINES = 4
_BLOCK_GAP = 1.2  # a vertical gap of more than this many line heights ends a block
_ADDRESS_LIKE = re.compile(r"\d")
_LABEL_START = re.compile(r"^[^:\d]{1,30}:")


def generate(doc: Document, spec: FieldSpec, hints: Hints) -> list[Candidate]:
    """Candidates right of or below a label that has no value after it on its line."""
    pattern = label_pattern(spec)
    if pattern is None:
        return []
    found: list[Candidate] = []
    depth = 1 + effort(hints)  # lines below to look at
    for page in doc.pages:
        for index in lines_matching(page, pattern):
            line = page.lines[index]
            for match in find_labels(line.text, spec):
                found.extend(_around(doc, page, index, line, match, spec, depth))
        for table in page.tables:
            found.extend(_from_table(doc, page.number, table.header, table.rows, spec))
    return found


def _around(
    doc: Document,
    page: Page,
    index: int,
    line: Line,
    match: LabelMatch,
    spec: FieldSpec,
    depth: int,
) -> list[Candidate]:
    position = label_position(line, doc.has_geometry, match)
    if position is None:
        return []
    seg, _ = position
    if line.text[match.value_start : seg.end].strip():
        return []  # the value is on the label's line: the label generator's case
    found: list[Candidate] = []
    if doc.has_geometry:
        right = _line_to_the_right(page, index)
        if right is not None:
            found += _candidates(
                doc,
                page.number,
                right,
                0,
                len(right.text),
                spec,
                match.weight * 0.85,
                colon=match.has_colon,
            )
    if spec.semantic_type == "address":
        block = _address_block(doc, page, index, seg, match.weight * 0.85)
        if block is not None:
            return [*found, block]
    belows = list(lines_below(page, index, doc.has_geometry, depth + 1))
    for distance, below in enumerate(belows[:depth]):
        target = overlapping_segment(below, doc.has_geometry, seg.x0, max(seg.x1, seg.x0 + 1))
        if target is None:
            continue
        score = match.weight * (0.85 if match.has_colon else 0.75) * (0.85**distance)
        found += _candidates(
            doc, page.number, below, target.start, target.end, spec, score, colon=match.has_colon
        )
        if found:
            if spec.semantic_type == "organisation" and distance + 1 < len(belows):
                found = [_with_name_tail(doc, c, belows[distance + 1], seg) for c in found]
            break
    return found


def _with_name_tail(
    doc: Document, candidate: Candidate, following: Line, seg: Segment
) -> Candidate:
    """A company name continued on the next line under the label ("MVM Musterhafter" /
    "Versicherungsverein Musterstadt a.G."): the two lines' name, cited as both."""
    target = overlapping_segment(following, doc.has_geometry, seg.x0, max(seg.x1, seg.x0 + 1))
    if target is None:
        return candidate
    tail = following.text[target.start : target.end].strip()
    if not continues_name(candidate.text, tail):
        return candidate
    boxes = span_boxes(following, target.start, target.end) if doc.has_geometry else []
    return Candidate(
        text=f"{candidate.text} {tail}",
        page=candidate.page,
        line=joined_line([candidate.line, following]),
        score=candidate.score,
        source=candidate.source,
        boxes=[*candidate.boxes, *boxes],
        verbatim=False,
    )


def _address_block(
    doc: Document, page: Page, index: int, seg: Segment, score: float
) -> Candidate | None:
    """An address printed over several lines under a label ("Bill To:" then the name,
    street and city lines): the address-like lines of the block, joined with ", "."""
    geometry = doc.has_geometry
    block: list[tuple[Line, Segment]] = []
    previous = page.lines[index]
    for below in lines_below(page, index, geometry, _MAX_BLOCK_LINES + 1):
        target = overlapping_segment(below, geometry, seg.x0, max(seg.x1, seg.x0 + 1))
        if target is None or len(segments(below, geometry)) >= 3:
            break  # another column's text or a table row: the block ended
        text = below.text[target.start : target.end].strip()
        if not text or _LABEL_START.match(text):
            break
        if (
            geometry
            and previous.box is not None
            and below.box is not None
            and below.box.y - previous.box.y1 > _BLOCK_GAP * max(previous.box.h, 1.0)
        ):
            break
        block.append((below, target))
        previous = below
    while block and not _ADDRESS_LIKE.search(_text(block[0])):
        block.pop(0)  # the name line above the address
    if not block:
        return None
    block = block[:_MAX_BLOCK_LINES]
    value = join_lines([_text(part) for part in block])
    lines = [line for line, _ in block]
    boxes = [b for line, t in block for b in span_boxes(line, t.start, t.end)] if geometry else []
    return Candidate(
        text=value,
        page=page.number,
        line=joined_line(lines),
        score=round(score * (1.0 if len(block) > 1 else 0.9), 4),
        source="kv",
        boxes=boxes,
        verbatim=len(block) == 1,
    )


def _text(part: tuple[Line, Segment]) -> str:
    line, seg = part
    return line.text[seg.start : seg.end].strip()


def _line_to_the_right(page: Page, index: int) -> Line | None:
    """The nearest line starting right of line ``index`` at the same height (columns the
    parser kept apart); only nearby lines in reading order are looked at."""
    line = page.lines[index]
    if line.box is None:
        return None
    middle = line.box.y + line.box.h / 2
    best: Line | None = None
    window = page.lines[max(0, index - _RIGHT_WINDOW) : index + _RIGHT_WINDOW]
    for other in window:
        box = other.box
        if other is line or box is None or box.x < line.box.x1:
            continue
        if abs(box.y + box.h / 2 - middle) > line.box.h / 2:
            continue
        if best is None or (best.box is not None and box.x < best.box.x):
            best = other
    return best


def _candidates(
    doc: Document,
    page: int,
    line: Line,
    start: int,
    end: int,
    spec: FieldSpec,
    score: float,
    *,
    colon: bool = False,
) -> list[Candidate]:
    """The value in ``line.text[start:end]``; after a label with a colon ("IBAN :") a
    free-text value may be longer than a few words."""
    if line.text[start:end].rstrip().endswith(":"):
        return []  # another label, not a value
    span = cut_value(line.text, start, end, spec)
    if span is None:
        return []
    a, b = span
    if not has_pattern(spec.semantic_type) and not (colon or short_text_value(line.text[a:b])):
        return []
    return [
        Candidate(
            text=line.text[a:b],
            page=page,
            line=line,
            score=round(score, 4),
            source="kv",
            boxes=span_boxes(line, a, b) if doc.has_geometry else [],
        )
    ]


def cell_line(cell: Cell) -> Line:
    """A table cell as a one-word line, so it can be cited like any line."""
    return Line(text=cell.text, words=[Word(cell.text, cell.box)], box=cell.box)


def _from_table(
    doc: Document, page: int, header: list[Cell], rows: list[list[Cell]], spec: FieldSpec
) -> list[Candidate]:
    found: list[Candidate] = []
    for row in [header, *rows]:
        for i, cell in enumerate(row[:-1]):
            matches = find_labels(cell.text, spec)
            if matches and not cell.text[matches[0].value_start :].strip():
                value = cell_line(row[i + 1])
                found += _candidates(
                    doc, page, value, 0, len(value.text), spec, matches[0].weight * 0.9
                )
    if len(rows) <= 2:
        for i, cell in enumerate(header):
            matches = find_labels(cell.text, spec)
            if matches and rows and i < len(rows[0]):
                value = cell_line(rows[0][i])
                found += _candidates(
                    doc, page, value, 0, len(value.text), spec, matches[0].weight * 0.85
                )
    return found
