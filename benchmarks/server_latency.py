"""GET-job latency of the local server while its workers are saturated, and jobs/second.

Starts ``llamaextract-nb serve`` as a subprocess on a temporary data directory, uploads a
generated multi-page invoice PDF, then:

1. idle: times GET /api/v2/extract/{id} with nothing queued;
2. saturated: submits ``--jobs`` jobs at once and, while the queue is still draining, times
   the same GET from ``--pollers`` concurrent clients;
3. reports the jobs/second the worker pool achieved.

Usage: ``python benchmarks/server_latency.py [--jobs 200] [--workers N] [--pollers 4]``.
Goal on the project's 2-core machine: saturated p95 under 50 ms.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
from fpdf import FPDF

SCHEMA = {
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
                    "amount": {"type": "number"},
                },
            },
        },
    },
}
TERMINAL = {"COMPLETED", "FAILED", "CANCELLED"}


def invoice_pdf(pages: int) -> bytes:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    for page in range(pages):
        pdf.add_page()
        if page == 0:
            pdf.cell(0, 8, "Acme Industrial Supplies Ltd", new_x="LMARGIN", new_y="NEXT")
            pdf.cell(0, 8, "Invoice Number: INV-2026-0412", new_x="LMARGIN", new_y="NEXT")
            pdf.cell(0, 8, "Invoice Date: 2026-04-02", new_x="LMARGIN", new_y="NEXT")
        pdf.cell(90, 8, "Description")
        pdf.cell(30, 8, "Quantity")
        pdf.cell(30, 8, "Amount", new_x="LMARGIN", new_y="NEXT")
        for row in range(25):
            pdf.cell(90, 7, f"Hydraulic part {page}-{row}")
            pdf.cell(30, 7, str(row + 1))
            pdf.cell(30, 7, f"{(row + 1) * 12.5:.2f}", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 8, "Total Amount: 9,999.00", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def start_server(data_dir: Path, workers: int) -> tuple[subprocess.Popen[str], str, str]:
    key = "llx-bench-" + secrets.token_hex(8)
    cmd = [sys.executable, "-m", "llamaextract_nb.cli", "serve", "--port", "0"]
    cmd += ["--data-dir", str(data_dir), "--workers", str(workers), "--log-level", "warning"]
    env = {**os.environ, "LLAMAEXTRACT_NB_API_KEY": key, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        match = re.search(r"serving on (http://\S+)", line)
        if match:
            threading.Thread(target=proc.stdout.read, daemon=True).start()  # keep draining
            return proc, match.group(1), key
    raise SystemExit("the server did not start")


def percentiles(samples: list[float]) -> tuple[float, float, float, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98], max(samples)


def time_gets(http: httpx.Client, job_id: str, until: threading.Event, limit: int) -> list[float]:
    samples: list[float] = []
    while not until.is_set() and len(samples) < limit:
        start = time.perf_counter()
        response = http.get(f"/api/v2/extract/{job_id}")
        samples.append((time.perf_counter() - start) * 1000)
        response.raise_for_status()
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--pollers", type=int, default=4)
    parser.add_argument("--pages", type=int, default=3, help="pages of the invoice PDF")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        proc, base_url, key = start_server(Path(tmp) / "data", args.workers)
        headers = {"Authorization": f"Bearer {key}"}
        try:
            with httpx.Client(base_url=base_url, headers=headers, timeout=60) as http:
                file = http.post(
                    "/api/v1/beta/files",
                    files={"file": ("invoice.pdf", invoice_pdf(args.pages))},
                    data={"purpose": "extract"},
                ).json()
                body = {"file_input": file["id"], "configuration": {"data_schema": SCHEMA}}
                probe = http.post("/api/v2/extract", json=body).json()["id"]
                while http.get(f"/api/v2/extract/{probe}").json()["status"] not in TERMINAL:
                    time.sleep(0.05)
                idle = time_gets(http, probe, threading.Event(), 300)

                started = time.perf_counter()
                ids = [
                    http.post("/api/v2/extract", json=body).json()["id"] for _ in range(args.jobs)
                ]
                submitted = time.perf_counter() - started
                drained = threading.Event()
                results: list[list[float]] = [[] for _ in range(args.pollers)]

                def poll(slot: int) -> None:
                    with httpx.Client(base_url=base_url, headers=headers, timeout=60) as own:
                        results[slot] = time_gets(own, ids[slot % len(ids)], drained, 10**6)

                pollers = [threading.Thread(target=poll, args=(i,)) for i in range(args.pollers)]
                for t in pollers:
                    t.start()
                while True:
                    page = http.get(
                        "/api/v2/extract", params={"status": "PENDING", "page_size": 1}
                    ).json()
                    if not page["items"]:
                        break
                    time.sleep(0.2)
                saturated_until = time.perf_counter()
                drained.set()
                for t in pollers:
                    t.join()
                while any(
                    http.get(f"/api/v2/extract/{job_id}").json()["status"] not in TERMINAL
                    for job_id in ids[-args.workers :]
                ):
                    time.sleep(0.05)
                elapsed = time.perf_counter() - started
                failed = sum(
                    http.get(f"/api/v2/extract/{job_id}").json()["status"] != "COMPLETED"
                    for job_id in ids
                )
        finally:
            proc.terminate()
            proc.wait(30)

    busy = [s for slot in results for s in slot]
    print(f"local server, {args.workers} worker(s), {args.jobs} jobs on a {args.pages}-page PDF")
    print(f"{'GET one job':<28}{'requests':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for label, samples in (("idle", idle), (f"saturated, {args.pollers} pollers", busy)):
        p50, p95, p99, top = percentiles(samples)
        print(f"{label:<28}{len(samples):>9}{p50:>9.1f}{p95:>9.1f}{p99:>9.1f}{top:>9.1f}")
    p95_ratio = percentiles(busy)[1] / percentiles(idle)[1]
    print(f"saturated/idle p95 ratio: {p95_ratio:.1f}x (goal: saturated p95 < 50 ms)")
    print(f"submission: {args.jobs / submitted:.0f} creates/s")
    print(
        f"throughput: {args.jobs / elapsed:.1f} jobs/s, {args.jobs * args.pages / elapsed:.1f} "
        f"pages/s ({saturated_until - started:.1f} s with a queue, {failed} not completed)"
    )


if __name__ == "__main__":
    main()
