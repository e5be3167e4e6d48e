"""``BatchResult.df`` / ``.fields`` / ``.tables`` on 10,000 results, built in-process (no server).

Each result is a small completed per_doc invoice job (four schema fields, a line_items array,
confidences and a citation per value), as ``extract_many`` hands back; every tenth has no
date (a column whose documents differ in type is built piece by piece). Measured, each in a
fresh process so peak RSS is the step's own:

* ``old``: every document's own frame stacked (``pd.concat`` of ``ExtractResult.df``), the way
  ``BatchResult`` built its frames before;
* ``new``: ``BatchResult.df`` (one frame built from every document's rows).

Prints seconds and the process's peak RSS after each step (df first, then fields, then
tables), side by side, beside the goals (10,000 results -> df in < 3 s, well under 300 MB
peak).

    .venv/bin/python benchmarks/batch_frames.py [--documents 10000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from typing import Any

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "invoice_number": {"type": "string"},
        "invoice_date": {"type": "string", "format": "date"},
        "vendor": {"type": "object", "properties": {"name": {"type": "string"}}},
        "total": {"type": "number"},
        "line_items": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"sku": {"type": "string"}, "amount": {"type": "number"}},
            },
        },
    },
}


def entry(text: str) -> dict[str, Any]:
    """One value's metadata: a confidence and a citation on page 1."""
    return {"confidence": 0.93, "citation": [{"page": 1, "matching_text": text}]}


def make_job(i: int) -> dict[str, Any]:
    """A small completed invoice job, distinct per ``i``."""
    data = {
        "invoice_number": f"INV-{10000 + i}",
        "invoice_date": f"2024-{i % 12 + 1:02d}-{i % 28 + 1:02d}" if i % 10 else None,
        "vendor": {"name": f"Acme Supply {i} Ltd"},
        "total": float((i * 37) % 5000 + 100),
        "line_items": [{"sku": f"S{i}-{k}", "amount": float(k + 1)} for k in range(2)],
    }
    metadata = {
        "invoice_number": entry(data["invoice_number"]),
        "invoice_date": entry(str(data["invoice_date"])),
        "vendor": {"name": entry(data["vendor"]["name"])},
        "total": entry(str(data["total"])),
        "line_items": [{"sku": entry(x["sku"]), "amount": entry("1")} for x in data["line_items"]],
    }
    return {
        "id": f"ext-{i:06d}",
        "status": "COMPLETED",
        "file_input": f"dfl-{i:06d}",
        "configuration": {"data_schema": SCHEMA, "extraction_target": "per_doc"},
        "extract_result": data,
        "extract_metadata": {"field_metadata": {"document_metadata": metadata}},
    }


STEP = """
import json, resource, sys, time
sys.path.insert(0, {benchmarks!r})
import pandas as pd
from batch_frames import make_job
from llamaextract_nb.results import BatchResult, ExtractResult

def peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

def stacked(frames):
    return pd.concat([f for f in frames if not f.empty], ignore_index=True, sort=False)

start = time.perf_counter()
batch = BatchResult([ExtractResult(make_job(i)) for i in range(int(sys.argv[2]))])
build = time.perf_counter() - start
figures = {{"results_s": build, "results_mb": peak()}}
for name in ("df", "fields", "tables"):
    start = time.perf_counter()
    if sys.argv[1] == "old" and name == "tables":
        frames = stacked([r.tables["line_items"] for r in batch])
    elif sys.argv[1] == "old":
        frames = stacked([getattr(r, name) for r in batch])
    else:
        frames = getattr(batch, name)
    figures[name + "_s"] = time.perf_counter() - start
    figures[name + "_mb"] = peak()
    del frames
print(json.dumps(figures))
"""


def run(way: str, documents: int) -> dict[str, float]:
    """One way (``old`` / ``new``) in a fresh process; its figures."""
    benchmarks = os.path.dirname(os.path.abspath(__file__))
    code = STEP.format(benchmarks=benchmarks)
    out = subprocess.run(
        [sys.executable, "-c", code, way, str(documents)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=10000)
    args = parser.parse_args()
    old, new = run("old", args.documents), run("new", args.documents)
    print(f"{args.documents:,} results{'':22}{'old':>10}{'new':>10}{'ratio':>8}{'goal':>8}")
    lines = [
        ("ExtractResult objects built (s)", "results_s", ""),
        ("  process peak RSS then (MB)", "results_mb", ""),
        ("df (s)", "df_s", "< 3"),
        ("  process peak RSS after df (MB)", "df_mb", "< 300"),
        ("fields (s)", "fields_s", ""),
        ("  process peak RSS after fields (MB)", "fields_mb", ""),
        ("tables (s)", "tables_s", ""),
        ("  process peak RSS after tables (MB)", "tables_mb", ""),
    ]
    for label, key, goal in lines:
        ratio = f"{old[key] / new[key]:.1f}x" if new[key] else ""
        print(f"{label:38}{old[key]:>10.2f}{new[key]:>10.2f}{ratio:>8}{goal:>8}")


if __name__ == "__main__":
    main()
