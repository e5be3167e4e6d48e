"""``extract_many`` against the official SDK where it matters: jobs that take as long as the
cloud's.

The local server runs the ``cloud_latency_engine`` plugin (``benchmarks/cloud_latency_engine.py``):
every job sleeps a log-normal time (median 6 s, sigma 0.9, capped at 60 s: a long tail to a
minute), seeded per document, so both clients wait the same time for the same document. The
plugin declares ``concurrent_jobs = 100`` (it only sleeps), so each of the server's 2 worker
processes runs up to 100 jobs at once on threads: all 200 jobs run at once, as on the service,
and none queues behind a busy worker.

One run, the same 200 small distinct documents, concurrency 8, one counting proxy:

* SDK: ``files.create`` then ``extract.run`` (create + poll ``GET`` until done) per document,
  from a ``ThreadPoolExecutor(8)`` (as in ``batch_vs_sdk.py``);
* ours: ``Client.extract_many(files, schema, concurrency=8)`` with a fresh ledger.

Printed: status/result requests per document (``GET`` of jobs; goal: ours <= 0.1x the SDK's),
wall time of each, and the *limit*: from the first upload to the moment the last job finished
on the server, read from the server's own timestamps (goal: our wall time <= 1.1x the limit,
i.e. the results are in the DataFrame within a poll of the last job finishing).

    .venv/bin/python benchmarks/batch_latency.py [--documents 200] [--median 6]

A full run takes about five minutes (the SDK's share: 200 documents, 8 at a time);
``--documents 40 --median 1`` is a quick look.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sqlite3
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "tests"))

from batch_vs_sdk import OPTIONS, SCHEMA, make_documents, measure  # noqa: E402
from faultproxy import FaultProxy  # noqa: E402
from servers import start_server  # noqa: E402

from llamaextract_nb.client import Client  # noqa: E402

ENGINE = "cloud_latency_engine:wait_like_the_cloud"
STATUS_ROUTES = (("GET", "/api/v2/extract"), ("GET", "/api/v2/extract/{id}"))
"""What reads a job's status or result: the list (ours) and the single GET (the SDK's)."""


def run_sdk(base_url: str, api_key: str, paths: list[Path], concurrency: int) -> set[str]:
    """The SDK's way; the ids of the files it uploaded."""
    from llama_cloud import LlamaCloud

    sdk = LlamaCloud(api_key=api_key, base_url=base_url)
    configuration = {"data_schema": SCHEMA, **OPTIONS}

    def one(path: Path) -> str:
        with path.open("rb") as stream:
            file = sdk.files.create(file=(path.name, stream), purpose="extract")
        job = sdk.extract.run(file_input=file.id, configuration=configuration)  # type: ignore[arg-type]
        assert job.status == "COMPLETED", job
        return file.id

    with ThreadPoolExecutor(concurrency) as pool:
        return set(pool.map(one, paths))


def run_ours(
    base_url: str, api_key: str, paths: list[Path], concurrency: int, ledger: Path
) -> set[str]:
    """``Client.extract_many`` with a fresh ledger; the ids of the files it uploaded."""
    with Client(base_url=base_url, api_key=api_key) as client:
        batch = client.extract_many(
            paths, SCHEMA, concurrency=concurrency, ledger=ledger, progress=False, **OPTIONS
        )
    assert [r.status for r in batch] == ["COMPLETED"] * len(paths), batch.failures
    return {r.job.file_input for r in batch if r.job.file_input}


def limit_seconds(database: Path, file_ids: set[str]) -> float:
    """From the first upload of ``file_ids`` to the last of their jobs finishing, as the
    server's own timestamps say."""
    marks = ",".join("?" * len(file_ids))
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        (first,) = db.execute(
            f"SELECT MIN(created_at) FROM files WHERE id IN ({marks})", [*file_ids]
        ).fetchone()
        (last,) = db.execute(
            f"SELECT MAX(updated_at) FROM jobs WHERE file_input IN ({marks})", [*file_ids]
        ).fetchone()
    return (_moment(last) - _moment(first)).total_seconds()


