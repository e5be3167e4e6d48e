"""Render cited PDF pages locally (pypdfium2) with the citation boxes drawn (Pillow)."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from pathlib import Path

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


def render_pages(source: Source, marks: dict[int, list[Mark]], width: int) -> dict[int, str]:
    """A JPEG data URI per 1-based page number in ``marks`` (pages outside the PDF are skipped)."""
    import pypdfium2 as pdfium

    images: dict[int, str] = {}
    pdf = pdfium.PdfDocument(source if isinstance(source, bytes) else str(source))
    try:
        for number, page_marks in marks.items():
            if not 1 <= number <= len(pdf):
                continue
            page = pdf[number - 1]
            try:
                page_width, page_height = page.get_size()
                image = page.render(scale=width / page_width).to_pil().convert("RGB")
            finally:
                page.close()
            _draw(image, page_marks, (page_width, page_height))
            images[number] = _data_uri(image)
    finally:
        pdf.close()
    return images


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
