"""PDF pages -> words with boxes -> lines, with pypdfium2.

Speed matters (the engine must read >= 100 text pages per second): the page text comes
from one ``FPDFText_GetText`` call and each word's box from the loose boxes of its first
and last characters only; characters are boxed one by one only for the rare word that
spans two lines. Boxes are converted from PDFium's bottom-left user space to the
displayed page (top-left origin, rotation applied, crop box offset removed).

Pages whose text layer is missing or useless (fewer than :data:`_MIN_TEXT_CHARS` letters
and digits, or mostly unreadable characters) but that show an image are scans: each is
rendered at OCR's resolution and read by OCR, one page at a time, so a mixed PDF keeps
its text pages as they are and a long scan never holds more than one page image.

PDFium is not thread-safe, so every call into it holds one process-wide lock.
"""

from __future__ import annotations

import ctypes
import itertools
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from llamaextract_nb.gcpause import gc_paused
from llamaextract_nb.local.engine import ocr
from llamaextract_nb.local.engine.document import Box, Document, DocumentError, Page, Word
from llamaextract_nb.local.engine.parsers.layout import Frame, Item, build_lines, new_box
from llamaextract_nb.local.engine.parsers.pages import select_pages
from llamaextract_nb.local.engine.parsers.scan import ocr_page
from llamaextract_nb.local.engine.parsers.tables import Rules, find_tables, pdf_rows

PDFIUM_LOCK = threading.RLock()
NO_TEXT = (
    "this PDF has no text to extract: its pages carry no text layer, and OCR found no "
    "text in their images (blank pages, or images that are not documents)."
)
_MIN_TEXT_CHARS = 20  # fewer letters and digits than this: no usable text layer
_UNREADABLE = re.compile("[\ufffd\ue000-\uf8ff]")  # replacement and private-use characters
# PDFium already spells ligature glyphs out as letters; soft hyphens (U+00AD) it keeps
_TEXT_FIXES = str.maketrans({"\u00ad": "", "\u2010": "-", "\u2011": "-"})
_CONTROLS = re.compile("[\x00\x01\x03-\x09\x0b\x0c\x0e-\x1f\xa0]")
_SOFT_HYPHENS = re.compile("[\x02\ufffe]")  # PDFium's marks for a hyphen at a line break
_FIXED_CHARS = tuple(chr(code) for code in _TEXT_FIXES)
_TOKEN = re.compile(r"\S+")

_DIRECTION_SAMPLE = 200
_MAX_OBJECTS = 20_000  # page objects scanned for ruling lines (charts can hold more)
_THIN = 2.5  # points: a path this thin is a ruling line
_PDFIUM_ERRORS = {
    pdfium_c.FPDF_ERR_UNKNOWN: "unknown error",
    pdfium_c.FPDF_ERR_FILE: "file could not be read",
    pdfium_c.FPDF_ERR_FORMAT: "not in PDF format or corrupted",
    pdfium_c.FPDF_ERR_PAGE: "page not found or content error",
}


def _unchecked(function: Any) -> Any:
    """The same PDFium function without ctypes' per-argument conversion (twice as fast).

    Only for functions returning ``int`` and called with ready C values: a ``c_void_p``
    handle, Python ints for C ints, and ``byref`` pointers.
    """
    unchecked = type(function).from_address(ctypes.addressof(function))
    unchecked.argtypes = None
    unchecked.restype = ctypes.c_int
    return unchecked


_LOOSE_CHAR_BOX = _unchecked(pdfium_c.FPDFText_GetLooseCharBox)  # (textpage, index, FS_RECTF*)

Rect = tuple[float, float, float, float]
"""A rectangle in PDF user space: (x0, y0, x1, y1), y upwards."""
UserWord = tuple[float, float, float, float, str]
"""A word's rectangle in user space and its text."""


def parse_pdf(
    data: bytes,
    filename: str,
    *,
    need_tables: bool = False,
    pages: set[int] | None = None,
    max_pages: int | None = None,
) -> Document:
    """Parse PDF bytes into a :class:`Document` with real geometry.

    Raises :class:`DocumentError` for encrypted, damaged or empty PDFs, for scanned pages
    when OCR is not installed, and for PDFs whose selected pages carry no text at all.
    """
    with PDFIUM_LOCK, gc_paused(), _open(data, filename) as pdf:
        total = len(pdf)
        numbers = select_pages(total, pages, max_pages, filename)
        result = [_read_page(pdf, number, need_tables, filename) for number in numbers]
    if not any(page.lines for page in result):
        if len(numbers) < total:
            raise DocumentError(
                f"the selected pages {_page_list(numbers)} of this PDF have no text: no text "
                "layer, and OCR found no text in their images."
            )
        raise DocumentError(NO_TEXT)
    return Document(pages=result, kind="pdf", has_geometry=True, has_text_layer=True)


