"""Eight clients submit 200 jobs at once; every one completes."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from servers import ServerProcess

pytestmark = pytest.mark.slow

CLIENTS = 8
JOBS_PER_CLIENT = 25
SCHEMA = {
    "type": "object",
    "properties": {"invoice_number": {"type": "string"}, "total_amount": {"type": "number"}},
}


def submit_all(server: ServerProcess, client_no: int) -> list[str]:
    headers = {"Authorization": f"Bearer {server.api_key}"}
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=60) as http:
        doc = f"Invoice Number: C{client_no}\nTotal Amount: {client_no}.50\n".encode()
        file = http.post(
            "/api/v1/beta/files",
            files={"file": (f"client{client_no}.txt", doc)},
            data={"purpose": "extract"},
        ).json()
        body = {"file_input": file["id"], "configuration": {"data_schema": SCHEMA}}
        return [
            http.post("/api/v2/extract", json=body).json()["id"] for _ in range(JOBS_PER_CLIENT)
        ]


def test_eight_clients_two_hundred_jobs(local_server: ServerProcess) -> None:
    with ThreadPoolExecutor(CLIENTS) as pool:
        per_client = list(pool.map(lambda n: submit_all(local_server, n), range(CLIENTS)))
    ids = [job_id for batch in per_client for job_id in batch]
    assert len(set(ids)) == CLIENTS * JOBS_PER_CLIENT
    headers = {"Authorization": f"Bearer {local_server.api_key}"}
    jobs: dict[str, dict[str, Any]] = {}
    with httpx.Client(base_url=local_server.base_url, headers=headers, timeout=60) as http:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            for start in range(0, len(ids), 50):
                chunk = ids[start : start + 50]
                page = http.get("/api/v2/extract", params={"job_ids": chunk, "page_size": 50})
                jobs.update({job["id"]: job for job in page.json()["items"]})
            statuses = [job["status"] for job in jobs.values()]
            if len(jobs) == len(ids) and set(statuses) <= {"COMPLETED", "FAILED", "CANCELLED"}:
                break
            time.sleep(0.25)
    unfinished = {j["id"]: j["error_message"] for j in jobs.values() if j["status"] != "COMPLETED"}
    assert len(jobs) == len(ids) and not unfinished, unfinished
    for client_no, batch in enumerate(per_client):
        for job_id in batch:
            assert jobs[job_id]["extract_result"]["invoice_number"] == f"C{client_no}"
