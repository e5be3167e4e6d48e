# ruff: noqa: F811  (pytest fixtures imported from client_fakes)
"""Uploads, sync and async: paths stream from disk (50 MB with < 20 MB memory growth), bytes
and file objects work, the multipart form carries purpose and name."""

from __future__ import annotations

import io
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
    assert sink.largest_chunk <= 64 * 1024
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
