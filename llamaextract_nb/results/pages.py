"""Render cited pages locally with the citation boxes drawn (Pillow): PDF pages through
pypdfium2, image files (PNG, JPEG, TIFF pages, WebP, BMP) as displayed, EXIF orientation
applied, whose page units are their pixels."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont, ImageOps

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


_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"BM")


def page_kind(source: Source | None) -> str | None:
    """``"pdf"`` or ``"image"`` when ``source`` (bytes or a readable file) can be rendered."""
    if source is None:
        return None
    if isinstance(source, bytes):
        head = source[:1024]
    else:
        try:
            with open(source, "rb") as handle:
                head = handle.read(1024)
        except OSError:
            return None
    if head.lstrip().startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(_IMAGE_MAGIC) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return "image"
    return None


def is_pdf(source: Source | None) -> bool:
    """True when ``source`` is PDF bytes or a readable file starting with ``%PDF-``."""
    return page_kind(source) == "pdf"


def is_image(source: Source | None) -> bool:
    """True when ``source`` is PNG, JPEG, TIFF, BMP or WebP bytes (or such a file)."""
    return page_kind(source) == "image"


def render_pages(source: Source, marks: dict[int, list[Mark]], width: int) -> dict[int, str]:
    """A JPEG data URI per 1-based page number in ``marks`` (pages outside the document are
    skipped); ``source`` is a PDF or an image file (see :func:`page_kind`)."""
    if page_kind(source) == "image":
        return _render_image_pages(source, marks, width)
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
        with _opened_image(source) as picture:
            shown = _image_page(picture, page, 2 * width)
        if shown is None:
            return None
        image, size = shown
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


def _render_image_pages(source: Source, marks: dict[int, list[Mark]], width: int) -> dict[int, str]:
    images: dict[int, str] = {}
    with _opened_image(source) as picture:
        for number, page_marks in marks.items():
            shown = _image_page(picture, number, width)
            if shown is None:
                continue
            image, size = shown
            _draw(image, page_marks, size)
            images[number] = _data_uri(image)
    return images


def _opened_image(source: Source) -> Image.Image:
    return Image.open(io.BytesIO(source) if isinstance(source, bytes) else source)


def _image_page(
    picture: Image.Image, number: int, width: int
) -> tuple[Image.Image, tuple[float, float]] | None:
    """Page (frame) ``number`` of an image as displayed (EXIF orientation applied), reduced
    to ``width`` pixels wide at most, and its size in page units (full-size pixels)."""
    if not 1 <= number <= getattr(picture, "n_frames", 1):
        return None
    picture.seek(number - 1)
    full_w, full_h = picture.size
    if picture.getexif().get(0x0112, 1) in (5, 6, 7, 8):  # EXIF orientation turns it
        full_w, full_h = full_h, full_w
    if picture.format == "JPEG":
        picture.draft("RGB", (width, width))  # decode reduced when much larger
    image = (ImageOps.exif_transpose(picture) or picture).convert("RGB")
    image.thumbnail((width, width * 8), Image.Resampling.LANCZOS)
    return image, (float(full_w), float(full_h))


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
        if not mark.label:
            continue
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