def _moment(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--median", type=float, default=6.0, help="median job seconds")
    parser.add_argument("--sigma", type=float, default=0.9, help="log-normal sigma")
    parser.add_argument("--cap", type=float, default=60.0, help="longest job, seconds")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--workers", type=int, help="server worker processes, 100 jobs each (default: enough)"
    )
    args = parser.parse_args()
    os.environ.update(
        LXNB_LATENCY_MEDIAN=str(args.median),
        LXNB_LATENCY_SIGMA=str(args.sigma),
        LXNB_LATENCY_CAP=str(args.cap),
        LXNB_LATENCY_SEED=str(args.seed),
        PYTHONPATH=os.pathsep.join(filter(None, [str(BENCHMARKS), os.environ.get("PYTHONPATH")])),
    )
    sys.path.insert(0, str(BENCHMARKS))
    from cloud_latency_engine import job_seconds

    n = args.documents
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        paths = make_documents(root / "docs", n)
        times = sorted(job_seconds(p.read_bytes()) for p in paths)
        workers = args.workers or max(2, -(-n // 100))
        # no address-space cap: 100 threads per worker reserve more than the default allows
        server = start_server(
            root / "server",
            workers=workers,
            engine=ENGINE,
            extra_args=["--worker-memory-mb", "0"],
        )
        database = root / "server" / "server.sqlite3"
        try:
            with FaultProxy(server.base_url) as proxy:
                sdk_wall, sdk_counts, sdk_files = measure(
                    proxy, lambda: run_sdk(proxy.url, server.api_key, paths, args.concurrency)
                )
                sdk_limit = limit_seconds(database, sdk_files)
                our_wall, our_counts, our_files = measure(
                    proxy,
                    lambda: run_ours(
                        proxy.url, server.api_key, paths, args.concurrency, root / "l.sqlite"
                    ),
                )
                our_limit = limit_seconds(database, our_files)
        finally:
            server.stop()

    print(
        f"{n} documents, concurrency {args.concurrency}, {workers} server workers x 100 jobs; "
        f"job times log-normal median {args.median:g} s, sigma {args.sigma:g}, "
        f"cap {args.cap:g} s, seed {args.seed}: min {times[0]:.1f} s, "
        f"median {times[n // 2]:.1f} s, "
        f"90th {times[int(n * 0.9)]:.1f} s, max {times[-1]:.1f} s\n"
    )
    sdk_status = sum(sdk_counts[r] for r in STATUS_ROUTES) / n
    our_status = sum(our_counts[r] for r in STATUS_ROUTES) / n
    print(f"{'':44}{'llama-cloud SDK':>16}{'extract_many':>16}{'ratio':>8}")
    print(
        f"{'status/result requests per document':44}{sdk_status:16.2f}{our_status:16.2f}"
        f"{our_status / sdk_status:8.2f}   goal <= 0.10"
    )
    print(
        f"{'all requests per document':44}{sum(sdk_counts.values()) / n:16.2f}"
        f"{sum(our_counts.values()) / n:16.2f}"
    )
    print(f"{'wall time (s)':44}{sdk_wall:16.1f}{our_wall:16.1f}{our_wall / sdk_wall:8.2f}")
    print(f"{'limit: first upload -> last job done (s)':44}{sdk_limit:16.1f}{our_limit:16.1f}")
    print(
        f"{'wall time / limit':44}{sdk_wall / sdk_limit:16.2f}{our_wall / our_limit:16.2f}"
        "           goal (ours) <= 1.10"
    )
    print("\nrequests by route (total):")
    for route in sorted(set(sdk_counts) | set(our_counts)):
        method, path = route
        print(f"  {method:6} {path:26}{sdk_counts[route]:16}{our_counts[route]:16}")


if __name__ == "__main__":
    main()
