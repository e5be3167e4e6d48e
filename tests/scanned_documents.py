"""Scans and photos made by the tests: text rendered with Pillow, turned, skewed, noisy,
saved as image files or wrapped in PDFs (fpdf2)."""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

INVOICE_LINES = (
    "ACME TRADING LTD",
    "Invoice No: INV-2041",
    "Date: 12 March 2024",
    "Total: 1,234.56",
)
INVOICE_SCHEMA = {
    "type": "object",
    "properties": {
        "invoice_number": {"type": "string", "description": "The invoice number"},
        "invoice_date": {"type": "string", "format": "date", "description": "Invoice date"},
        "total": {"type": "number", "description": "Total amount"},
    },
}
INVOICE_VALUES = {"invoice_number": "INV-2041", "invoice_date": "2024-03-12", "total": 1234.56}


@dataclass
class Scan:
    image: Image.Image
    boxes: dict[
        str, tuple[int, int, int, int]
    ]  # each line's text box in the image (x0, y0, x1, y1)


def scan(
    lines: tuple[str, ...] = INVOICE_LINES, *, size: int = 30, width: int = 620, margin: int = 40
) -> Scan:
    """Black text on white, one line per row, like a 150 dpi scan of a printed page."""
    font = ImageFont.truetype(FONT, size)
    height = margin * 2 + len(lines) * size * 2
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    boxes = {}
    for index, line in enumerate(lines):
        x, y = margin, margin + index * size * 2
        draw.text((x, y), line, fill="black", font=font)
        boxes[line] = draw.textbbox((x, y), line, font=font)
    return Scan(image, boxes)


def noisy(image: Image.Image, *, seed: int = 7, amount: float = 0.04) -> Image.Image:
    """Speckles (salt and pepper on a share of the pixels) and a slight blur."""
    rng = random.Random(seed)
    noisy_image = image.copy()
    pixels = noisy_image.load()
    assert pixels is not None
    width, height = noisy_image.size
    for _ in range(int(width * height * amount)):
        x, y = rng.randrange(width), rng.randrange(height)
        shade = rng.choice((0, 90, 180, 255))
        pixels[x, y] = (shade, shade, shade)
    return noisy_image.filter(ImageFilter.GaussianBlur(0.6))


def photo(image: Image.Image, angle: float) -> Image.Image:
    """A skewed photo: the page turned by ``angle`` degrees on a grey background."""
    return image.rotate(angle, expand=True, fillcolor=(150, 150, 150), resample=Image.BICUBIC)


def encoded(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def tiff(pages: list[Image.Image]) -> bytes:
    buffer = io.BytesIO()
    pages[0].save(buffer, format="TIFF", save_all=True, append_images=pages[1:])
    return buffer.getvalue()


def scanned_pdf(pages: list[Image.Image | str], stamp: str | None = None) -> bytes:
    """A letter-size PDF: an image is a scanned page (drawn over the whole page, no text
    layer, or only ``stamp`` as a scanner writes in a corner), a string a page with that
    text in its text layer."""
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format="letter")
    for page in pages:
        pdf.add_page()
        if isinstance(page, str):
            pdf.set_font("helvetica", size=14)
            for index, line in enumerate(page.splitlines()):
                pdf.text(72, 90 + index * 24, line)
        else:
            width = 612 - 2 * 36
            pdf.image(io.BytesIO(encoded(page, "PNG")), x=36, y=36, w=width)
            if stamp:
                pdf.set_font("helvetica", size=6)
                pdf.text(36, 780, stamp)
    return bytes(pdf.output())
