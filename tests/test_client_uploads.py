# ruff: noqa: F811  (pytest fixtures imported from client_fakes)
"""Uploads, sync and async: paths stream from disk (50 MB with < 20 MB memory growth), bytes
and file objects work, the multipart form carries purpose and name; the async body reads one
batch ahead, never more, and an abandoned body lets its thread's read end before returning."""

from __future__ import annotations

import asyncio
import io
import threading
import tracemalloc
from pathlib import Path
from typing import Any

import httpx
import pytest
from client_fakes import (  # noqa: F401  (make_runner is a fixture)
    FILE_ID,
    ScriptedAPI,
    UploadSink,
    example,
    make_runner,
)

from llamaextract_nb.api.models import File
from llamaextract_nb.client.uploads import CHUNK_SIZE, READ_AHEAD_CHUNKS, UploadSource

MB = 1024 * 1024
UPLOAD_SIZE = 50 * MB
MEMORY_LIMIT = 20 * MB


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("upload") / "big.pdf"
    block = b"%PDF-1.7\n" + bytes(range(256)) * 4000
    with path.open("wb") as out:
        written = 0
        while written < UPLOAD_SIZE:
            chunk = block[: UPLOAD_SIZE - written]
            out.write(chunk)
            written += len(chunk)
    return path


def test_a_50_mb_upload_streams_with_small_memory_growth(make_runner: Any, big_file: Path) -> None:
    sink = UploadSink()
    run = make_runner(sink)
    tracemalloc.start()
    try:
        file = run("files.upload", big_file)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(file, File) and file.id == FILE_ID
    assert sink.received > UPLOAD_SIZE and sink.received == sink.content_length
    # httpx sends 64 KiB chunks; the async body joins each read-ahead batch into one piece
    sent_at_once = CHUNK_SIZE if run.mode == "sync" else CHUNK_SIZE * READ_AHEAD_CHUNKS
    assert sink.largest_chunk <= sent_at_once
    assert b'name="file"; filename="big.pdf"' in sink.head
    assert b"Content-Type: application/pdf" in sink.head
    assert peak < MEMORY_LIMIT, f"upload grew traced memory by {peak / MB:.1f} MB"


def test_the_memory_measurement_would_catch_a_whole_file_read(big_file: Path) -> None:
    tracemalloc.start()
    try:
        data = big_file.read_bytes()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(data) == UPLOAD_SIZE and peak >= UPLOAD_SIZE > MEMORY_LIMIT


def upload_api() -> ScriptedAPI:
    return ScriptedAPI().on(
        "POST", "/api/v1/beta/files", httpx.Response(201, json=example("01_file_uploaded"))
    )


def test_bytes_upload_with_form_fields(make_runner: Any) -> None:
    api = upload_api()
    run = make_runner(api)
    run("files.upload", b"a,b\n1,2\n", filename="rows.csv", purpose="parse", external_file_id="x-1")
    body = api.requests[0].read()
    assert b'filename="rows.csv"' in body and b"Content-Type: text/csv" in body
    assert b'name="purpose"\r\n\r\nparse' in body
    assert b'name="external_file_id"\r\n\r\nx-1' in body
    assert b"a,b\n1,2\n" in body


def test_pdf_bytes_need_no_name_other_bytes_do(make_runner: Any) -> None:
    api = upload_api()
    run = make_runner(api)
    run("files.upload", b"%PDF-1.4 minimal")
    assert b'filename="document.pdf"' in api.requests[0].read()
    assert b'name="purpose"\r\n\r\nextract' in api.requests[0].read()
    with pytest.raises(ValueError, match=r"pass filename='<name>\.<ext>'"):
        run("files.upload", b"PK\x03\x04 some zip")


def test_file_objects_upload_under_their_own_name_and_stay_open(
    make_runner: Any, tmp_path: Path
) -> None:
    api = upload_api()
    run = make_runner(api)
    path = tmp_path / "memo.docx"
    path.write_bytes(b"PK\x03\x04 docx bytes")
    with path.open("rb") as handle:
        run("files.upload", handle)
        assert not handle.closed
    assert b'filename="memo.docx"' in api.requests[0].read()
    run("files.upload", io.BytesIO(b"<html></html>"), filename="page.html")
    assert b'filename="page.html"' in api.requests[1].read()


