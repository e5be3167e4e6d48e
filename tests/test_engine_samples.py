"""Acceptance on the project's own samples: accuracy >= 95 % and citations that hold.

Every sample document (each format of the invoice, the two-page invoice, the receipt, the
NDA) is extracted with its schema and target; the true values come from its JSON file.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from typing import Any

import pytest

from llamaextract_nb import samples
from llamaextract_nb.local.engine import extract
from llamaextract_nb.local.engine.coerce import normalise_duration, parse_date, parse_number
from llamaextract_nb.local.engine.document import Box, Document
from llamaextract_nb.local.engine.interface import EngineOutput
from llamaextract_nb.local.engine.parsers import parse
from llamaextract_nb.local.engine.values import DATE_RE, DURATION_RE, NUMBER_RE

SAMPLES = samples.list()
NAMES = [s.name for s in SAMPLES]
MIN_ACCURACY = 0.95


@cache
def output(name: str) -> EngineOutput:
    sample = samples.get(name)
    return extract(
        sample.read_bytes(),
        sample.name,
        {
            "data_schema": sample.schema,
            "extraction_target": sample.target,
            "cite_sources": True,
            "confidence_scores": True,
        },
    )


def test_every_format_is_sampled() -> None:
    kinds = {s.kind for s in SAMPLES}
    assert {"pdf", "docx", "html", "xlsx", "txt"} <= kinds
    assert len(SAMPLES) >= 8


# --- accuracy -------------------------------------------------------------------------


def same(expected: Any, got: Any) -> bool:
    if expected is None or got is None:
        return expected is got
    if isinstance(expected, bool) or isinstance(got, bool):
        return expected is got
    if isinstance(expected, (int, float)) and isinstance(got, (int, float)):
        return abs(expected - got) < 0.005
    if isinstance(expected, str) and isinstance(got, str):
        return " ".join(expected.split()).casefold() == " ".join(got.split()).casefold()
    return bool(expected == got)


def score(expected: Any, got: Any) -> tuple[int, int]:
    """(correct, total) over scalar fields and the cells of arrays of objects.

    Missing array items count all their cells wrong; extra items count their cells as
    extra wrong answers."""
    if isinstance(expected, dict):
        got = got if isinstance(got, dict) else {}
        pairs = [score(value, got.get(key)) for key, value in expected.items()]
        return sum(p[0] for p in pairs), sum(p[1] for p in pairs)
    if isinstance(expected, list):
        got = got if isinstance(got, list) else []
        pairs = [score(e, g) for e, g in zip(expected, got + [None] * len(expected), strict=False)]
        extra = [score(g, None) for g in got[len(expected) :]]
        return sum(p[0] for p in pairs), sum(p[1] for p in pairs) + sum(p[1] for p in extra)
    return int(same(expected, got)), 1


@pytest.mark.parametrize("name", NAMES)
def test_sample_accuracy(name: str) -> None:
    sample = samples.get(name)
    got = output(name).result
    correct, total = score(sample.expected, got)
    assert total > 0
    assert correct / total >= MIN_ACCURACY, (
        f"{name}: {correct}/{total} correct\nexpected {sample.expected}\ngot      {got}"
    )


# --- citations ------------------------------------------------------------------------


def leaves(result: Any, meta: Any) -> list[tuple[Any, dict[str, Any]]]:
    """(value, metadata entry) of every non-null leaf, arrays included."""
    if isinstance(result, dict):
        return [pair for key, value in result.items() for pair in leaves(value, meta[key])]
    if isinstance(result, list):
        return [
            pair for value, entry in zip(result, meta, strict=True) for pair in leaves(value, entry)
        ]
    return [] if result is None else [(result, meta)]


def page_texts(doc: Document, number: int) -> str:
    page = next(p for p in doc.pages if p.number == number)
    cells = [
        cell.text for table in page.tables for row in [table.header, *table.rows] for cell in row
    ]
    return "\n".join([page.text, *cells])


def printed(value: Any, text: str) -> list[tuple[int, int]]:
    """Spans of ``text`` where ``value`` is printed (any common print of it)."""
    if isinstance(value, bool):
        return [(0, len(text))]
    if isinstance(value, (int, float)):
        numbers = [(m.span(), parse_number(m.group(0))) for m in NUMBER_RE.finditer(text)]
        return [span for span, n in numbers if n is not None and abs(abs(n) - abs(value)) < 0.005]
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        day = dt.date.fromisoformat(value)
        return [
            m.span()
            for m in DATE_RE.finditer(text)
            if day in (parse_date(m.group(0)), parse_date(m.group(0), day_first=True))
        ]
    durations = [
        m.span() for m in DURATION_RE.finditer(text) if normalise_duration(m.group(0)) == value
    ]
    if durations:
        return durations
    # the words of the value in order; line breaks may be printed where it has ", "
    words = re.findall(r"\w+", value)
    pattern = r"\W+".join(re.escape(w) for w in words)
    return [m.span() for m in re.finditer(pattern, text, re.IGNORECASE)] if words else []


def covers(boxes: list[dict[str, float]], target: Box) -> bool:
    cx, cy = target.x + target.w / 2, target.y + target.h / 2
    return any(
        b["x"] - 0.5 <= cx <= b["x"] + b["w"] + 0.5 and b["y"] - 0.5 <= cy <= b["y"] + b["h"] + 0.5
        for b in boxes
    )


@pytest.mark.parametrize("name", NAMES)
def test_sample_citations(name: str) -> None:
    sample = samples.get(name)
    out = output(name)
    doc = parse(sample.read_bytes(), sample.name, need_tables=True)
    field_meta = out.metadata["field_metadata"]
    meta = {
        "per_doc": field_meta["document_metadata"],
        "per_page": field_meta["page_metadata"],
        "per_table_row": field_meta["row_metadata"],
    }[sample.target]
    checked = 0
    for value, entry in leaves(out.result, meta):
        assert entry["citation"], f"{name}: {value!r} has no citation"
        for cited in entry["citation"]:
            text = cited["matching_text"]
            assert text in page_texts(doc, cited["page"]), f"{name}: {text!r} not on its page"
            spans = printed(value, text)
            assert spans, f"{name}: {value!r} is not printed in {text!r}"
            assert 0 <= entry["confidence"] <= 1
            if not doc.has_geometry:
                assert "bounding_boxes" not in cited
                continue
            page = next(p for p in doc.pages if p.number == cited["page"])
            assert cited["page_dimensions"] == {"width": page.width, "height": page.height}
            boxes = cited["bounding_boxes"]
            assert boxes, f"{name}: {value!r} cited without boxes"
            for box in boxes:
                assert box["x"] >= -0.5 and box["x"] + box["w"] <= page.width + 0.5
                assert box["y"] >= -0.5 and box["y"] + box["h"] <= page.height + 0.5
            _assert_boxes_cover_value(name, value, text, spans, boxes, doc, cited["page"])
            checked += 1
    assert checked or not doc.has_geometry


def _assert_boxes_cover_value(
    name: str,
    value: Any,
    text: str,
    spans: list[tuple[int, int]],
    boxes: list[dict[str, float]],
    doc: Document,
    number: int,
) -> None:
    """The words printing the value (for numbers: the words with its digits), on the
    source line(s) of the page, lie inside the boxes."""
    page = next(p for p in doc.pages if p.number == number)
    parts = text.split("\n")
    sources: list[Any] = [line for line in page.lines if line.text in parts]
    sources += [
        cell
        for t in page.tables
        for row in [t.header, *t.rows]
        for cell in row
        if cell.text == text
    ]
    offsets: dict[int, int] = {}
    pos = 0
    for index, part in enumerate(parts):
        offsets[index] = pos
        pos += len(part) + 1
    start, end = spans[0]
    for source in sources:  # the same text may be printed twice: one source must be boxed
        base = offsets[parts.index(source.text)] if source.text in parts else 0
        words = getattr(source, "words", None) or [source]
        at, needed, covered = 0, 0, True
        for word in words:
            found = source.text.find(word.text, at)
            if found < 0 or word.box is None:
                continue
            at = found + len(word.text)
            lo, hi = base + found, base + at
            if hi <= start or lo >= end:
                continue
            if isinstance(value, (int, float)) and not re.search(r"\d", word.text):
                continue  # a currency printed beside the amount need not be boxed
            needed += 1
            covered = covered and covers(boxes, word.box)
        if needed and covered:
            return
    raise AssertionError(f"{name}: boxes {boxes} do not cover {value!r} printed in {text!r}")


def test_per_table_row_reads_the_continued_table_of_the_two_page_invoice() -> None:
    sample = samples.get("invoice-2page.pdf")
    assert isinstance(sample.expected, dict)
    item_schema = sample.schema["properties"]["line_items"]["items"]
    out = extract(
        sample.read_bytes(),
        sample.name,
        {"data_schema": item_schema, "extraction_target": "per_table_row", "cite_sources": True},
    )
    expected = sample.expected["line_items"]
    correct, total = score(expected, out.result)
    assert correct / total >= MIN_ACCURACY
    rows = out.metadata["field_metadata"]["row_metadata"]
    pages = {
        cell["citation"][0]["page"] for row in rows for cell in row.values() if cell["citation"]
    }
    assert pages == {1, 2}  # rows from both pages, one list


def test_per_page_cites_each_page_of_the_two_page_invoice() -> None:
    sample = samples.get("invoice-2page.pdf")
    schema = {
        "type": "object",
        "properties": {"line_items": sample.schema["properties"]["line_items"]},
    }
    out = extract(
        sample.read_bytes(),
        sample.name,
        {"data_schema": schema, "extraction_target": "per_page", "cite_sources": True},
    )
    assert isinstance(out.result, list) and len(out.result) == 2
    assert all(page["line_items"] for page in out.result)  # the table runs over both pages
    meta = out.metadata["field_metadata"]["page_metadata"]
    for number, page_meta in enumerate(meta, start=1):
        cited = {cell["citation"][0]["page"] for item in page_meta["line_items"]
                 for cell in item.values() if cell["citation"]}  # fmt: skip
        assert cited == {number}
    assert out.usage == {"num_pages_extracted": 2, "num_pages_billed": 2}
