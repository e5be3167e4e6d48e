"""Document parsers: bytes + file name -> :class:`~llamaextract_nb.local.engine.document.Document`.

``parse`` finds the format from the content (see :mod:`.detect`) and dispatches to one
parser per format. Conventions every parser keeps:

- PDFs get real geometry: word, line and cell boxes in points, top-left origin, on the
  page as displayed (rotation applied); pages without a usable text layer are read by
  OCR. Images (PNG, JPEG, TIFF pages, WebP, BMP) are read by OCR, their coordinates being
  pixels (points at 72 dpi). Every other format yields pages without geometry
  (width and height 0, boxes None) whose lines are paragraphs or table rows rendered as
  ``"a | b | c"``.
- A line's words join to its text with one space, or with two where the words are far
  apart (a column gap, a tab, a run of spaces): ``"Invoice Date:  12 March 2024"``.
- A table's header is its first row; a table continued on a later page without its
  header repeated has its first data row there (same width as the table it continues).
- Tables are read from PDFs only when ``need_tables`` is set; the other formats always
  return theirs. Anything unreadable raises :class:`DocumentError` with a message for
  the user.
"""

from __future__ import annotations

from llamaextract_nb.local.engine.document import Document, DocumentError
from llamaextract_nb.local.engine.parsers.detect import detect_kind
from llamaextract_nb.local.engine.parsers.pages import select_pages

__all__ = ["DocumentError", "detect_kind", "parse"]


def parse(
    data: bytes,
    filename: str,
    *,
    need_tables: bool = False,
    pages: set[int] | None = None,
    max_pages: int | None = None,
) -> Document:
    """Parse a document; raise :class:`DocumentError` with a readable message on failure.

    ``pages`` keeps only those 1-based page numbers, ``max_pages`` caps how many pages are
    read (after ``pages``). Formats without pages are one page unless they have natural
    breaks (form feeds in text).
    """
    kind = detect_kind(data, filename)
    if kind == "pdf":
        from llamaextract_nb.local.engine.parsers.pdf import parse_pdf

        return parse_pdf(data, filename, need_tables=need_tables, pages=pages, max_pages=max_pages)
    if kind == "image":
        from llamaextract_nb.local.engine.parsers.image import parse_image

        return parse_image(
            data, filename, need_tables=need_tables, pages=pages, max_pages=max_pages
        )
    document = _parse_flat(data, filename, kind, pages)
    if not document.pages:
        select_pages(0, pages, max_pages, filename)
    numbers = select_pages(len(document.pages), None, max_pages, filename)
    document.pages = document.pages[: len(numbers)]
    if not any(page.lines for page in document.pages):
        raise DocumentError(f"{filename} contains no text to extract from.")
    return document


def _parse_flat(data: bytes, filename: str, kind: str, pages: set[int] | None) -> Document:
    if kind in ("txt", "md"):
        from llamaextract_nb.local.engine.parsers.text import parse_text

        return parse_text(data, kind=kind, pages=pages)
    if pages is not None and 1 not in pages:
        select_pages(1, pages, None, filename)  # raises: these formats have one page
    if kind == "csv":
        from llamaextract_nb.local.engine.parsers.sheets import parse_csv

        return parse_csv(data, filename)
    if kind in ("xlsx", "docx"):
        from llamaextract_nb.local.engine.parsers.archive import check_package

        check_package(data, filename)
    if kind == "xlsx":
        from llamaextract_nb.local.engine.parsers.sheets import parse_xlsx

        return parse_xlsx(data, filename)
    if kind == "docx":
        from llamaextract_nb.local.engine.parsers.docx import parse_docx

        return parse_docx(data, filename)
    from llamaextract_nb.local.engine.parsers.html import parse_html

    return parse_html(data, filename)
