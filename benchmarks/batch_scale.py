"""``extract_many`` at scale: 10,000 small documents on the local server, and the client's cost.

The server answers at once (``cloud_latency_engine:at_once``: no extraction, no wait), so
what is measured is the client: for 1,000 and for 10,000 distinct documents (each size with
its own fresh ledger), in a client process of its own,

* the first call (upload, create, poll, results): wall time, requests per document (counted
  at the server's door by the counting proxy), the client's peak RSS (goal < 300 MB);
* the ledger's size on disk;
* the same call again in a new process (a kernel restart): answered from the ledger, its
  wall time (goal < 3 s at 10,000) and peak RSS;
* then ``batch.df`` on that result (the results layer's cost, beside the client's);

and how each grows from 1,000 to 10,000.

    .venv/bin/python benchmarks/batch_scale.py [--sizes 1000 10000] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "tests"))

from batch_vs_sdk import SCHEMA, make_documents  # noqa: E402
from faultproxy import FaultProxy  # noqa: E402
from servers import start_server  # noqa: E402

CLIENT = textwrap.dedent(
    """
    import json, resource, sys, time
    from llamaextract_nb.client import Client

    def peak():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    base_url, api_key, folder, ledger, schema = sys.argv[1:6]
    with Client(base_url=base_url, api_key=api_key) as client:
        start = time.perf_counter()
        batch = client.extract_many(folder, json.loads(schema), ledger=ledger, progress=False)
        seconds = time.perf_counter() - start
    statuses = {}
    for result in batch:
        statuses[result.status] = statuses.get(result.status, 0) + 1
    call_peak = peak()
    start = time.perf_counter()
    rows = len(batch.df)
    df_seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "peak_mb": call_peak, "statuses": statuses,
                      "df_seconds": df_seconds, "df_peak_mb": peak(), "rows": rows}))
    """
)


def call(base_url: str, api_key: str, folder: Path, ledger: Path) -> dict[str, Any]:
    """One ``extract_many`` call in a fresh client process; its own figures."""
    args = [sys.executable, "-c", CLIENT, base_url, api_key, str(folder), str(ledger)]
    out = subprocess.run(
        [*args, json.dumps(SCHEMA)], capture_output=True, text=True, check=True, env=os.environ
    ).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def ledger_bytes(ledger: Path) -> int:
    """The ledger's size on disk (with its write-ahead log)."""
    return sum(p.stat().st_size for p in ledger.parent.glob(ledger.name + "*"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    args = parser.parse_args()
    os.environ["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(BENCHMARKS), os.environ.get("PYTHONPATH")])
    )
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        server = start_server(
            root / "server", workers=args.workers, engine="cloud_latency_engine:at_once"
        )
        try:
            with FaultProxy(server.base_url) as proxy:
                for size in args.sizes:
                    folder = root / f"docs-{size}"
                    make_documents(folder, size)
                    ledger = root / f"ledger-{size}.sqlite"
                    before = proxy.stats.forwarded
                    first = call(proxy.url, server.api_key, folder, ledger)
                    requests = proxy.stats.forwarded - before
                    again = call(proxy.url, server.api_key, folder, ledger)
                    assert first["statuses"] == {"COMPLETED": size}, first
                    rows.append(
                        {
                            "size": size,
                            "first": first,
                            "again": again,
                            "again_requests": proxy.stats.forwarded - before - requests,
                            "requests": requests / size,
                            "ledger_mb": ledger_bytes(ledger) / 1e6,
                        }
                    )
                    print(f"{size} documents done", file=sys.stderr, flush=True)
        finally:
            server.stop()
    report(rows)


def report(rows: list[dict[str, Any]]) -> None:
    lines = [
        ("first call: wall time (s)", lambda r: r["first"]["seconds"], "{:.1f}", ""),
        ("first call: requests per document", lambda r: r["requests"], "{:.2f}", ""),
        ("first call: client peak RSS (MB)", lambda r: r["first"]["peak_mb"], "{:.0f}", "< 300"),
        ("ledger size (MB)", lambda r: r["ledger_mb"], "{:.1f}", ""),
        ("same call again: wall time (s)", lambda r: r["again"]["seconds"], "{:.2f}", "< 3"),
        ("same call again: requests", lambda r: r["again_requests"], "{:.0f}", "0"),
        ("same call again: client peak RSS (MB)", lambda r: r["again"]["peak_mb"], "{:.0f}", ""),
        ("then batch.df (results layer): s", lambda r: r["again"]["df_seconds"], "{:.1f}", ""),
        ("then batch.df: client peak RSS (MB)", lambda r: r["again"]["df_peak_mb"], "{:.0f}", ""),
    ]
    head = "".join(f"{r['size']:>12,}" for r in rows)
    growth = len(rows) > 1
    print(f"{'':40}{head}{'growth' if growth else '':>10}{'goal':>8}")
    for label, value, fmt, goal in lines:
        values = [value(r) for r in rows]
        cells = "".join(f"{fmt.format(v):>12}" for v in values)
        ratio = f"{values[-1] / values[0]:.1f}x" if growth and values[0] else ""
        print(f"{label:40}{cells}{ratio:>10}{goal:>8}")


if __name__ == "__main__":
    main()
