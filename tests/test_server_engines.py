"""A real server survives what :mod:`misbehaving_engine` does: crashes, NaN, slow and hung jobs."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from misbehaving_engine import CRASH_MARKER, HANG_MARKER, NAN_MARKER, SLOW_MARKER
from servers import ServerProcess, start_server

SCHEMA = {"type": "object", "properties": {"invoice_number": {"type": "string"}}}
DOC = b"Invoice Number: INV-1\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    srv = start_server(
        tmp_path_factory.mktemp("engines"),
        workers=1,
        engine="misbehaving_engine:crashing",
        extra_args=["--job-timeout", "1.5"],
    )
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def http(server: ServerProcess) -> Iterator[httpx.Client]:
    with server.http() as c:
        yield c


def submit(http: httpx.Client, data: bytes) -> str:
    file = http.post(
        "/api/v1/beta/files", files={"file": ("doc.txt", data)}, data={"purpose": "extract"}
    ).json()
    body = {"file_input": file["id"], "configuration": {"data_schema": SCHEMA}}
    return str(http.post("/api/v2/extract", json=body).json()["id"])


def finish(http: httpx.Client, job_id: str, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job: dict[str, Any] = http.get(f"/api/v2/extract/{job_id}").json()
        if job["status"] in ("COMPLETED", "FAILED", "CANCELLED"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"{job_id} did not finish")


@pytest.mark.slow
def test_a_crashing_worker_fails_its_job_and_the_server_goes_on(http: httpx.Client) -> None:
    crashed = finish(http, submit(http, DOC + CRASH_MARKER))
    assert crashed["status"] == "FAILED"
    assert "stopped unexpectedly (exit code 3)" in crashed["error_message"]
    unusable = finish(http, submit(http, DOC + NAN_MARKER))
    assert unusable["status"] == "FAILED" and "unusable output" in unusable["error_message"]
    after = finish(http, submit(http, DOC))  # served by the respawned worker
    assert after["status"] == "COMPLETED"
    assert after["extract_result"] == {"invoice_number": "INV-1"}


@pytest.mark.slow
def test_unfinished_jobs_are_deleted_only_when_forced(http: httpx.Client) -> None:
    running = submit(http, DOC + SLOW_MARKER)
    queued = submit(http, DOC)
    refused = http.delete(f"/api/v2/extract/{queued}")
    assert refused.status_code == 409 and "force=true" in refused.json()["detail"]
    assert http.get(f"/api/v2/extract/{queued}").json()["status"] == "PENDING"
    for job_id in (queued, running):
        assert http.delete(f"/api/v2/extract/{job_id}", params={"force": "true"}).status_code == 200
        assert http.get(f"/api/v2/extract/{job_id}").status_code == 404
    assert finish(http, submit(http, DOC))["status"] == "COMPLETED"


@pytest.mark.slow
def test_a_job_over_the_timeout_fails_and_frees_its_worker(http: httpx.Client) -> None:
    hung = finish(http, submit(http, DOC + HANG_MARKER), timeout=30)
    assert hung["status"] == "FAILED" and "job timeout of 1.5 s" in hung["error_message"]
    assert finish(http, submit(http, DOC))["status"] == "COMPLETED"
