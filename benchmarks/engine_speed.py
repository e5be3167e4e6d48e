"""Pages per second of the full local ``extract()`` beside raw pypdfium2 text extraction.

Two cases, each timed on the same files in the same run:

- no tables: the Kleister-NDA train PDFs (``../shared/corpus``) with the NDA schema;
- tables: generated multi-page invoice PDFs whose schema has a line-item array.

The machine may be shared, so every case is timed in several passes in this one process
(raw pdfium, then ``parse()`` alone, then the full ``extract()``, in each pass): the best
pass says what the code costs, the median what a run typically sees, and the ratio to raw
pdfium is taken within each pass (the median of those), so a slow moment hits both sides.

Usage: ``python benchmarks/engine_speed.py [--passes N] [--limit N] [--invoices N]
[--corpus DIR]``. Goals on the project's 2-core machine: >= 100 pages/s without tables,
>= 10 pages/s with tables.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
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


@dataclass(frozen=True, slots=True)
class Rate:
    """One timed run: pages handled, pages per second by wall clock and by this process's
    CPU time."""

    pages: int
    wall: float
    cpu: float


def timed(pages_of: Callable[[], int]) -> Rate:
    """Run ``pages_of`` (which returns the pages it handled) and say how fast it went."""
    wall, cpu = time.perf_counter(), time.process_time()
    pages = pages_of()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return Rate(pages, pages / max(wall, 1e-9), pages / max(cpu, 1e-9))


def raw_pages(files: list[tuple[str, bytes]]) -> int:
    """pypdfium2 text extraction of every page (the floor any PDF engine pays)."""
    pages = 0
    for _, data in files:
        document = pdfium.PdfDocument(data)
        for page in document:
            page.get_textpage().get_text_bounded()
            pages += 1
        document.close()
    return pages


def parsed_pages(files: list[tuple[str, bytes]], need_tables: bool) -> int:
    """The engine's parser alone (its share of ``extract()``)."""
    pages = 0
    for name, data in files:
        try:
            pages += len(parse(data, name, need_tables=need_tables).pages)
        except DocumentError:
            continue
    return pages


def extracted_pages(files: list[tuple[str, bytes]], schema: dict, failures: list[str]) -> int:
    """Full ``extract()`` of every file; names of the documents it rejects go to ``failures``."""
    pages = 0
    configuration = {"data_schema": schema, "cite_sources": True, "confidence_scores": True}
    for name, data in files:
        try:
            output = extract(data, name, configuration)
        except Exception:  # a document the engine rejects still counts in the timing
            failures.append(name)
            continue
        pages += output.usage["num_pages_extracted"]
    return pages


@dataclass(frozen=True, slots=True)
class Case:
    """Documents timed together, with the schema they are extracted with."""

    name: str
    files: list[tuple[str, bytes]]
    schema: dict
    need_tables: bool
    goal: int


def run_case(case: Case, passes: int) -> tuple[int, dict[str, list[Rate]], int]:
    """Time ``case`` in ``passes`` passes: pages extracted, the rates of each step per
    pass, and how many documents ``extract()`` rejected."""
    rates: dict[str, list[Rate]] = {"raw pdfium": [], "parse() only": [], "extract()": []}
    failures: list[str] = []
    for _ in range(passes):
        failures.clear()
        rates["raw pdfium"].append(timed(lambda: raw_pages(case.files)))
        rates["parse() only"].append(timed(lambda: parsed_pages(case.files, case.need_tables)))
        rates["extract()"].append(timed(lambda: extracted_pages(case.files, case.schema, failures)))
    return rates["extract()"][-1].pages, rates, len(failures)


def report(case: Case, pages: int, rates: dict[str, list[Rate]], failures: int) -> None:
    raw = rates["raw pdfium"]
    for step, runs in rates.items():
        walls = [rate.wall for rate in runs]
        ratios = [rate.wall / base.wall for rate, base in zip(runs, raw, strict=True)]
        head = f"{case.name:<28}{len(case.files):>5}{pages:>6}" if step == "raw pdfium" else ""
        goal = ""
        if step == "extract()":
            verdict = "met" if statistics.median(walls) >= case.goal else "MISSED"
            goal = f"{case.goal:>6} {verdict}" + (f" ({failures} failed)" if failures else "")
        print(
            f"{head:<39}  {step:<14}{max(walls):>8.1f}{statistics.median(walls):>8.1f}"
            f"{max(rate.cpu for rate in runs):>10.1f}{statistics.median(ratios):>8.2f}{goal}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, default=254, help="NDA documents to time")
    parser.add_argument("--invoices", type=int, default=10, help="generated invoices (5 pages)")
    parser.add_argument("--passes", type=int, default=3, help="timed passes per case")
    args = parser.parse_args()
    if args.passes < 1:
        parser.error("--passes must be at least 1")

    ndas = [(p.name, p.read_bytes()) for p in sorted(args.corpus.glob("*.pdf"))[: args.limit]]
    invoices = [(f"invoice-{i}.pdf", invoice_pdf(5)) for i in range(args.invoices)]
    print(
        f"pages per second over {args.passes} passes: best and median by wall clock, best by "
        "CPU time of this process; ratio to raw pdfium in the same pass (median)"
    )
    print(
        f"{'case':<28}{'docs':>5}{'pages':>6}  {'step':<14}{'best':>8}{'median':>8}"
        f"{'best CPU':>10}{'x raw':>8}{'goal':>6}"
    )
    for case in (
        Case("no tables (Kleister NDA)", ndas, NDA_SCHEMA, False, 100),
        Case("tables (invoices, 5 pages)", invoices, INVOICE_SCHEMA, True, 10),
    ):
        if not case.files:
            print(f"{case.name:<28} no files found")
            continue
        report(case, *run_case(case, args.passes))


if __name__ == "__main__":
    main()
