"""Streamed upload vs reading the file whole: Python memory peak and throughput, side by side.

Uploads a generated file through the real client into a transport that consumes the body in
chunks (no network), once streamed from the path and once from bytes read whole.

    .venv/bin/python benchmarks/client_upload_memory.py [size_mb]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import httpx

from llamaextract_nb.client import Client

FILE_JSON = {"id": "dfl-bench", "name": "bench.pdf", "project_id": "p"}


class Sink(httpx.BaseTransport):
    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.SyncByteStream)
        for _ in request.stream:
            pass
        return httpx.Response(201, json=FILE_JSON)


def measure(upload: Callable[[], object]) -> tuple[float, float]:
    tracemalloc.start()
    start = time.perf_counter()
    upload()
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20, seconds


def main(size_mb: int) -> None:
    client = Client(
        base_url="http://bench.invalid",
        api_key="llx-bench",
        http_client=httpx.Client(transport=Sink()),
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.pdf"
        with path.open("wb") as out:
            for _ in range(size_mb):
                out.write(os.urandom(2**20))
        streamed = measure(lambda: client.files.upload(path))
        whole = measure(lambda: client.files.upload(path.read_bytes(), filename="bench.pdf"))
    print(f"upload of {size_mb} MB        memory peak   time    throughput")
    for label, (peak, seconds) in (("streamed from path", streamed), ("bytes read whole", whole)):
        print(f"{label:<22} {peak:8.1f} MB  {seconds:5.2f} s  {size_mb / seconds:7.0f} MB/s")
    print(f"ratio whole/streamed memory: {whole[0] / max(streamed[0], 0.001):.0f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
