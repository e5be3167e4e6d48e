"""A page image read by OCR -> a :class:`Page` of lines and words, like a text PDF's.

Word boxes are in page coordinates: the image's pixels times ``unit`` (1 for an image file,
whose page coordinates are its pixels as displayed; 72 / dpi for a rendered PDF page, whose
coordinates are points). Lines are laid out in the straightened image, where they run
level, while every word keeps its box on the page as given. A word's ``confidence`` is
the recogniser's score for its line.
"""

from __future__ import annotations

from PIL import Image

from llamaextract_nb.local.engine import ocr
from llamaextract_nb.local.engine.document import Page, Word
from llamaextract_nb.local.engine.parsers.layout import Item, build_lines, new_box
from llamaextract_nb.local.engine.parsers.tables import find_tables, pdf_rows


def ocr_page(
    image: Image.Image,
    number: int,
    width: float,
    height: float,
    unit: float = 1.0,
    *,
    need_tables: bool = False,
) -> Page:
    """OCR ``image`` as page ``number`` of ``width`` x ``height`` page units; with
    ``need_tables``, tables are found in the aligned text (a scan has no ruling lines)."""
    result = ocr.recognize(image)
    items: list[Item] = []
    for word in result.words:
        sx = [x for x, _ in word.straight]
        sy = [y for _, y in word.straight]
        ox = [x * unit for x, _ in word.original]
        oy = [y * unit for _, y in word.original]
        left, top = max(min(ox), 0.0), max(min(oy), 0.0)
        right, bottom = min(max(ox), width), min(max(oy), height)
        box = new_box(left, top, max(right - left, 0.0), max(bottom - top, 0.0))
        items.append((min(sx), min(sy), max(sx), max(sy), Word(word.text, box, word.confidence)))
    lines = build_lines(items, recognized=True) if items else []
    tables = find_tables(pdf_rows(lines), number) if need_tables and lines else []
    return Page(number=number, width=width, height=height, lines=lines, tables=tables)
