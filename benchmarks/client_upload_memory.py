"""Uploads, sync and async, side by side: Python memory peak and time.

A generated file is uploaded through the real clients, streamed from its path and from bytes
read whole, into:

* a sink: a transport that consumes the body in chunks (no network), the client's own cost;
* the local server: ``llamaextract-nb serve`` in a subprocess, over real HTTP on 127.0.0.1.

Times are the best and median of ``--repeat`` untraced runs, the ways taking turns; the memory
peak (``tracemalloc``, this process only) comes from one more, traced, run.

    .venv/bin/python benchmarks/client_upload_memory.py [--size-mb 50] [--repeat 15]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from llamaextract_nb.api.models import File
from llamaextract_nb.client import AsyncClient, Client

NAME = "bench.pdf"
FILE_JSON = {"id": "dfl-bench", "name": NAME, "project_id": "p"}
READY = re.compile(r"serving on (http://127\.0\.0\.1:\d+)")
Upload = Callable[[], File]
Discard = Callable[[File], object]


class Sink(httpx.BaseTransport):
    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.SyncByteStream)
        for _ in request.stream:
            pass
        return httpx.Response(201, json=FILE_JSON)


class AsyncSink(httpx.AsyncBaseTransport):
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.AsyncByteStream)
        async for _ in request.stream:
            pass
        return httpx.Response(201, json=FILE_JSON)


def traced_peak(upload: Upload) -> tuple[float, File]:
    """MB allocated at the peak of one upload, and the file it made."""
    tracemalloc.start()
    file = upload()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20, file


def timed(upload: Upload) -> tuple[float, File]:
    start = time.perf_counter()
    file = upload()
    return time.perf_counter() - start, file


@contextmanager
def local_server(folder: Path) -> Iterator[tuple[str, str]]:
    """``(base_url, api_key)`` of a server subprocess, stopped on exit."""
    key = "llx-bench-" + secrets.token_hex(8)
    cmd = [sys.executable, "-m", "llamaextract_nb.cli", "serve", "--port", "0"]
    cmd += ["--data-dir", str(folder), "--workers", "1", "--log-level", "warning"]
    env = {**os.environ, "LLAMAEXTRACT_NB_API_KEY": key, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    )
    try:
        assert process.stdout is not None
        for line in process.stdout:
            match = READY.search(line)
            if match:
                yield match.group(1), key
                break
        else:
            raise RuntimeError("the local server did not start")
    finally:
        process.terminate()
        process.wait(30)


def uploads(
    sync: Client, asynchronous: AsyncClient, loop: asyncio.AbstractEventLoop, path: Path
) -> list[tuple[str, Upload]]:
    """The four ways, each a blocking call; the async ones run on one long-lived event loop."""

    def run(upload: Awaitable[File]) -> File:
        return loop.run_until_complete(upload)

    return [
        ("sync  streamed from path", lambda: sync.files.upload(path)),
        ("sync  bytes read whole", lambda: sync.files.upload(path.read_bytes(), filename=NAME)),
        ("async streamed from path", lambda: run(asynchronous.files.upload(path))),
        (
            "async bytes read whole",
            lambda: run(asynchronous.files.upload(path.read_bytes(), filename=NAME)),
        ),
    ]


def report(
    target: str, size_mb: int, rows: list[tuple[str, Upload]], repeat: int, discard: Discard
) -> None:
    """Each way once per round (so a busy machine slows all alike), then one traced run each;
    ``discard`` deletes each uploaded file, untimed."""
    for _, upload in rows:
        discard(upload())  # warm-up: connections, imports, page cache
    times: dict[str, list[float]] = {label: [] for label, _ in rows}
    for _ in range(repeat):
        for label, upload in rows:
            seconds, file = timed(upload)
            times[label].append(seconds)
            discard(file)
    print(f"\n{target}: upload of {size_mb} MB")
    print(f"  {'':<26} memory peak    best   median  throughput (best)")
    for label, upload in rows:
        best, median = min(times[label]), statistics.median(times[label])
        peak, file = traced_peak(upload)
        discard(file)
        print(
            f"  {label:<26} {peak:7.2f} MB  {best:6.3f} s {median:6.3f} s  "
            f"{size_mb / best:6.0f} MB/s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    loop = asyncio.new_event_loop()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / NAME
        with path.open("wb") as out:
            for _ in range(args.size_mb):
                out.write(os.urandom(2**20))
        url, key = "http://bench.invalid", "llx-bench"
        sync = Client(base_url=url, api_key=key, http_client=httpx.Client(transport=Sink()))
        http = httpx.AsyncClient(transport=AsyncSink())
        asynchronous = AsyncClient(base_url=url, api_key=key, http_client=http)
        rows = uploads(sync, asynchronous, loop, path)
        report("sink (no network)", args.size_mb, rows, args.repeat, lambda file: None)
        loop.run_until_complete(asynchronous.close())
        with (
            local_server(Path(folder) / "server") as (base_url, key),
            Client(base_url=base_url, api_key=key) as sync,
        ):
            asynchronous = AsyncClient(base_url=base_url, api_key=key)
            rows = uploads(sync, asynchronous, loop, path)
            discard: Discard = lambda file: sync.files.delete(file.id)  # noqa: E731
            report("local server (127.0.0.1)", args.size_mb, rows, args.repeat, discard)
            loop.run_until_complete(asynchronous.close())
    loop.close()


if __name__ == "__main__":
    main()