@contextmanager
def _open(data: bytes, filename: str) -> Iterator[pdfium.PdfDocument]:
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise DocumentError(_open_error(exc, filename)) from exc
    try:
        yield pdf
    finally:
        pdf.close()


def _open_error(exc: pdfium.PdfiumError, filename: str) -> str:
    code = exc.err_code
    if code == pdfium_c.FPDF_ERR_PASSWORD:
        return (
            f"{filename} is password-protected (encrypted PDF); the password is required to "
            "read it. Remove the protection (e.g. print to a new PDF) and upload it again."
        )
    if code == pdfium_c.FPDF_ERR_SECURITY:
        return f"{filename} uses an unsupported PDF security handler; save an unprotected copy."
    if code == pdfium_c.FPDF_ERR_SUCCESS:
        return f"{filename} is a PDF without any pages."
    reason = _PDFIUM_ERRORS.get(code, "unknown error") if code is not None else str(exc)
    return (
        f"{filename} is not a readable PDF: the file is damaged or truncated "
        f"(PDFium: {reason}). Re-export or re-download it."
    )


def _page_list(numbers: list[int]) -> str:
    return ", ".join(str(number) for number in numbers[:10]) + ("..." if len(numbers) > 10 else "")


def _read_page(pdf: pdfium.PdfDocument, number: int, need_tables: bool, filename: str) -> Page:
    try:
        page = pdf[number - 1]
    except pdfium.PdfiumError as exc:
        raise DocumentError(f"page {number} of {filename} is damaged and cannot be read.") from exc
    try:
        crop = page.get_bbox()  # effective crop box; get_cropbox() ignores inherited boxes
        rotation = page.get_rotation() % 360
        width, height = crop[2] - crop[0], crop[3] - crop[1]
        if rotation in (90, 270):
            width, height = height, width
        try:
            textpage = page.get_textpage()
        except pdfium.PdfiumError as exc:
            raise DocumentError(f"the text of page {number} of {filename} cannot be read.") from exc
        try:
            items = _words(textpage, crop, rotation)
        finally:
            textpage.close()
        if _is_scan(page, items):
            return _ocr_page(page, number, width, height, need_tables)
        rules = _rules(page, crop, rotation) if need_tables and items else None
    finally:
        page.close()
    lines = build_lines(items, _reading_frame(items, width, height)) if items else []
    tables = find_tables(pdf_rows(lines, rules), number, rules) if rules is not None else []
    return Page(number=number, width=width, height=height, lines=lines, tables=tables)


def _is_scan(page: pdfium.PdfPage, items: list[Item]) -> bool:
    """Whether the page shows an image and has no usable text layer of its own."""
    text = "".join(item[4].text for item in items)
    readable = sum(1 for char in text if char.isalnum())
    if readable >= _MIN_TEXT_CHARS and len(_UNREADABLE.findall(text)) <= len(text) * 0.3:
        return False
    raw = page.raw
    kinds = (pdfium_c.FPDF_PAGEOBJ_IMAGE, pdfium_c.FPDF_PAGEOBJ_FORM)
    get_object, get_type = pdfium_c.FPDFPage_GetObject, pdfium_c.FPDFPageObj_GetType
    count = min(pdfium_c.FPDFPage_CountObjects(raw), _MAX_OBJECTS)
    return any(get_type(get_object(raw, index)) in kinds for index in range(count))


def _ocr_page(
    page: pdfium.PdfPage, number: int, width: float, height: float, need_tables: bool
) -> Page:
    """The page rendered at OCR's resolution (long side at most OCR's input size) and read."""
    ocr.engine()  # fails first, with the install hint, when the OCR extra is missing
    scale = min(ocr.RECOMMENDED_DPI / 72, ocr.MAX_SIDE / max(width, height, 1.0))
    bitmap = page.render(scale=scale)
    try:
        image = bitmap.to_pil().convert("RGB")
    finally:
        bitmap.close()
    return ocr_page(image, number, width, height, width / image.width, need_tables=need_tables)