def test_a_file_upload_widget_value_uploads_under_its_name(make_runner: Any) -> None:
    api = upload_api()
    value = {
        "name": "scan.pdf",
        "type": "application/pdf",
        "size": 8,
        "content": memoryview(b"%PDF-1.4"),
    }
    make_runner(api)("files.upload", value)
    body = api.requests[0].read()
    assert b'filename="scan.pdf"' in body and b"%PDF-1.4" in body


def test_retried_upload_sends_the_whole_file_again(make_runner: Any, tmp_path: Path) -> None:
    api = ScriptedAPI().on(
        "POST",
        "/api/v1/beta/files",
        httpx.Response(503, headers={"retry-after": "0"}),
        httpx.Response(201, json=example("01_file_uploaded")),
    )
    path = tmp_path / "notes.txt"
    path.write_bytes(b"hello world " * 10)
    make_runner(api)("files.upload", path)
    assert [r.read().count(b"hello world ") for r in api.requests] == [10, 10]


def test_missing_path_and_wrong_type_are_clear(make_runner: Any) -> None:
    run = make_runner(upload_api())
    with pytest.raises(FileNotFoundError, match=r"no such file: 'nope\.pdf'"):
        run("files.upload", "nope.pdf")
    with pytest.raises(TypeError, match="cannot upload a int"):
        run("files.upload", 42)


class GatedFile(io.RawIOBase):
    """A binary file object whose reads after the first ``free`` wait for :attr:`gate`."""

    def __init__(self, size: int, free: int) -> None:
        self._data = bytes(size)
        self._offset = 0
        self._free = free
        self.reads = 0
        self.reading = False
        self.gate = threading.Event()
        self.waiting = threading.Event()
        """Set when a read is held at the gate."""

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        self.reading = True
        self.reads += 1
        if self.reads > self._free:
            self.waiting.set()
            self.gate.wait(10)
        chunk = self._data[self._offset : self._offset + size]
        self._offset += len(chunk)
        self.reading = False
        return chunk


def gated_body(file: GatedFile) -> Any:
    return aiter(UploadSource("gated.bin", file, "application/octet-stream").async_body({}))


async def test_the_next_batch_is_read_while_one_is_sent_and_no_further() -> None:
    batch = READ_AHEAD_CHUNKS * CHUNK_SIZE
    file = GatedFile(3 * batch, free=READ_AHEAD_CHUNKS)
    body = gated_body(file)
    await anext(body)  # the form's head
    assert len(await anext(body)) == batch
    # while the consumer holds (sends) the first batch, the second one is being read
    assert await asyncio.to_thread(file.waiting.wait, 10)
    assert file.reads == READ_AHEAD_CHUNKS + 1
    file.gate.set()
    for _ in range(1000):
        if file.reads == 2 * READ_AHEAD_CHUNKS and not file.reading:
            break
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)
    assert file.reads == 2 * READ_AHEAD_CHUNKS  # the third batch waits for its turn
    rest = [chunk async for chunk in body]
    assert [len(chunk) for chunk in rest[:-1]] == [batch, batch]
    assert rest[-1].startswith(b"\r\n--")
    assert file.reads == 3 * READ_AHEAD_CHUNKS + 1  # the last read came back empty


async def test_an_abandoned_body_returns_only_once_its_read_has_ended() -> None:
    """The caller closes the file next: no thread may still be reading it."""
    file = GatedFile(2 * READ_AHEAD_CHUNKS * CHUNK_SIZE, free=READ_AHEAD_CHUNKS)
    body = gated_body(file)
    await anext(body)
    await anext(body)
    await asyncio.to_thread(file.waiting.wait, 10)  # the read-ahead is held in its thread
    closing = asyncio.ensure_future(body.aclose())
    await asyncio.sleep(0.1)
    assert not closing.done() and file.reading
    file.gate.set()
    await asyncio.wait_for(closing, 10)
    assert not file.reading


async def test_a_cancelled_upload_returns_only_once_its_read_has_ended() -> None:
    file = GatedFile(2 * READ_AHEAD_CHUNKS * CHUNK_SIZE, free=0)
    body = gated_body(file)
    await anext(body)
    consumer = asyncio.ensure_future(anext(body))  # waits for the held first batch
    await asyncio.to_thread(file.waiting.wait, 10)
    consumer.cancel()
    await asyncio.sleep(0.1)
    assert not consumer.done() and file.reading
    file.gate.set()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(consumer, 10)
    assert not file.reading
