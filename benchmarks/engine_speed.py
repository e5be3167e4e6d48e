"""Pages per second of the full local ``extract()`` beside raw pypdfium2 text extraction.

Two cases, each timed on the same files in the same run:

- no tables: the Kleister-NDA train PDFs (``../shared/corpus``) with the NDA schema;
- tables: generated multi-page invoice PDFs whose schema has a line-item array.

Usage: ``python benchmarks/engine_speed.py [--limit N] [--corpus DIR]``. Goals on the
project's 2-core machine: >= 100 pages/s without tables, >= 10 pages/s with tables. Rates
are printed by wall clock and by CPU time (the machine may be shared), with the parser's
own share (``parse()`` alone) between raw pdfium and the full ``extract()``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pypdfium2 as pdfium

from llamaextract_nb.local.engine import DocumentError, extract
from llamaextract_nb.local.engine.parsers import parse

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


class Rate:
    """Pages per second by wall clock and by this process's CPU time.

    The machine is shared: CPU time says what the code costs when other work competes."""

    def __enter__(self) -> Rate:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu

    def per_second(self, pages: int) -> tuple[float, float]:
        return pages / self.wall, pages / max(self.cpu, 1e-9)


def raw_pages_per_second(files: list[tuple[str, bytes]]) -> tuple[float, float]:
    """pypdfium2 text extraction of every page (the floor any PDF engine pays):
    (wall, CPU) pages per second."""
    pages = 0
    with Rate() as rate:
        for _, data in files:
            document = pdfium.PdfDocument(data)
            for page in document:
                page.get_textpage().get_text_bounded()
                pages += 1
            document.close()
    return rate.per_second(pages)


def parse_pages_per_second(
    files: list[tuple[str, bytes]], need_tables: bool
) -> tuple[float, float]:
    """The engine's parser alone (its share of ``extract()``): (wall, CPU) pages/s."""
    pages = 0
    with Rate() as rate:
        for name, data in files:
            try:
                pages += len(parse(data, name, need_tables=need_tables).pages)
            except DocumentError:
                continue
    return rate.per_second(pages)


def engine_pages_per_second(
    files: list[tuple[str, bytes]], schema: dict
) -> tuple[int, tuple[float, float], int]:
    """Full ``extract()`` of every file: pages, (wall, CPU) pages/s, failed documents."""
    pages = failures = 0
    configuration = {"data_schema": schema, "cite_sources": True, "confidence_scores": True}
    with Rate() as rate:
        for name, data in files:
            try:
                output = extract(data, name, configuration)
            except Exception:  # a document the engine rejects still counts in the timing
                failures += 1
                continue
            pages += output.usage["num_pages_extracted"]
    return pages, rate.per_second(pages), failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, default=254, help="NDA documents to time")
    parser.add_argument("--invoices", type=int, default=10, help="generated invoices (5 pages)")
    args = parser.parse_args()

    ndas = [(p.name, p.read_bytes()) for p in sorted(args.corpus.glob("*.pdf"))[: args.limit]]
    invoices = [(f"invoice-{i}.pdf", invoice_pdf(5)) for i in range(args.invoices)]
    print("pages per second, wall clock / CPU time of this process")
    print(
        f"{'case':<28}{'docs':>5}{'pages':>6}{'raw pdfium':>16}{'parse() only':>16}"
        f"{'extract()':>16}{'goal':>6}"
    )
    for case, files, schema, tables, goal in (
        ("no tables (Kleister NDA)", ndas, NDA_SCHEMA, False, 100),
        ("tables (invoices, 5 pages)", invoices, INVOICE_SCHEMA, True, 10),
    ):
        if not files:
            print(f"{case:<28} no files found")
            continue
        raw_wall, raw_cpu = raw_pages_per_second(files)
        parse_wall, parse_cpu = parse_pages_per_second(files, tables)
        pages, (wall, cpu), failures = engine_pages_per_second(files, schema)
        note = f"  ({failures} failed)" if failures else ""
        print(
            f"{case:<28}{len(files):>5}{pages:>6}{raw_wall:>8.0f} /{raw_cpu:>6.0f}"
            f"{parse_wall:>8.0f} /{parse_cpu:>6.0f}{wall:>8.1f} /{cpu:>6.1f}{goal:>6}{note}"
        )


if __name__ == "__main__":
    main()