def _rules(page: pdfium.PdfPage, crop: Rect, rotation: int) -> Rules:
    """Ruling lines: thin path objects, and the edges of drawn rectangles.

    Raw PDFium calls: pypdfium2's object iterator wraps every object (text ones
    included) in Python, which costs more than the whole text extraction.
    """
    vertical: list[tuple[float, float, float]] = []
    horizontal: list[tuple[float, float, float]] = []
    raw = page.raw
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    refs = [ctypes.byref(value) for value in (left, bottom, right, top)]
    path_type = pdfium_c.FPDF_PAGEOBJ_PATH
    get_object, get_type = pdfium_c.FPDFPage_GetObject, pdfium_c.FPDFPageObj_GetType
    get_bounds = pdfium_c.FPDFPageObj_GetBounds
    for index in range(min(pdfium_c.FPDFPage_CountObjects(raw), _MAX_OBJECTS)):
        path = get_object(raw, index)
        if get_type(path) != path_type or not get_bounds(path, *refs):
            continue
        bounds = (left.value, bottom.value, right.value, top.value)
        box = _display_box(bounds, crop, rotation)
        if box.w <= _THIN and box.h > _THIN:
            vertical.append((box.x + box.w / 2, box.y, box.y1))
        elif box.h <= _THIN and box.w > _THIN:
            horizontal.append((box.y + box.h / 2, box.x, box.x1))
        elif box.w > _THIN and box.h > _THIN:
            vertical += [(box.x, box.y, box.y1), (box.x1, box.y, box.y1)]
            horizontal += [(box.y, box.x, box.x1), (box.y1, box.x, box.x1)]
    return Rules(vertical, horizontal)


def _display_box(rect: Rect, crop: Rect, rotation: int) -> Box:
    """A user-space rectangle (x0, y0, x1, y1; y up) as a box on the displayed page."""
    x0, y0, x1, y1 = rect
    left, bottom, right, top = crop
    if rotation == 90:
        return Box(y0 - bottom, x0 - left, y1 - y0, x1 - x0)
    if rotation == 180:
        return Box(right - x1, y0 - bottom, x1 - x0, y1 - y0)
    if rotation == 270:
        return Box(top - y1, right - x1, y1 - y0, x1 - x0)
    return Box(x0 - left, top - y1, x1 - x0, y1 - y0)


def _words(textpage: pdfium.PdfTextPage, crop: Rect, rotation: int) -> list[Item]:
    """The page's words as layout items (x0, y0, x1, y1, Word) on the displayed page.

    Each word is boxed by the loose boxes of its first and last characters (in user
    space, then moved to the displayed page: inlined for upright pages, the common case).
    """
    raw = textpage.raw
    count = pdfium_c.FPDFText_CountChars(raw)
    if count <= 0:
        return []
    text = textpage.get_text_range(0, count, errors="replace")
    # one character for one, so that text offsets stay char indices; a word hyphenated
    # across lines comes as one token and is cut where its characters change line
    text = _CONTROLS.sub(" ", _SOFT_HYPHENS.sub("-", text))
    char_index = None if len(text) == count else _char_index_map(raw, text, count)
    fix = any(char in text for char in _FIXED_CHARS)  # substring searches: faster than a set
    rect = pdfium_c.FS_RECTF()
    rect_ref = ctypes.byref(rect)
    values = memoryview(rect).cast("B").cast("f")  # left, top, right, bottom
    handle = ctypes.c_void_p(ctypes.cast(raw, ctypes.c_void_p).value)
    loose_box = _LOOSE_CHAR_BOX

    def box_of(index: int) -> Rect | None:
        if not loose_box(handle, index, rect_ref):
            return None
        left, top, right, bottom = values
        return left, bottom, right, top

    upright = rotation == 0
    crop_left, crop_top = crop[0], crop[3]
    items: list[Item] = []
    append = items.append
    pieces: list[UserWord] | None
    for match in _TOKEN.finditer(text):
        first, end = match.span()
        token = text[first:end]
        if fix:
            token = token.translate(_TEXT_FIXES)
            if not token:
                continue
        last = end - 1
        if char_index is not None:
            first, last = char_index(first), char_index(last)
        if loose_box(handle, first, rect_ref):
            left, top, right, bottom = values
            if last == first:
                pieces = None
            elif loose_box(handle, last, rect_ref):
                pieces = None
                left1, top1, right1, bottom1 = values
                if top1 != top or bottom1 != bottom:  # another font, or another line
                    if _same_line((left, bottom, right, top), (left1, bottom1, right1, top1)):
                        bottom, top = min(bottom, bottom1), max(top, top1)
                    else:
                        pieces = _split_word(token, range(first, last + 1), box_of)
                if left1 < left:
                    left = left1
                if right1 > right:
                    right = right1
            else:
                pieces = _split_word(token, range(first, last + 1), box_of)
        else:
            pieces = _split_word(token, range(first, last + 1), box_of)
        if pieces is None:
            if upright:
                x0, y0 = left - crop_left, crop_top - top
                box = new_box(x0, y0, right - left, top - bottom)
                append((x0, y0, right - crop_left, crop_top - bottom, Word(token, box)))
                continue
            pieces = [(left, bottom, right, top, token)]
        for x0, y0, x1, y1, piece in pieces:
            box = _display_box((x0, y0, x1, y1), crop, rotation)
            append((box.x, box.y, box.x1, box.y1, Word(piece, box)))
    return items


