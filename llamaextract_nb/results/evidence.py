"""The evidence behind one extracted value, as HTML: what a reviewer looks at to judge it.

- PDFs and images: the cited region of the page, boxes drawn, cropped with some context
  above and below (:func:`~llamaextract_nb.results.pages.render_region`).
- Other formats (TXT, Markdown, CSV, HTML, DOCX): the cited line in its surrounding lines of
  the document, the value highlighted.
- Otherwise (no document at hand, nothing cited): the matching text the service returned.

Everything from the document is escaped.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any

from llamaextract_nb.results.matching import locate
from llamaextract_nb.results.metadata import Citation
from llamaextract_nb.results.pages import Mark, is_image, is_pdf, render_region

Source = str | Path | bytes
MAX_TEXT_BYTES = 20_000_000
_SPACES = re.compile(r"\s+")


def evidence_html(
    source: Source | None,
    value: Any,
    citations: Sequence[Citation],
    *,
    low: bool = False,
    width: int = 560,
    context_lines: int = 2,
) -> str:
    """The evidence of ``value`` from its ``citations`` in ``source`` (see the module doc)."""
    cited = [c for c in citations if c.text or c.page]
    if not cited:
        return '<div class="lx-note">No citation for this value.</div>'
    parts = []
    if source is not None and (is_pdf(source) or is_image(source)):
        for citation in [c for c in cited if c.page and c.boxes][:2]:
            marks = [Mark(b.x, b.y, b.w, b.h, citation.page_size, "", low) for b in citation.boxes]
            try:
                uri = render_region(source, citation.page or 1, marks, width)
            except Exception as exc:  # a display never raises; say why the image is missing
                parts.append(
                    f'<div class="lx-note">Could not render the page: {escape(str(exc))}</div>'
                )
                continue
            if uri:
                parts.append(
                    f'<div class="lx-evidence-page">Page {citation.page}</div>'
                    f'<img class="lx-evidence-image" src="{escape(uri)}" width="{width}" '
                    f'alt="The cited region of page {citation.page}, boxed">'
                )
    if not parts:
        lines = document_lines(source) if source is not None else None
        for citation in cited[:2]:
            parts.append(_text_context(lines, value, citation, context_lines))
    return "".join(parts)


def document_lines(source: Source) -> list[str] | None:
    """The text lines of a text-like document (TXT, Markdown, CSV, HTML, DOCX); None for
    PDFs, images and what cannot be read."""
    if is_pdf(source) or is_image(source):
        return None
    try:
        data = source if isinstance(source, bytes) else Path(source).read_bytes()
    except OSError:
        return None
    if len(data) > MAX_TEXT_BYTES:
        return None
    name = "" if isinstance(source, bytes) else str(source).lower()
    try:
        if data.startswith(b"PK"):
            return _docx_lines(data)
        text = data.decode("utf-8", errors="replace")
        if name.endswith((".htm", ".html")) or text.lstrip()[:1] == "<":
            from bs4 import BeautifulSoup

            text = BeautifulSoup(text, "lxml").get_text("\n")
    except Exception:  # a document the parsers refuse has no text context
        return None
    return [line.strip() for line in text.splitlines() if line.strip()]


def _docx_lines(data: bytes) -> list[str] | None:
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception:  # not a DOCX (an XLSX, another zip)
        return None
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append("  ".join(cell.text for cell in row.cells))
    return [line.strip() for line in lines if line.strip()]


def _text_context(
    lines: list[str] | None, value: Any, citation: Citation, context_lines: int
) -> str:
    page = f'<span class="lx-page">p.&nbsp;{citation.page}</span>' if citation.page else ""
    text = citation.text or ""
    found = _find_line(lines, text) if lines else None
    if lines is None or found is None:
        return f'<div class="lx-evidence-text">{page}{highlight(value, text)}</div>'
    first, last = found
    rows = []
    for index in range(max(0, first - context_lines), min(len(lines), last + context_lines + 1)):
        cited = first <= index <= last
        body = highlight(value, lines[index]) if cited else escape(lines[index])
        rows.append(f'<div class="{"lx-cited" if cited else "lx-context"}">{body}</div>')
    return f'<div class="lx-evidence-text">{page}{"".join(rows)}</div>'


def _find_line(lines: list[str], text: str) -> tuple[int, int] | None:
    """The first and last index of the document lines the cited text spans."""
    wanted = [_normal(line) for line in text.splitlines() if line.strip()]
    if not wanted:
        return None
    normal = [_normal(line) for line in lines]
    for index, line in enumerate(normal):
        if wanted[0] and (wanted[0] in line or (line and line in wanted[0])):
            return index, min(len(lines) - 1, index + len(wanted) - 1)
    return None


def _normal(text: str) -> str:
    return _SPACES.sub(" ", text).strip().casefold()


def highlight(value: Any, text: str) -> str:
    """``text`` escaped, with where ``value`` is printed in it marked."""
    span = locate(value, text)
    if span is None:
        return escape(text)
    start, end = span
    return f"{escape(text[:start])}<mark>{escape(text[start:end])}</mark>{escape(text[end:])}"
