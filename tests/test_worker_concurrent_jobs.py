"""An engine that declares ``concurrent_jobs`` gets that many jobs at once per worker process,
and cancelling one of them leaves its siblings running to completion."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from misbehaving_engine import HANG_MARKER, SLOW_MARKER
from servers import ServerProcess, start_server

from llamaextract_nb.client import Client

pytestmark = pytest.mark.slow

SCHEMA = {"type": "object", "properties": {"invoice_number": {"type": "string"}}}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One worker process; the engine says it can run 4 jobs at once."""
    server = start_server(
        tmp_path_factory.mktemp("concurrent"),
        workers=1,
        engine="misbehaving_engine:waiting",
        extra_args=["--worker-memory-mb", "0"],
    )
    try:
        yield server
    finally:
        server.stop()


def test_one_worker_runs_the_declared_number_of_jobs_at_once_and_a_cancel_spares_the_rest(
    server: ServerProcess, tmp_path: Path
) -> None:
    with Client(server.base_url, server.api_key) as client:
        hanging = tmp_path / "hanging.txt"
        hanging.write_bytes(b"Invoice number: H-1\n" + HANG_MARKER)
        jobs = [client.jobs.create(client.files.upload(hanging).id, {"data_schema": SCHEMA})]
        for n in range(3):
            path = tmp_path / f"slow_{n}.txt"
            path.write_bytes(f"Invoice number: S-{n}\n".encode() + SLOW_MARKER)
            jobs.append(client.jobs.create(client.files.upload(path).id, {"data_schema": SCHEMA}))
        ids = [job.id for job in jobs]
        most_running = 0
        deadline = time.monotonic() + 30
        while most_running < 4 and time.monotonic() < deadline:
            statuses = [job.status for job in client.jobs.list(job_ids=ids)]
            most_running = max(most_running, statuses.count("RUNNING"))
            time.sleep(0.05)
        assert most_running == 4, "the worker ran its jobs one at a time"
        assert client.jobs.cancel(ids[0]).status == "CANCELLED"
        finished = [client.wait(job_id, timeout=30) for job_id in ids[1:]]
    assert [job.status for job in finished] == ["COMPLETED"] * 3