def _char_index_map(raw: object, text: str, count: int) -> Callable[[int], int]:
    """Text offset -> PDFium char index, for pages where the two differ (chars that PDFium
    inserted or excluded, or characters outside the BMP taking two UTF-16 units)."""
    units: list[int] = []
    total = 0
    for char in text:
        units.append(total)
        total += 2 if ord(char) > 0xFFFF else 1

    def lookup(offset: int) -> int:
        index = pdfium_c.FPDFText_GetCharIndexFromTextIndex(raw, units[offset])
        return min(max(index, 0), count - 1)

    return lookup


def _same_line(a: Rect, b: Rect) -> bool:
    """Whether two characters of one word sit on one line (of horizontal or vertical text)."""
    same_row = abs(a[1] + a[3] - b[1] - b[3]) <= max(a[3] - a[1], b[3] - b[1])
    same_column = abs(a[0] + a[2] - b[0] - b[2]) <= max(a[2] - a[0], b[2] - b[0])
    return same_row or same_column


def _split_word(token: str, indices: range, box_of: Callable[[int], Rect | None]) -> list[UserWord]:
    """Box a word char by char, cutting it where the characters jump to another line."""
    boxes = [box_of(index) for index in indices]
    known = [box for box in boxes if box is not None]
    if not known:
        return []
    if len(boxes) != len(token):
        return [(*_union(known), token)]
    pieces: list[tuple[str, list[Rect]]] = [("", [])]
    for char, box in zip(token, boxes, strict=True):
        text, rects = pieces[-1]
        if box is not None and rects and not _same_line(rects[-1], box):
            pieces.append((char, [box]))
        else:
            pieces[-1] = (text + char, [*rects, box] if box is not None else rects)
    return [(*_union(rects), text) for text, rects in pieces if rects]


def _union(rects: list[Rect]) -> Rect:
    return (
        min(rect[0] for rect in rects),
        min(rect[1] for rect in rects),
        max(rect[2] for rect in rects),
        max(rect[3] for rect in rects),
    )


def _reading_frame(items: list[Item], width: float, height: float) -> Frame | None:
    """None for upright text, else a frame in which the page's text reads left to right.

    The direction is voted by consecutive words of a sample (PDFium returns them in
    content order): a page drawn upside down or sideways is laid out turned back.
    """
    votes = {"right": 0, "left": 0, "down": 0, "up": 0}
    sample = items[:_DIRECTION_SAMPLE]
    # "right" wins ties, so once it holds half of all the sample's votes the rest cannot
    # change the outcome (the common case: upright text decided in half the sample)
    pairs = len(sample) - 1
    decided = (pairs + 1) // 2
    for (ax0, ay0, ax1, ay1, _), (bx0, by0, bx1, by1, _) in itertools.pairwise(sample):
        dx = (bx0 + bx1 - ax0 - ax1) / 2
        dy = (by0 + by1 - ay0 - ay1) / 2
        if abs(dy) < (ay1 - ay0) / 2 and dx:
            if dx > 0:
                votes["right"] += 1
                if votes["right"] >= decided:
                    return None
            else:
                votes["left"] += 1
        elif abs(dx) < (ax1 - ax0) / 2 and dy:
            votes["down" if dy > 0 else "up"] += 1
    direction = max(votes, key=lambda key: (votes[key], key == "right"))
    if direction == "left":
        return lambda x0, y0, x1, y1: (width - x1, height - y1, width - x0, height - y0)
    if direction == "down":  # lines follow each other from right to left
        return lambda x0, y0, x1, y1: (y0, width - x1, y1, width - x0)
    if direction == "up":
        return lambda x0, y0, x1, y1: (height - y1, x0, height - y0, x1)
    return None
