"""Image files (PNG, JPEG, TIFF with its pages, WebP, BMP) -> pages read by OCR.

Hostile images are refused before any pixel is decoded: the size in the header must stay
within :data:`MAX_PIXELS` per page (Pillow's decompression-bomb check is made an error
too), and a truncated or damaged file fails with a message. Each page is decoded, read
and dropped before the next one (a multi-page TIFF never holds two pages at once), and
decoded no larger than the recogniser reads it (JPEGs are decoded reduced). Page
coordinates are the image's pixels as displayed (EXIF orientation applied).
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from PIL import Image, ImageOps

from llamaextract_nb.local.engine import ocr
from llamaextract_nb.local.engine.document import Document, DocumentError, Page
from llamaextract_nb.local.engine.parsers.pages import select_pages
from llamaextract_nb.local.engine.parsers.scan import ocr_page

MAX_PIXELS = 80_000_000
"""Largest page accepted, in pixels (a 48-megapixel phone photo fits; 30000 x 30000 not)."""
READ_SIDE = ocr.MAX_SIDE
FORMATS = ("PNG", "JPEG", "TIFF", "WEBP", "BMP")


def parse_image(
    data: bytes,
    filename: str,
    *,
    need_tables: bool = False,
    pages: set[int] | None = None,
    max_pages: int | None = None,
) -> Document:
    """OCR every selected page (TIFF frame) of an image file into a :class:`Document`."""
    ocr.engine()  # fails first, with the install hint, when the OCR extra is missing
    result: list[Page] = []
    with _opened(data, filename) as image:
        count = getattr(image, "n_frames", 1)
        for number in select_pages(count, pages, max_pages, filename):
            page_image, width, height = _page(image, number, filename)
            scale = width / page_image.width
            result.append(
                ocr_page(page_image, number, width, height, scale, need_tables=need_tables)
            )
            del page_image
    if not any(page.lines for page in result):
        raise DocumentError(
            f"no text was found in {filename}: OCR read nothing on its "
            f"page{'s' if len(result) != 1 else ''}. Check that the image shows a document "
            "and is not blank or too blurred."
        )
    return Document(pages=result, kind="image", has_geometry=True, has_text_layer=True)


@contextmanager
def _opened(data: bytes, filename: str) -> Iterator[Image.Image]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise DocumentError(_too_large(filename, exc)) from exc
    except Exception as exc:  # Pillow raises many kinds on damaged headers
        raise DocumentError(_damaged(filename, exc)) from exc
    try:
        yield image
    finally:
        image.close()


def _page(image: Image.Image, number: int, filename: str) -> tuple[Image.Image, int, int]:
    """Page ``number`` decoded (reduced) and upright, with its full displayed size."""
    try:
        image.seek(number - 1)
        width, height = image.size
        if width <= 0 or height <= 0:
            raise DocumentError(f"page {number} of {filename} is an empty image (0 pixels).")
        if width * height > MAX_PIXELS:
            raise DocumentError(
                _too_large(filename, f"{width} x {height} = {width * height:,} pixels")
            )
        turned = image.getexif().get(0x0112, 1) in (5, 6, 7, 8)  # EXIF orientation
        if image.format == "JPEG" and max(width, height) > READ_SIDE:
            image.draft("RGB", (READ_SIDE, READ_SIDE))  # decode at 1/2, 1/4 or 1/8 size
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.load()
        upright = ImageOps.exif_transpose(image) or image
        page = _flatten(upright)
    except DocumentError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise DocumentError(_too_large(filename, exc)) from exc
    except Exception as exc:  # truncated data, bad chunks, codec errors
        raise DocumentError(_damaged(filename, exc, number)) from exc
    if max(page.size) > READ_SIDE:
        page.thumbnail((READ_SIDE, READ_SIDE), Image.Resampling.LANCZOS)
    if turned:
        width, height = height, width
    return page, width, height


def _flatten(image: Image.Image) -> Image.Image:
    """RGB on white: transparency composited, 16-bit and float pages scaled to 8 bits."""
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
        low, high = (float(value) for value in image.getextrema())  # type: ignore[arg-type]
        span = (high - low) or 1.0
        image = image.point(lambda value: (value - low) * 255 / span).convert("L")
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image.convert("RGB")


def _too_large(filename: str, detail: object) -> str:
    if isinstance(detail, Exception):  # Pillow's check: "Image size (N pixels) exceeds ..."
        found = re.search(r"\((\d+) pixels\)", str(detail))
        detail = f"{int(found.group(1)):,} pixels" if found else "too many pixels"
    return (
        f"{filename} is too large an image to read ({detail}); pages of up to "
        f"{MAX_PIXELS:,} pixels are accepted. Scan at 300 dpi or less, or resize it."
    )


def _damaged(filename: str, exc: Exception, number: int | None = None) -> str:
    where = f"page {number} of {filename}" if number and number > 1 else filename
    return (
        f"{where} cannot be read as an image: the file is damaged or truncated ({exc}). "
        "Export or download it again."
    )
