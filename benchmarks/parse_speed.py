"""Parser speed: pages per second of ``parse()`` beside raw pypdfium2 text extraction.

    .venv/bin/python benchmarks/parse_speed.py [--limit N] [--tables]

Reads the Kleister-NDA PDFs from ``../shared/corpus`` (override with ``--corpus``) and
prints, for the same files in the same run: raw ``get_text_range()`` pages/s, ``parse()``
pages/s without and with tables, and the ratios.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pypdfium2 as pdfium

from llamaextract_nb.local.engine.parsers import parse

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared/corpus/kleister-nda-train/documents"


def raw_text(blobs: list[bytes]) -> int:
    pages = 0
    for blob in blobs:
        pdf = pdfium.PdfDocument(blob)
        for page in pdf:
            textpage = page.get_textpage()
            textpage.get_text_range()
            textpage.close()
            page.close()
            pages += 1
        pdf.close()
    return pages


def parsed(blobs: list[bytes], need_tables: bool) -> int:
    return sum(len(parse(blob, "doc.pdf", need_tables=need_tables).pages) for blob in blobs)


def measure(label: str, run: object, *args: object) -> float:
    """Run once; print wall and CPU time. Rates use CPU time, steadier on a shared machine."""
    start, cpu_start = time.perf_counter(), time.process_time()
    pages = run(*args)  # type: ignore[operator]
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    rate = pages / cpu
    timing = f"wall {seconds:6.2f} s  cpu {cpu:6.2f} s"
    print(f"{label:<26} {pages:5d} pages  {timing}  {rate:7.1f} pages/s")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, default=100, help="number of PDFs (default 100)")
    args = parser.parse_args()
    files = sorted(args.corpus.glob("*.pdf"))[: args.limit]
    if not files:
        raise SystemExit(f"no PDFs under {args.corpus}")
    blobs = [path.read_bytes() for path in files]
    raw_text(blobs[:5])  # warm up
    raw = measure("raw pypdfium2 text", raw_text, blobs)
    plain = measure("parse()", parsed, blobs, False)
    tables = measure("parse(need_tables=True)", parsed, blobs, True)
    print(f"parse()/raw = {plain / raw:.2f}   parse(need_tables=True)/raw = {tables / raw:.2f}")


if __name__ == "__main__":
    main()
