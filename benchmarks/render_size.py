"""Render time and output size of the results HTML view for growing per_table_row results.

Run: .venv/bin/python benchmarks/render_size.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from test_results_html import big_table_job

from llamaextract_nb.results import ExtractResult


def main() -> None:
    print(f"{'rows':>7} {'values':>8} {'html ms':>8} {'html KB':>8} {'df ms':>7} {'fields ms':>9}")
    for rows in (100, 1_000, 5_000, 20_000):
        job = big_table_job(rows)
        started = time.perf_counter()
        result = ExtractResult(job)
        html = result._repr_html_()
        html_ms = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        _ = result.df
        df_ms = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        _ = result.fields
        fields_ms = (time.perf_counter() - started) * 1000
        size = len(html.encode()) / 1024
        timings = f"{html_ms:>8.0f} {size:>8.0f} {df_ms:>7.0f} {fields_ms:>9.0f}"
        print(f"{rows:>7,} {rows * 4:>8,} {timings}")


if __name__ == "__main__":
    main()
