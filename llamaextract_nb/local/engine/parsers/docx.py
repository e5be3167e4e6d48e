"""Word documents: paragraphs and tables in body order (python-docx)."""

from __future__ import annotations

import io
from typing import Any

from lxml import etree

from llamaextract_nb.local.engine.document import Document, DocumentError, Line, Table
from llamaextract_nb.local.engine.parsers.plain import make_table, page_of, table_lines, text_line


def parse_docx(data: bytes, filename: str) -> Document:
    """Parse DOCX bytes into one page without geometry.

    Lines follow the body order: the first section's header, then paragraphs (split at
    manual line breaks) and tables interleaved as they appear, then the footer. Each
    table becomes a :class:`Table` and its rows ``"a | b | c"`` lines.
    """
    import docx
    from docx.table import Table as DocxTable
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises assorted errors on damaged packages
        raise DocumentError(
            f"{filename} is not a readable DOCX document ({type(exc).__name__}: {exc})."
        ) from exc
    lines: list[Line] = []
    tables: list[Table] = []

    def add_blocks(blocks: Any) -> None:
        for block in blocks:
            if isinstance(block, Paragraph):
                lines.extend(_paragraph_lines(block.text))
                lines.extend(_text_box_lines(block))
            elif isinstance(block, DocxTable):
                table = _table(block)
                if table is not None:
                    tables.append(table)
                    lines.extend(table_lines(table))
                else:
                    lines.extend(_loose_cells(block))

    try:
        section = document.sections[0] if document.sections else None
        if section is not None and not section.header.is_linked_to_previous:
            add_blocks(section.header.iter_inner_content())
        add_blocks(document.iter_inner_content())
        if section is not None and not section.footer.is_linked_to_previous:
            add_blocks(section.footer.iter_inner_content())
    except Exception as exc:  # malformed parts that python-docx only meets when reading
        raise DocumentError(
            f"{filename} has content this engine cannot read ({type(exc).__name__}: {exc})."
        ) from exc
    return Document(pages=[page_of(1, lines, tables)], kind="docx")


_W = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
_TEXT_BOXES = etree.XPath(".//w:txbxContent", namespaces=_W)
_PARAGRAPHS = etree.XPath("./w:p", namespaces=_W)
_TEXTS = etree.XPath(".//w:t", namespaces=_W)


def _paragraph_lines(text: str) -> list[Line]:
    lines = [text_line(part) for part in text.split("\n")]
    return [line for line in lines if line.text]


def _text_box_lines(paragraph: Any) -> list[Line]:
    """Text boxes anchored in a paragraph (python-docx skips them); Word stores each box
    twice (a DrawingML and a VML fallback copy), so repeated texts are read once."""
    seen: set[str] = set()
    lines: list[Line] = []
    for box in _TEXT_BOXES(paragraph._p):
        texts = ["".join(node.text or "" for node in _TEXTS(block)) for block in _PARAGRAPHS(box)]
        key = "\n".join(texts)
        if key in seen:
            continue
        seen.add(key)
        lines.extend(line for text in texts for line in _paragraph_lines(text))
    return lines


def _rows(table: Any) -> list[list[str]]:
    """Cell texts per row; a merged cell counts once, nested tables become their text."""
    rows: list[list[str]] = []
    for row in table.rows:
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            if cell._tc is previous:  # horizontally merged: python-docx repeats the cell
                continue
            previous = cell._tc
            cells.append(" ".join(part for part in cell.text.split("\n") if part.strip()))
        rows.append(cells)
    return rows


def _table(table: Any) -> Table | None:
    return make_table(_rows(table))


def _loose_cells(table: Any) -> list[Line]:
    """A one-row or one-column table (often used for layout) read as plain lines."""
    return [line for row in _rows(table) for line in (text_line("  ".join(row)),) if line.text]
