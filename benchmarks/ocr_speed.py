"""Pages per second on scanned pages: ``extract()`` beside the OCR engine alone, and the
peak memory of a worker extracting a long scanned PDF.

In one run:

- invoice-like A4 pages scanned at the OCR engine's recommended resolution (text rendered
  with Pillow at 150 dpi, slightly blurred, each placed as a page image in a PDF without a
  text layer): RapidOCR alone on each page image (the same engine and models, called
  directly) and ``extract()`` on each PDF (render, OCR, straighten, lay out, extract),
  interleaved page by page so the machine's load falls on both alike; wall and CPU time;
  then the same pages through ``extract()`` in one process per core, as the server's
  workers run them;
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
import tempfile
import time
from collections.abc import Callable
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


def scanned_pdf(images: list[object]) -> bytes:
    """A PDF of page images (no text layer)."""
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format="A4")
    for image in images:
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")  # type: ignore[attr-defined]
        pdf.add_page()
        pdf.image(io.BytesIO(buffer.getvalue()), x=0, y=0, w=595, h=842)
    return bytes(pdf.output())


Timing = tuple[float, float]
"""(wall seconds, CPU seconds of this process: all of onnxruntime's threads)."""


def timed(call: Callable[[], object]) -> Timing:
    started, cpu = time.perf_counter(), time.process_time()
    call()
    return time.perf_counter() - started, time.process_time() - cpu


def compare(label: str, pages: list[tuple[object, bytes, str]]) -> None:
    """Each page through the engine alone and through ``extract()``, interleaved (the order
    swapped every page) so that the machine's load falls on both alike."""
    engine = ocr.engine()
    alone: list[Timing] = []
    extracted: list[Timing] = []
    for index, (image, data, name) in enumerate(pages):
        rgb = image.convert("RGB")  # type: ignore[attr-defined]
        steps = [
            (alone, lambda rgb=rgb: engine(rgb)),
            (extracted, lambda data=data, name=name: extract(data, name, {"data_schema": SCHEMA})),
        ]
        for into, call in steps if index % 2 == 0 else steps[::-1]:
            into.append(timed(call))
    report(label, len(pages), alone, extracted)


def report(label: str, pages: int, alone: list[Timing], extracted: list[Timing]) -> None:
    wall_alone, cpu_alone = (sum(t[i] for t in alone) for i in (0, 1))
    wall_extract, cpu_extract = (sum(t[i] for t in extracted) for i in (0, 1))
    rate_alone, rate_extract = pages / wall_alone, pages / wall_extract
    print(
        f"{label}: {pages} pages (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )
    print(f"  OCR engine alone   {rate_alone:6.2f} pages/s   {cpu_alone / pages:5.2f} CPU s/page")
    print(
        f"  extract()          {rate_extract:6.2f} pages/s   {cpu_extract / pages:5.2f} CPU s/page"
        f"   goal >= 0.5 pages/s: {'met' if rate_extract >= 0.5 else 'NOT met'}"
        f" (CPU-bound, one worker per core: {os.cpu_count() * pages / cpu_extract:.2f})"
    )
    ratio, cpu_ratio = rate_extract / rate_alone, cpu_alone / cpu_extract
    print(
        f"  extract() / alone  {ratio:6.2f}x wall, {cpu_ratio:.2f}x CPU"
        f"   goal >= 0.8x: {'met' if min(ratio, cpu_ratio) >= 0.8 else 'NOT met'}"
    )


def _extract_pages(data: bytes) -> int:
    return int(extract(data, "scan.pdf", {"data_schema": SCHEMA}).usage["num_pages_extracted"])


def in_workers(label: str, documents: list[bytes]) -> None:
    """The documents through ``extract()`` in one process per core, as the local server
    runs its workers (processes started and warmed up before the clock starts)."""
    from concurrent.futures import ProcessPoolExecutor

    workers = os.cpu_count() or 1
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(_extract_pages, documents[:workers]))  # load the models in each
        started = time.perf_counter()
        pages = sum(pool.map(_extract_pages, documents))
        elapsed = time.perf_counter() - started
    rate = pages / elapsed
    print(
        f"  {label} in {workers} worker processes: {rate:.2f} pages/s"
        f"   goal >= 0.5 pages/s: {'met' if rate >= 0.5 else 'NOT met'}"
    )


def memory_child(path: str) -> None:
    """Run in a fresh process: extract the scanned PDF at ``path``, print peak memory."""
    data = Path(path).read_bytes()
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


def memory_run(pages: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "long-scan.pdf"
        path.write_bytes(scanned_pdf([page_image(number) for number in range(pages)]))
        done = subprocess.run(
            [sys.executable, __file__, "--memory-child", str(path)],
            capture_output=True,
            text=True,
            check=True,
        )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    print(
        f"Worker memory: {figures['pages']} scanned pages in {figures['seconds']:.0f} s, "
        f"peak RSS {figures['peak_mb']:.0f} MB   goal < 1024 MB: "
        f"{'met' if figures['peak_mb'] < 1024 else 'NOT met'}"
        f"   (peak address space {figures['address_mb']:.0f} MB; server workers are capped"
        " at --worker-memory-mb, default 2048)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=6, help="scanned A4 pages to time")
    parser.add_argument("--receipts", type=int, default=0, help="SROIE receipt photos to time")
    parser.add_argument("--memory-pages", type=int, default=50, help="0 skips the memory run")
    parser.add_argument("--memory-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.memory_child)
        return
    print(f"cores: {os.cpu_count()}, OCR: RapidOCR PP-OCRv6 small, {ocr.RECOMMENDED_DPI} dpi")
    ocr.engine()  # models loaded before any timing
    images = [page_image(number) for number in range(args.pages + 1)]
    extract(scanned_pdf(images[:1]), "warm-up.pdf", {"data_schema": SCHEMA})
    pages = [(image, scanned_pdf([image]), f"scan-{n}.pdf") for n, image in enumerate(images[1:])]
    compare(f"Scanned A4 invoice pages at {ocr.RECOMMENDED_DPI} dpi", pages)
    in_workers("extract()", [data for _, data, _ in pages])
    if args.receipts:
        from PIL import Image

        folder = _corpus() / "sroie-tune" / "img"
        paths = sorted(folder.glob("*.jpg"))[: args.receipts]
        compare(
            "SROIE receipt photos",
            [(Image.open(path), path.read_bytes(), path.name) for path in paths],
        )
    if args.memory_pages:
        memory_run(args.memory_pages)


def _corpus() -> Path:
    env = os.environ.get("LLAMAEXTRACT_CORPUS")
    return Path(env) if env else REPO.parent / "shared" / "corpus"


if __name__ == "__main__":
    main()
