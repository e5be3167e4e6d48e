"""Render cited PDF pages (pypdfium2) and images locally, with the citation boxes drawn (Pillow)."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

Source = str | Path | bytes


@dataclass(frozen=True)
class Mark:
    """A box to draw: page units (top-left origin), the page size those units refer to, a label."""

    x: float
    y: float
    w: float
    h: float
    page_size: tuple[float, float] | None
    label: str
    low: bool


OK_COLOUR = (46, 157, 74)
LOW_COLOUR = (217, 69, 60)


def is_pdf(source: Source | None) -> bool:
    """True when ``source`` is PDF bytes or a readable file starting with ``%PDF-``."""
    if source is None:
        return False
    if isinstance(source, bytes):
        return source[:1024].lstrip().startswith(b"%PDF-")
    try:
        with open(source, "rb") as handle:
            return handle.read(1024).lstrip().startswith(b"%PDF-")
    except OSError:
        return False


def is_image(source: Source | None) -> bool:
    """True when ``source`` is PNG, JPEG, TIFF, GIF, BMP or WebP bytes (or such a file)."""
    if source is None:
        return False
    head = source[:16] if isinstance(source, bytes) else _head(source)
    return head.startswith(_IMAGE_MAGIC) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")


_IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"GIF8", b"BM")


def _head(path: str | Path) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read(16)
    except OSError:
        return b""


def render_pages(source: Source, marks: dict[int, list[Mark]], width: int) -> dict[int, str]:
    """A JPEG data URI per 1-based page number in ``marks`` (pages outside the PDF are skipped)."""
    import pypdfium2 as pdfium

    images: dict[int, str] = {}
    pdf = pdfium.PdfDocument(source if isinstance(source, bytes) else str(source))
    try:
        for number, page_marks in marks.items():
            if not 1 <= number <= len(pdf):
                continue
            image, size = _render_page(pdf, number, lambda page_width: width / page_width)
            _draw(image, page_marks, size)
            images[number] = _data_uri(image)
    finally:
        pdf.close()
    return images


def render_region(
    source: Source, page: int, marks: list[Mark], width: int, margin: float = 0.08
) -> str | None:
    """A JPEG data URI of the part of ``page`` around ``marks`` (boxes drawn), with context:
    ``margin`` of the page's height above and below, and the full width of the lines. For a
    PDF (any page) or an image (page 1). None when the page does not exist or has no marks."""
    if not marks:
        return None
    if is_image(source):
        if page != 1:
            return None
        opened = Image.open(io.BytesIO(source) if isinstance(source, bytes) else source)
        image = opened.convert("RGB")
        size: tuple[float, float] = (float(image.width), float(image.height))
    else:
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(source if isinstance(source, bytes) else str(source))
        try:
            if not 1 <= page <= len(pdf):
                return None
            image, size = _render_page(pdf, page, lambda page_width: 2 * width / page_width)
        finally:
            pdf.close()
    _draw(image, marks, size)
    top, bottom = _vertical_extent(marks, size, image.height)
    context = margin * image.height
    box = (0, max(0, int(top - context)), image.width, min(image.height, int(bottom + context)))
    region = image.crop(box)
    if region.width > width:
        region = region.resize((width, max(1, round(region.height * width / region.width))))
    return _data_uri(region)


def _render_page(pdf: Any, number: int, scale_for: Any) -> tuple[Image.Image, tuple[float, float]]:
    """Page ``number`` (1-based) as an RGB image at ``scale_for(page_width)``, and its size."""
    page = pdf[number - 1]
    try:
        page_width, page_height = page.get_size()
        image = page.render(scale=scale_for(page_width)).to_pil().convert("RGB")
    finally:
        page.close()
    return image, (page_width, page_height)


def _vertical_extent(
    marks: list[Mark], size: tuple[float, float], height: int
) -> tuple[float, float]:
    """The top and bottom (in image pixels) of the marks together."""
    tops, bottoms = [], []
    for mark in marks:
        units_h = (mark.page_size or size)[1]
        scale = height / units_h
        tops.append(mark.y * scale)
        bottoms.append((mark.y + mark.h) * scale)
    return min(tops), max(bottoms)


def _draw(image: Image.Image, marks: list[Mark], pdf_size: tuple[float, float]) -> None:
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    font = ImageFont.load_default(size=max(10, image.width // 60))
    for mark in marks:
        units_w, units_h = mark.page_size or pdf_size
        sx, sy = image.width / units_w, image.height / units_h
        left, top = mark.x * sx, mark.y * sy
        right, bottom = left + max(mark.w * sx, 2), top + max(mark.h * sy, 2)
        colour = LOW_COLOUR if mark.low else OK_COLOUR
        draw.rectangle(
            (left - 2, top - 2, right + 2, bottom + 2),
            fill=(*colour, 40),
            outline=(*colour, 255),
            width=2,
        )
        text_box = draw.textbbox((0, 0), mark.label, font=font)
        label_w, label_h = text_box[2] - text_box[0] + 6, text_box[3] - text_box[1] + 4
        # the number goes left of the box (margins and cell padding are blank), else above it
        label_left, label_top = left - 4 - label_w, top - 2
        if label_left < 0:
            label_left, label_top = left - 2, max(top - 2 - label_h, 0)
        draw.rectangle(
            (label_left, label_top, label_left + label_w, label_top + label_h), fill=(*colour, 230)
        )
        draw.text(
            (label_left + 3 - text_box[0], label_top + 2 - text_box[1]),
            mark.label,
            font=font,
            fill=(255, 255, 255, 255),
        )
    image.paste(Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB"))


def _data_uri(image: Image.Image) -> str:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=78, optimize=True)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
