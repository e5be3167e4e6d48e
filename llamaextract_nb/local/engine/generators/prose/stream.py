"""The document as one stream of text, and candidates cited back to the lines they touch.

Prose phrases wrap across lines, so the prose extractors read all lines joined by single
spaces and map a span of that stream back to its page, line(s) and word boxes.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass

from llamaextract_nb.local.engine.document import Box, Document, Line, Word
from llamaextract_nb.local.engine.document_caches import ExtractionCache
from llamaextract_nb.local.engine.layout import joined_line
from llamaextract_nb.local.engine.types import Candidate

SOURCE = "prose"


@dataclass(slots=True)
class _Span:
    start: int
    end: int
    page: int
    line: Line


@dataclass(slots=True)
class Stream:
    """All lines of a document joined by single spaces, with a map back to the lines."""

    text: str
    spans: list[_Span]  # in stream order, so their ends ascend too
    ends: list[int]  # each span's end, for bisection

    def lines_between(self, start: int, end: int) -> list[_Span]:
        """The spans of the lines that ``text[start:end]`` touches."""
        spans = self.spans
        index = bisect_right(self.ends, start)
        found = []
        while index < len(spans) and spans[index].start < end:
            found.append(spans[index])
            index += 1
        return found


_STREAM_CACHE: ExtractionCache[list[tuple[Document, Stream]]] = ExtractionCache(list)


def stream_of(doc: Document) -> Stream:
    """The document's text stream (cached for the extraction's last document)."""
    cache = _STREAM_CACHE.get()
    for cached_doc, cached in cache:
        if cached_doc is doc:
            return cached
    parts: list[str] = []
    spans: list[_Span] = []
    pos = 0
    for page in doc.pages:
        for line in page.lines:
            text = line.text.replace("\n", " ")
            if not text.strip():
                continue
            spans.append(_Span(pos, pos + len(text), page.number, line))
            parts.append(text)
            pos += len(text) + 1
    stream = Stream(" ".join(parts), spans, [span.end for span in spans])
    cache[:] = [(doc, stream)]
    return stream


def _word_offsets(line: Line) -> Iterator[tuple[int, int, Word]]:
    cursor = 0
    for word in line.words:
        at = line.text.find(word.text, cursor) if word.text else -1
        if at < 0:
            continue
        cursor = at + len(word.text)
        yield at, cursor, word


def candidate_for(
    stream: Stream,
    start: int,
    end: int,
    score: float,
) -> Candidate | None:
    """A candidate for ``stream.text[start:end]``, citing the line(s) it was read from."""
    covered = stream.lines_between(start, end)
    if not covered:
        return None
    first = covered[0]
    covered = [s for s in covered if s.page == first.page]
    line = joined_line([s.line for s in covered])
    boxes: list[Box] = []
    for s in covered:
        lo, hi = start - s.start, end - s.start
        for w_start, w_end, word in _word_offsets(s.line):
            if word.box is not None and w_end > lo and w_start < hi:
                boxes.append(word.box)
    return Candidate(
        text=stream.text[start:end],
        page=first.page,
        line=line,
        score=round(min(max(score, 0.0), 1.0), 4),
        source=SOURCE,
        boxes=boxes,
    )
