"""Pages per second on scanned pages: ``extract()`` beside the OCR engine alone, and the
peak memory of a worker extracting a long scanned PDF.

In one run:

- a scanned PDF of invoice-like A4 pages (text rendered with Pillow at the OCR engine's
  recommended resolution, 150 dpi, slightly noisy, placed as page images without a text
  layer): RapidOCR alone on each page image (the same engine and models, called directly),
  then ``extract()`` on the whole PDF (render, OCR, straighten, lay out, extract);
- optionally SROIE receipt photos (``--receipts N``) the same way, one image per document;
- a fresh process extracting a ``--memory-pages`` page scanned PDF (default 50): its
  peak RSS beside the 1 GB goal.

Goals: >= 0.5 pages/s through ``extract()`` on this 2-core machine, ``extract()`` >= 0.8x
the engine alone, peak RSS < 1 GB. Usage: ``python benchmarks/ocr_speed.py [--pages 6]
[--receipts 0] [--memory-pages 50]``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from llamaextract_nb.local.engine import extract, ocr  # noqa: E402

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
SCHEMA = {
    "type": "object",
    "properties": {
        "invoice_number": {"type": "string", "description": "The invoice number"},
        "invoice_date": {"type": "string", "format": "date", "description": "Invoice date"},
        "seller": {"type": "string", "description": "Company that issued the invoice"},
        "total": {"type": "number", "description": "Total amount due"},
    },
}
ITEMS = ("Consulting services", "Server rental", "Support contract", "Licence fee", "Travel")


def page_image(number: int, dpi: int = ocr.RECOMMENDED_DPI) -> object:
    """An A4 invoice page at ``dpi``: header, addresses, 12 item rows, totals, terms."""
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    scale = dpi / 72
    width, height = round(595 * scale), round(842 * scale)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    body = ImageFont.truetype(FONT, round(10 * scale))
    title = ImageFont.truetype(FONT, round(16 * scale))
    rng = random.Random(number)
    y = 60 * scale

    def line(text: str, x: float = 60, font: object = body, step: float = 16) -> None:
        nonlocal y
        draw.text((x * scale, y), text, fill=0, font=font)
        y += step * scale

    line("NORTHWIND SUPPLIES LTD", font=title, step=26)
    line("14 Harbour Road, Bristol BS1 4RN, United Kingdom")
    line("VAT GB 123 4567 89", step=30)
    line(f"Invoice No: NW-{2400 + number}")
    line(f"Invoice Date: {1 + number % 27} March 2024")
    line("Bill to: Contoso Retail plc, 8 Market Street, Leeds LS1 6DT", step=30)
    line("Description                         Qty      Unit price        Amount", step=20)
    total = 0.0
    for _ in range(12):
        item, qty, price = rng.choice(ITEMS), rng.randint(1, 9), rng.randint(20, 900) + 0.5
        total += qty * price
        line(f"{item:<34}{qty:>4}{price:>16,.2f}{qty * price:>16,.2f}")
    y += 10 * scale
    line(f"Total due: {total:,.2f} GBP", x=330, step=30)
    line("Payment within 30 days to Northwind Bank, sort code 12-34-56, account 87654321.")
    line("Thank you for your business.")
    return image.filter(ImageFilter.GaussianBlur(0.5))


def scanned_pdf(pages: int) -> tuple[bytes, list[object]]:
    """A PDF of ``pages`` page images (no text layer), and those images."""
    from fpdf import FPDF

    images = [page_image(number) for number in range(pages)]
    pdf = FPDF(unit="pt", format="A4")
    for image in images:
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")  # type: ignore[attr-defined]
        pdf.add_page()
        pdf.image(io.BytesIO(buffer.getvalue()), x=0, y=0, w=595, h=842)
    return bytes(pdf.output()), images


Timing = tuple[float, float]
"""(wall seconds, CPU seconds of this process: all of onnxruntime's threads)."""


def engine_alone(images: list[object]) -> Timing:
    """RapidOCR alone (the same engine and models, called directly) on every image."""
    engine = ocr.engine()
    started, cpu = time.perf_counter(), time.process_time()
    for image in images:
        engine(image.convert("RGB"))  # type: ignore[attr-defined]
    return time.perf_counter() - started, time.process_time() - cpu


def through_extract(documents: list[tuple[bytes, str]]) -> tuple[Timing, int, list[dict]]:
    started, cpu = time.perf_counter(), time.process_time()
    pages = 0
    results = []
    for data, name in documents:
        output = extract(data, name, {"data_schema": SCHEMA, "confidence_scores": True})
        pages += int(output.usage["num_pages_extracted"])
        results.append(output.result)
    return (time.perf_counter() - started, time.process_time() - cpu), pages, results


def report(label: str, pages: int, alone_timing: Timing, extract_timing: Timing) -> None:
    (alone, alone_cpu), (extracted, extract_cpu) = alone_timing, extract_timing
    alone_rate, extract_rate = pages / alone, pages / extracted
    print(
        f"{label}: {pages} pages (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )
    print(
        f"  OCR engine alone   {alone_rate:6.2f} pages/s  ({alone:.1f} s wall,"
        f" {alone_cpu / pages:.2f} CPU s/page)"
    )
    print(
        f"  extract()          {extract_rate:6.2f} pages/s  ({extracted:.1f} s wall,"
        f" {extract_cpu / pages:.2f} CPU s/page)"
        f"   goal >= 0.5 pages/s: {'met' if extract_rate >= 0.5 else 'NOT met'}"
    )
    ratio = extract_rate / alone_rate
    print(
        f"  extract() / alone  {ratio:6.2f}x (by CPU time {alone_cpu / extract_cpu:.2f}x)"
        f"   goal >= 0.8x: {'met' if ratio >= 0.8 else 'NOT met'}"
    )


def memory_child(pages: int) -> None:
    """Run in a fresh process: extract a ``pages`` page scanned PDF, print peak RSS."""
    data, images = scanned_pdf(pages)
    del images
    started = time.perf_counter()
    output = extract(data, "long-scan.pdf", {"data_schema": SCHEMA})
    elapsed = time.perf_counter() - started
    # VmHWM is this process's own peak (ru_maxrss would count the parent it was forked from)
    with open("/proc/self/status") as status:
        text = status.read()
    peak_kb = int(text.split("VmHWM:")[1].split()[0])
    address_kb = int(text.split("VmPeak:")[1].split()[0])  # the workers' cap applies to this
    print(
        json.dumps(
            {
                "pages": output.usage["num_pages_extracted"],
                "seconds": elapsed,
                "peak_mb": peak_kb / 1024,
                "address_mb": address_kb / 1024,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=6, help="scanned A4 pages to time")
    parser.add_argument("--receipts", type=int, default=0, help="SROIE receipt photos to time")
    parser.add_argument("--memory-pages", type=int, default=50, help="0 skips the memory run")
    parser.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.memory_child)
        return
    print(f"cores: {os.cpu_count()}, OCR: RapidOCR PP-OCRv6 small, {ocr.RECOMMENDED_DPI} dpi")
    ocr.engine()  # models loaded before any timing
    data, images = scanned_pdf(args.pages)
    extract(data, "warm-up.pdf", {"data_schema": SCHEMA, "target_pages": "1"})  # warm-up
    alone = engine_alone(images)
    extracted, pages, results = through_extract([(data, "scan.pdf")])
    report(f"Scanned A4 invoices at {ocr.RECOMMENDED_DPI} dpi", pages, alone, extracted)
    right = sum(1 for number, result in enumerate(results[:1]) if result["invoice_number"])
    print(f"  (values found on the scan: {results[0]}; {right} document)")
    if args.receipts:
        from PIL import Image

        folder = _corpus() / "sroie-tune" / "img"
        paths = sorted(folder.glob("*.jpg"))[: args.receipts]
        alone = engine_alone([Image.open(path) for path in paths])
        extracted, pages, _ = through_extract([(path.read_bytes(), path.name) for path in paths])
        report("SROIE receipt photos", pages, alone, extracted)
    if args.memory_pages:
        done = subprocess.run(
            [sys.executable, __file__, "--memory-child", str(args.memory_pages)],
            capture_output=True,
            text=True,
            check=True,
        )
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        print(
            f"Worker memory: {figures['pages']} scanned pages in {figures['seconds']:.0f} s, "
            f"peak RSS {figures['peak_mb']:.0f} MB   goal < 1024 MB: "
            f"{'met' if figures['peak_mb'] < 1024 else 'NOT met'}"
            f"   (peak address space {figures['address_mb']:.0f} MB; workers are capped at"
            " --worker-memory-mb, default 2048)"
        )


def _corpus() -> Path:
    env = os.environ.get("LLAMAEXTRACT_CORPUS")
    return Path(env) if env else REPO.parent / "shared" / "corpus"


if __name__ == "__main__":
    main()
