"""Workers run in bounded memory (issue 12, item 3), over real HTTP: hostile documents end
FAILED saying which limit they hit, a job that outgrows ``--worker-memory-mb`` ends FAILED
saying so, and a worker left large by its job is replaced."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hostile_documents import csv_of_fields, docx_bomb, xlsx_with_cells
from misbehaving_engine import GROW_MARKER, HOG_MARKER
from servers import ServerProcess, start_server

pytestmark = pytest.mark.slow

SCHEMA = {"type": "object", "properties": {"invoice_number": {"type": "string"}}}
DOC = b"Invoice Number: INV-1\n"
LIMIT_MB = 600


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    srv = start_server(
        tmp_path_factory.mktemp("memory"),
        workers=1,
        engine="misbehaving_engine:crashing",
        extra_args=["--worker-memory-mb", str(LIMIT_MB)],
    )
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def http(server: ServerProcess) -> Iterator[httpx.Client]:
    with server.http() as c:
        yield c


def run(http: httpx.Client, data: bytes, name: str = "doc.txt") -> dict[str, Any]:
    file = http.post(
        "/api/v1/beta/files", files={"file": (name, data)}, data={"purpose": "extract"}
    ).json()
    body = {"file_input": file["id"], "configuration": {"data_schema": SCHEMA}}
    job_id = http.post("/api/v2/extract", json=body).json()["id"]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job: dict[str, Any] = http.get(f"/api/v2/extract/{job_id}").json()
        if job["status"] in ("COMPLETED", "FAILED", "CANCELLED"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"{job_id} did not finish")


def workers(server: ServerProcess) -> set[int]:
    """The server's worker processes (its children)."""
    pid = server.process.pid
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found.update(int(child) for child in (task / "children").read_text().split())
    return found


@pytest.mark.parametrize(
    ("name", "make", "says"),
    [
        ("bomb.docx", lambda: docx_bomb(inflated_mb=150), "looks like a zip bomb"),
        ("wide.xlsx", lambda: xlsx_with_cells(510_000, one_row=True), "more than 500,000 cells"),
        ("fields.csv", lambda: csv_of_fields(3_000_000), "at most 500,000 cells"),
    ],
)
def test_hostile_documents_end_failed_naming_the_limit(
    http: httpx.Client, name: str, make: Any, says: str
) -> None:
    job = run(http, make(), name)
    assert job["status"] == "FAILED" and says in job["error_message"]


def test_a_job_past_the_memory_limit_fails_saying_so_and_the_next_one_runs(
    http: httpx.Client, server: ServerProcess
) -> None:
    before = workers(server)
    hog = run(http, DOC + HOG_MARKER)
    assert hog["status"] == "FAILED"
    assert f"needed more than the worker memory limit of {LIMIT_MB} MB" in hog["error_message"]
    assert "--worker-memory-mb" in hog["error_message"]
    assert run(http, DOC)["status"] == "COMPLETED"
    assert workers(server).isdisjoint(before)  # the worker that ran out was replaced


def test_a_worker_left_large_by_its_job_is_replaced_after_it(
    http: httpx.Client, server: ServerProcess
) -> None:
    assert run(http, DOC)["status"] == "COMPLETED"
    before = workers(server)
    grown = run(http, DOC + GROW_MARKER)
    assert grown["status"] == "COMPLETED"  # the job itself is fine
    deadline = time.monotonic() + 10
    while workers(server) & before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert workers(server).isdisjoint(before) and len(workers(server)) == 1
    assert run(http, DOC)["status"] == "COMPLETED"
