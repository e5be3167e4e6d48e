"""The async client's uploads leave the event loop free: the file is read in a worker thread.

A file object whose every ``read()`` sleeps stands in for a slow disk or network share; it is
uploaded to the real local server while a ticker task measures the loop's longest stall.
"""

from __future__ import annotations

import asyncio
import io
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from llamaextract_nb.client import AsyncClient
from llamaextract_nb.client.uploads import UploadSource

READ_DELAY = 0.1
CHUNKS = 5
CHUNK = 64 * 1024
STALL_LIMIT = READ_DELAY / 2


class SlowFile(io.RawIOBase):
    """A binary, non-seekable file object whose every read sleeps ``READ_DELAY`` seconds."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._offset = 0
        self.reads = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        self.reads += 1
        time.sleep(READ_DELAY)
        end = len(self._data) if size < 0 else self._offset + size
        chunk = self._data[self._offset : end]
        self._offset += len(chunk)
        return chunk


def payload() -> bytes:
    line = b"Invoice number: INV-2041, total due 1,250.00 EUR\n"
    return (line * (CHUNKS * CHUNK // len(line) + 1))[: CHUNKS * CHUNK - 100]


async def longest_stall(work: Any) -> tuple[float, Any]:
    """Run ``work`` while a ticker wakes every 5 ms; the longest gap between its wake-ups."""
    gaps: list[float] = [0.0]

    async def tick() -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.005)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    ticker = asyncio.get_running_loop().create_task(tick())
    await asyncio.sleep(0.02)  # the ticker is running before the work starts
    try:
        result = await work
    finally:
        ticker.cancel()
    return max(gaps), result


async def download(client: AsyncClient, file_id: str) -> bytes:
    link = await client.files.content_url(file_id)
    async with httpx.AsyncClient() as http:
        response = await http.get(link.url)
    response.raise_for_status()
    return response.content


@pytest.mark.slow
async def test_a_slow_file_uploads_without_stalling_the_loop(local_server: Any) -> None:
    data = payload()
    slow = SlowFile(data)
    async with AsyncClient(base_url=local_server.base_url, api_key=local_server.api_key) as client:
        await client.files.list_page(page_size=1)  # connected (first-use imports are done)
        stall, file = await longest_stall(client.files.upload(slow, filename="slow.txt"))
        assert file.name == "slow.txt"
        assert await download(client, file.id) == data
    assert slow.reads == CHUNKS + 1  # every read happened (and slept), the last one empty
    assert stall < STALL_LIMIT, f"the event loop stalled {stall * 1000:.0f} ms during the upload"
    print(f"longest stall {stall * 1000:.1f} ms")


@pytest.mark.slow
async def test_the_stall_measurement_would_catch_reads_in_the_loop(local_server: Any) -> None:
    """httpx's own multipart body reads in the loop: the same measurement sees each read."""
    slow = SlowFile(payload())
    files = {"file": ("slow.txt", slow, "text/plain")}
    headers = {"Authorization": f"Bearer {local_server.api_key}"}
    async with httpx.AsyncClient(base_url=local_server.base_url, headers=headers) as http:
        await http.get("/api/v1/beta/files")
        stall, response = await longest_stall(
            http.post("/api/v1/beta/files", data={"purpose": "extract"}, files=files)
        )
    assert response.status_code == 201, response.text
    assert stall >= READ_DELAY * 0.9


def test_a_non_seekable_file_declares_no_length_and_goes_chunked() -> None:
    source = UploadSource("slow.txt", SlowFile(b"x"), "text/plain")
    assert "Content-Length" not in source.async_body({}).headers


@pytest.mark.parametrize("name", ["rows.csv", 'odd "name"\\ \u00e9t\u00e9\n.csv'])
async def test_the_body_is_httpx_encoding_sent_again_from_the_start(name: str) -> None:
    stream = io.BytesIO(b"a,b\n" + b"1,2\n" * 40_000)
    stream.seek(100)  # a file object is sent from its start, as with the sync client
    source = UploadSource(name, stream, "text/csv")
    form = {"purpose": "extract", "external_file_id": "x-1"}
    body = source.async_body(form)
    first = b"".join([chunk async for chunk in body])
    again = b"".join([chunk async for chunk in body])  # a retry sends the whole file again
    same = httpx.Request(
        "POST",
        "http://x/",
        data=form,
        files=source.multipart(),
        headers={"Content-Type": body.headers["Content-Type"]},
    )
    assert first == again == same.read()
    assert int(body.headers["Content-Length"]) == len(first)


async def test_text_mode_files_are_refused_with_a_fix(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello", encoding="utf-8")
    async with AsyncClient(base_url="http://127.0.0.1:9", api_key="k") as client:
        with path.open(encoding="utf-8") as handle, pytest.raises(TypeError, match="'rb'"):
            await client.files.upload(handle)
