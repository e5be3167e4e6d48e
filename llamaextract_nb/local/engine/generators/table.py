"""Rows of an array of objects from tables: columns matched to item properties by header.

A column belongs to the item property whose label terms (or description words) its header
names best. The best-matching table is read together with its continuations on later
pages (same columns, repeated header or none). When the parser found no matching table,
aligned text is read as one: a line whose column segments name the properties is a header
and the lines under it are rows, their segments assigned to the nearest header column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from llamaextract_nb.local.engine.compiler import ArrayNode, ObjectNode, iter_leaves
from llamaextract_nb.local.engine.document import Cell, Document, Line, Table
from llamaextract_nb.local.engine.generators.kv import cell_line
from llamaextract_nb.local.engine.labels import find_labels
from llamaextract_nb.local.engine.layout import Segment, segments, span_boxes
from llamaextract_nb.local.engine.types import Candidate, FieldSpec

_MIN_HEADER_SCORE = 0.55
_HEADER_SEARCH_LINES = 300  # aligned text: lines of a page searched for a header
_HEADER_SEARCH_ROWS = 12  # spreadsheets put titles and key-value blocks above
_SUMMARY_ROW = re.compile(
    r"^\s*(?:sub[\s-]?total|total|grand total|tax|vat|gst|balance|amount due|shipping|discount"
    r"|carried forward|brought forward|continued)\b",
    re.IGNORECASE,
)


@dataclass(slots=True)
class Row:
    """One array item: a candidate per item leaf (by the leaf's path inside the item)."""

    cells: dict[tuple[str, ...], Candidate]
    page: int
    header_scores: dict[tuple[str, ...], float]


def header_score(header: str, spec: FieldSpec) -> float:
    """How well a column header names ``spec`` (0..1)."""
    text = " ".join(header.split()).lower()
    if not text:
        return 0.0
    best = 0.0
    for match in find_labels(text, spec):
        coverage = (match.end - match.start) / max(len(text.strip(" :.#()")), 1)
        best = max(best, match.weight * (0.7 + 0.3 * min(1.0, coverage)))
    for term in spec.label_terms[:6]:
        ratio = fuzz.ratio(text, term) / 100
        if ratio >= 0.8:
            best = max(best, 0.85 * ratio)
    if spec.description_terms and best < 0.5:
        words = set(re.findall(r"[a-z]+", text))
        overlap = len(words & set(spec.description_terms)) / max(len(words), 1)
        best = max(best, 0.55 * overlap)
    return round(best, 4)


def _relative(leaf: FieldSpec, item: ObjectNode) -> tuple[str, ...]:
    return leaf.path[len(item.path) :]


def match_columns(headers: list[str], item: ObjectNode) -> dict[int, tuple[FieldSpec, float]]:
    """Column index -> (item leaf, header score), one leaf per column, best pairs first."""
    leaves = iter_leaves(item)
    pairs = sorted(
        (
            (header_score(h, leaf), col, i)
            for col, h in enumerate(headers)
            for i, leaf in enumerate(leaves)
        ),
        reverse=True,
    )
    used_cols: set[int] = set()
    used_leaves: set[int] = set()
    result: dict[int, tuple[FieldSpec, float]] = {}
    for score, col, i in pairs:
        if score < _MIN_HEADER_SCORE or col in used_cols or i in used_leaves:
            continue
        result[col] = (leaves[i], score)
        used_cols.add(col)
        used_leaves.add(i)
    return result


def _enough(columns: dict[int, tuple[FieldSpec, float]], item: ObjectNode) -> bool:
    return len(columns) >= min(2, len(iter_leaves(item)))


def rows(doc: Document, array: ArrayNode | ObjectNode) -> list[Row]:
    """The item rows for ``array`` (or for a root object read per table row)."""
    item = array.item if isinstance(array, ArrayNode) else array
    found = _from_tables(doc, item)
    return found if found else _from_aligned_text(doc, item)


def _from_tables(doc: Document, item: ObjectNode) -> list[Row]:
    """Rows of every table whose header names the item's properties, in document order;
    a table of the same width without such a header continues the previous one."""
    found: list[Row] = []
    previous: tuple[dict[int, tuple[FieldSpec, float]], int] | None = None
    for table in doc.tables:
        header = _find_header(table, item)
        if header is not None:
            start, columns = header
            found += _table_rows(doc, table, table.rows[start:], columns, item)
            previous = (columns, len(table.header))
        elif (
            previous is not None
            and len(table.header) == previous[1]
            and not match_columns([c.text for c in table.header], item)
        ):  # no header: the continuation's first row was read as one
            found += _table_rows(doc, table, [table.header, *table.rows], previous[0], item)
    return found


def _find_header(
    table: Table, item: ObjectNode
) -> tuple[int, dict[int, tuple[FieldSpec, float]]] | None:
    """(index of the first body row, columns) when the header, or one of the first body
    rows (a title row above the real header), names the item's properties."""
    candidates = [table.header, *table.rows[:_HEADER_SEARCH_ROWS]]
    leaves = iter_leaves(item)
    for index, cells in enumerate(candidates):
        texts = [c.text for c in cells]
        columns = match_columns(texts, item)
        if _enough(columns, item) and not _merged(texts, leaves):
            return index, columns
    return None


def _merged(headers: list[str], leaves: list[FieldSpec]) -> bool:
    """Whether one header cell names two properties ("Qty Amount"): columns were merged
    and the aligned-text reading is more trustworthy than this table."""
    return any(
        sum(header_score(h, leaf) >= _MIN_HEADER_SCORE for leaf in leaves) >= 2 for h in headers
    )


def _table_rows(
    doc: Document,
    table: Table,
    body: list[list[Cell]],
    columns: dict[int, tuple[FieldSpec, float]],
    item: ObjectNode,
) -> list[Row]:
    found = []
    for cells in body:
        texts = [c.text.strip() for c in cells]
        if not any(texts) or (texts and _SUMMARY_ROW.match(next((t for t in texts if t), ""))):
            continue
        row = Row({}, table.page, {})
        for col, (leaf, score) in columns.items():
            if col >= len(cells) or not cells[col].text.strip():
                continue
            box = cells[col].box
            row.cells[_relative(leaf, item)] = Candidate(
                text=cells[col].text.strip(),
                page=table.page,
                line=cell_line(cells[col]),
                score=score,
                source="table",
                boxes=[box] if doc.has_geometry and box is not None else [],
            )
            row.header_scores[_relative(leaf, item)] = score
        if row.cells:
            found.append(row)
    return found


@dataclass(slots=True)
class _TextHeader:
    """A header line of an aligned-text table: its segments and the matched columns."""

    width: int  # number of header segments
    columns: dict[int, tuple[Segment, FieldSpec, float]]  # header segment index -> match


def _from_aligned_text(doc: Document, item: ObjectNode) -> list[Row]:
    found: list[Row] = []
    header: _TextHeader | None = None
    for page in doc.pages:
        for number, line in enumerate(page.lines):
            segs = segments(line, doc.has_geometry)
            if len(segs) < 2:
                matched = {}
            elif header is None and number >= _HEADER_SEARCH_LINES:
                continue  # headers sit near the top of a page: bound the work on long pages
            else:
                matched = match_columns([line.text[s.start : s.end] for s in segs], item)
            if len(segs) >= 2 and _enough(matched, item):
                header = _TextHeader(
                    len(segs), {i: (segs[i], leaf, score) for i, (leaf, score) in matched.items()}
                )
                continue
            if header is None:
                continue
            row = _aligned_row(doc, page.number, line, segs, header, item)
            if row is None:
                if not _SUMMARY_ROW.match(line.text) and len(segs) < 2 and line.text.strip():
                    header = None  # the table ended
                continue
            found.append(row)
    return found


def _aligned_row(
    doc: Document,
    page: int,
    line: Line,
    segs: list[Segment],
    header: _TextHeader,
    item: ObjectNode,
) -> Row | None:
    """A row under an aligned-text header: segments go to columns by position, or by
    index when the row has exactly the header's number of segments."""
    if len(segs) < 2 or _SUMMARY_ROW.match(line.text):
        return None
    row = Row({}, page, {})
    columns = list(header.columns.values())
    for index, seg in enumerate(segs):
        if len(segs) == header.width:
            if index not in header.columns:
                continue
            _, leaf, score = header.columns[index]
        else:
            _, leaf, score = min(columns, key=lambda column: _column_distance(seg, column[0]))
        key = _relative(leaf, item)
        if key in row.cells:
            continue
        row.cells[key] = Candidate(
            text=line.text[seg.start : seg.end],
            page=page,
            line=line,
            score=score * 0.9,
            source="table",
            boxes=span_boxes(line, seg.start, seg.end) if doc.has_geometry else [],
        )
        row.header_scores[key] = score * 0.9
    return row if len(row.cells) >= 2 else None


def _column_distance(seg: Segment, head: Segment) -> float:
    """0 when a row segment sits under a header segment, else the gap between them."""
    center = (seg.x0 + seg.x1) / 2
    if head.x0 <= center <= head.x1 or seg.x0 <= (head.x0 + head.x1) / 2 <= seg.x1:
        return 0.0
    return min(abs(center - head.x0), abs(center - head.x1))
