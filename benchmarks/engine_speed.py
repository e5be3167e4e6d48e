"""Pages per second of the full local ``extract()`` beside raw pypdfium2 text extraction.

Two cases, each timed on the same files in the same run:

- no tables: the Kleister-NDA train PDFs (``../shared/corpus``) with the NDA schema;
- tables: generated multi-page invoice PDFs whose schema has a line-item array.

Usage: ``python benchmarks/engine_speed.py [--limit N] [--corpus DIR]``. Goals on the
project's 2-core machine: >= 100 pages/s without tables, >= 10 pages/s with tables.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pypdfium2 as pdfium

from llamaextract_nb.local.engine import extract

NDA_SCHEMA = {
    "type": "object",
    "properties": {
        "effective_date": {"type": "string", "format": "date"},
        "jurisdiction": {"type": "string", "description": "governing law: US state or country"},
        "parties": {"type": "array", "items": {"type": "string"}},
        "term": {"type": "string", "description": "duration of the agreement, e.g. 3 years"},
    },
}
INVOICE_SCHEMA = {
    "type": "object",
    "properties": {
        "vendor_name": {"type": "string"},
        "invoice_number": {"type": "string"},
        "invoice_date": {"type": "string", "format": "date"},
        "total_amount": {"type": "number"},
        "line_items": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "description": {"type": "string"},
                    "quantity": {"type": "number"},
                    "unit_price": {"type": "number"},
                    "amount": {"type": "number"},
                },
            },
        },
    },
}
DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared/corpus/kleister-nda-train/documents"


def invoice_pdf(pages: int, rows_per_page: int = 30) -> bytes:
    """A generated invoice whose line-item table runs over ``pages`` pages."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    number = 0
    for page in range(pages):
        pdf.add_page()
        pdf.set_font("Helvetica", size=10)
        if page == 0:
            pdf.set_font("Helvetica", "B", 15)
            pdf.cell(0, 9, "Northwind Tools Ltd", new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("Helvetica", size=10)
            pdf.cell(0, 6, "Invoice No.: NW-2291", new_x="LMARGIN", new_y="NEXT")
            pdf.cell(0, 6, "Invoice date: 2026-03-14", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(4)
        for cells in [("Description", "Qty", "Unit price", "Amount")] + [
            (
                f"Part {number + i:04d} steel bracket",
                str(i % 7 + 1),
                "12.50",
                f"{(i % 7 + 1) * 12.5:.2f}",
            )
            for i in range(rows_per_page)
        ]:
            pdf.cell(90, 6.5, cells[0], border=1)
            pdf.cell(20, 6.5, cells[1], border=1, align="R")
            pdf.cell(30, 6.5, cells[2], border=1, align="R")
            pdf.cell(30, 6.5, cells[3], border=1, align="R", new_x="LMARGIN", new_y="NEXT")
        number += rows_per_page
    pdf.cell(140, 7, "Total due", align="R")
    pdf.cell(30, 7, "9,999.00", align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def raw_pages_per_second(files: list[tuple[str, bytes]]) -> tuple[int, float]:
    """pypdfium2 text extraction of every page (the floor any PDF engine pays)."""
    pages = 0
    start = time.perf_counter()
    for _, data in files:
        document = pdfium.PdfDocument(data)
        for page in document:
            page.get_textpage().get_text_bounded()
            pages += 1
        document.close()
    return pages, pages / (time.perf_counter() - start)


def engine_pages_per_second(files: list[tuple[str, bytes]], schema: dict) -> tuple[int, float, int]:
    """Full ``extract()`` of every file; returns pages, pages/s and failed documents."""
    pages = failures = 0
    start = time.perf_counter()
    for name, data in files:
        try:
            output = extract(
                data, name, {"data_schema": schema, "cite_sources": True, "confidence_scores": True}
            )
        except Exception:  # a document the engine rejects still counts in the timing
            failures += 1
            continue
        pages += output.usage["num_pages_extracted"]
    return pages, pages / (time.perf_counter() - start), failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, default=254, help="NDA documents to time")
    parser.add_argument("--invoices", type=int, default=10, help="generated invoices (5 pages)")
    args = parser.parse_args()

    ndas = [(p.name, p.read_bytes()) for p in sorted(args.corpus.glob("*.pdf"))[: args.limit]]
    invoices = [(f"invoice-{i}.pdf", invoice_pdf(5)) for i in range(args.invoices)]
    print(
        f"{'case':<28}{'docs':>6}{'pages':>7}{'raw pdfium p/s':>16}{'extract() p/s':>15}"
        f"{'ratio':>7}{'goal':>7}"
    )
    for case, files, schema, goal in (
        ("no tables (Kleister NDA)", ndas, NDA_SCHEMA, 100),
        ("tables (invoices, 5 pages)", invoices, INVOICE_SCHEMA, 10),
    ):
        if not files:
            print(f"{case:<28} no files found")
            continue
        _, raw_rate = raw_pages_per_second(files)
        pages, rate, failures = engine_pages_per_second(files, schema)
        note = f"  ({failures} failed)" if failures else ""
        print(
            f"{case:<28}{len(files):>6}{pages:>7}{raw_rate:>16.1f}{rate:>15.1f}"
            f"{rate / raw_rate:>7.2f}{goal:>7}{note}"
        )


if __name__ == "__main__":
    main()
