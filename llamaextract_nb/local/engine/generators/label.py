"""``Label: value`` and aligned text: the value follows its label on the same line.

The value is the rest of the label's column segment (``Invoice No.: INV-7``) or, when the
label stands alone in its segment, the next segment of the line (``Total      1,785.00``).
"""

from __future__ import annotations

import re

from llamaextract_nb.lang import is_label
from llamaextract_nb.local.engine.document import Document, Line
from llamaextract_nb.local.engine.labels import LabelMatch, find_labels, label_pattern
from llamaextract_nb.local.engine.layout import Segment, lines_matching, segments, span_boxes
from llamaextract_nb.local.engine.types import Candidate, FieldSpec, Hints
from llamaextract_nb.local.engine.values import DATES, find_spans, has_pattern

# Another label starting inside a value ("Acme GmbH   Date: ...", "Net 30 Due date:").
_NEXT_LABEL = re.compile(r"\s(?:[A-Z][\w.#/]*(?:\s[\w.#/]+){0,3}):(?:\s|$)")
_MAX_TEXT_VALUE = 120
# one or two short words right before a date: "vom", "du", "dated", "z dnia", "de fecha"
_DATE_JOINER = re.compile(r"\s+(?:[^\W\d_]{1,6}\.?\s+){1,2}$")
_MAX_WORDS_WITHOUT_COLON = 6


def generate(doc: Document, spec: FieldSpec, hints: Hints) -> list[Candidate]:
    """Candidates from labels followed by a value on the same line."""
    if spec.semantic_type == "boolean":
        return []
    pattern = label_pattern(spec)
    if pattern is None:
        return []
    found: list[Candidate] = []
    for page in doc.pages:
        for index in lines_matching(page, pattern):
            line = page.lines[index]
            for match in find_labels(line.text, spec):
                candidate = _from_match(doc, page.number, line, match, spec)
                if candidate is not None:
                    found.append(candidate)
    return found


def label_position(line: Line, geometry: bool, match: LabelMatch) -> tuple[Segment, int] | None:
    """The segment holding the label and the label's index among segments, if it heads it.

    A label must start its segment (after at most a short bullet or number) or follow a
    comma or semicolon (``Due: 2026-01-31, amount: 100.00``) to count.
    """
    segs = segments(line, geometry)
    for index, seg in enumerate(segs):
        if seg.start <= match.start < seg.end:
            lead = line.text[seg.start : match.start]
            if lead.strip(" •*-–·0123456789.()") and not re.search(r"[,;]\s*$", lead):
                return None
            return seg, index
    return None


def cut_value(text: str, start: int, end: int, spec: FieldSpec) -> tuple[int, int] | None:
    """The value of ``spec`` inside ``text[start:end]`` as a span of ``text``, if any."""
    piece = text[start:end]
    if has_pattern(spec.semantic_type):
        spans = find_spans(piece, spec.semantic_type)
        if not spans:
            return None
        a, b = spans[0]
        return start + a, start + b
    stop = _NEXT_LABEL.search(piece)
    if stop:
        piece = piece[: stop.start()]
    piece = piece[: _joined_date_start(piece)]
    spans = find_spans(piece, spec.semantic_type)
    if not spans:
        return None
    a, b = spans[0]
    if b - a > _MAX_TEXT_VALUE or piece.rstrip().endswith(":") or is_label(piece[a:b]):
        return None  # too long, or another label ("Lieferant  Käufer"), not a value
    return start + a, start + b


def _joined_date_start(piece: str) -> int:
    """Where a date joined to a value by a short word starts ("RE-20140519/499 vom
    19.05.2014", "F-12 du 15 janvier 2024", "INV-7 dated May 5, 2024"): the value ends
    before the word; the whole piece when no date follows that way."""
    for match in DATES.finditer(piece):
        joined = _DATE_JOINER.search(piece, 0, match.start())
        if joined is not None and joined.start() > 0:
            return joined.start()
        break
    return len(piece)


def _reads_as_label(text: str, match: LabelMatch, span: tuple[int, int], spec: FieldSpec) -> bool:
    """Whether ``Label value`` without a colon is a label and its value, not prose.

    "Total 1,785.00" and "Invoice No INV-7" are; "Party is advised by counsel" and
    "parties will not negotiate" are not: without a colon the label must be capitalised
    and a typed value must follow at once, a free-text value be short.
    """
    if match.has_colon:
        return True
    if not text[match.start].isupper():
        return False
    if has_pattern(spec.semantic_type):
        return span[0] - match.value_start <= 3
    return short_text_value(text[span[0] : span[1]])


def short_text_value(value: str) -> bool:
    """A free-text value standing by itself: one token (``a@b.test``) or a few words starting
    with a capital or digit (not the middle of a sentence such as "or its Affiliates.")."""
    words = value.split()
    if len(words) == 1:
        return True
    starts_well = value[:1].isupper() or value[:1].isdigit() or value[:1] in "“\"'(#"
    return starts_well and len(words) <= _MAX_WORDS_WITHOUT_COLON


def _from_match(
    doc: Document, page: int, line: Line, match: LabelMatch, spec: FieldSpec
) -> Candidate | None:
    position = label_position(line, doc.has_geometry, match)
    if position is None:
        return None
    seg, index = position
    score = match.weight * (0.95 if match.has_colon else 0.8)
    qualifier = re.match(r"[^:\n]{1,30}?:", line.text[match.value_start : seg.end])
    span = None
    if qualifier and re.search(r"[A-Za-z]{3,}", qualifier.group(0)):
        # "Total tax: 285.00" for "total": another label that starts with ours.
        return None
    rest = line.text[match.value_start : seg.end]
    if rest.strip():
        span = cut_value(line.text, match.value_start, seg.end, spec)
        if span is not None and not _reads_as_label(line.text, match, span, spec):
            return None
    segs = segments(line, doc.has_geometry)
    if span is None and len(rest.strip()) <= 12 and index + 1 < len(segs):
        # aligned text: "Total due EUR      1,785.00"
        nxt = segs[index + 1]
        start = nxt.start
        colon = re.match(r"\s*:\s*", line.text[start : nxt.end])
        if colon and not rest.strip():  # "Beleg-Nr  : KR876": the label's own colon, spaced
            start += colon.end()
            score = match.weight * 0.95
        if ":" not in line.text[start : min(nxt.end, start + 30)]:
            span = cut_value(line.text, start, nxt.end, spec)
            score *= 0.9
    if span is None:
        return None
    a, b = span
    return Candidate(
        text=line.text[a:b],
        page=page,
        line=line,
        score=round(score, 4),
        source="label",
        boxes=span_boxes(line, a, b) if doc.has_geometry else [],
    )
