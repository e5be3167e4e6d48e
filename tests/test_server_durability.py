"""Durability: SIGKILL the server mid-run, restart it on the same data directory."""

from __future__ import annotations

import signal
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from misbehaving_engine import SLOW_MARKER
from servers import start_server

pytestmark = pytest.mark.slow

SCHEMA = {"type": "object", "properties": {"invoice_number": {"type": "string"}}}
TERMINAL = {"COMPLETED", "FAILED", "CANCELLED"}


def jobs_by_id(http: httpx.Client, ids: list[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    token = None
    while True:
        params: dict[str, Any] = {"job_ids": ids, "page_size": 20}
        if token:
            params["page_token"] = token
        page = http.get("/api/v2/extract", params=params).json()
        found.update({job["id"]: job for job in page["items"]})
        token = page["next_page_token"]
        if not token:
            return found


def test_sigkill_mid_run_loses_nothing(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    server = start_server(data_dir, workers=2, engine="misbehaving_engine:crashing")
    headers = {"Authorization": f"Bearer {server.api_key}"}
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=30) as http:
        files = []
        for i in range(10):
            body = f"Invoice Number: INV-{i}\n".encode() + (SLOW_MARKER if i in (0, 5) else b"")
            response = http.post(
                "/api/v1/beta/files",
                files={"file": (f"doc{i}.txt", body)},
                data={"purpose": "extract"},
            )
            files.append(response.json()["id"])
        job_ids = []
        for n in range(50):
            body = {"file_input": files[n % 10], "configuration": {"data_schema": SCHEMA}}
            job_ids.append(http.post("/api/v2/extract", json=body).json()["id"])
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            statuses = {job["status"] for job in jobs_by_id(http, job_ids).values()}
            if "RUNNING" in statuses:
                break
            time.sleep(0.05)
        before = jobs_by_id(http, job_ids)
    server.stop(signal.SIGKILL)
    assert server.process.returncode == -signal.SIGKILL
    unfinished = [j for j in before.values() if j["status"] not in TERMINAL]
    assert unfinished, "the server was killed after every job had already finished"

    restarted = start_server(data_dir, workers=2, engine="misbehaving_engine:crashing")
    headers = {"Authorization": f"Bearer {restarted.api_key}"}
    try:
        with httpx.Client(base_url=restarted.base_url, headers=headers, timeout=30) as http:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                after = jobs_by_id(http, job_ids)
                if all(job["status"] in TERMINAL for job in after.values()):
                    break
                time.sleep(0.2)
            assert set(after) == set(job_ids)
            assert {job["status"] for job in after.values()} == {"COMPLETED"}
            for job in after.values():
                number = int(job["extract_result"]["invoice_number"].removeprefix("INV-"))
                assert files[number] == job["file_input"]
            listed = http.get("/api/v1/beta/files", params={"page_size": 100}).json()["items"]
            assert sorted(f["id"] for f in listed) == sorted(files)
            for file_id in files:
                link = http.get(f"/api/v1/beta/files/{file_id}/content").json()["url"]
                assert httpx.get(link).content.startswith(b"Invoice Number: INV-")
    finally:
        restarted.stop()
    blobs = [p for p in (data_dir / "blobs").rglob("*") if p.is_file()]
    assert len(blobs) == 10  # each upload stored once, under its hash
