"""``extract_many(timeout=...)``: the call returns when its time is up, unfinished documents
are reported (not silently completed), and calling again resumes them: one job per document."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from faultproxy import FaultProxy
from misbehaving_engine import SLOW_MARKER
from servers import ServerProcess, start_server

from llamaextract_nb.client import Client

SCHEMA = {
    "type": "object",
    "properties": {"invoice_number": {"type": "string", "description": "The invoice number"}},
}
RESUME = "call extract_many again with the same arguments to resume"


@pytest.fixture(scope="module")
def slow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One worker whose engine sleeps 1 s on documents holding ``SLOW_MARKER``."""
    process = start_server(
        tmp_path_factory.mktemp("slow-server"), workers=1, engine="misbehaving_engine:crashing"
    )
    try:
        yield process
    finally:
        process.stop()


def slow_invoices(folder: Path, count: int) -> list[Path]:
    folder.mkdir()
    paths = []
    for i in range(count):
        path = folder / f"slow-{i}.txt"
        path.write_bytes(b"Invoice Number: SLOW-%d\n" % i + SLOW_MARKER + b"\n")
        paths.append(path)
    return paths


@pytest.mark.parametrize("timeout", [0, -1.0, float("nan"), float("inf")])
def test_timeout_must_be_positive(tmp_path: Path, timeout: float) -> None:
    (tmp_path / "a.txt").write_text("Total: 1")
    with (
        Client("http://127.0.0.1:9", "llx-unused") as client,
        pytest.raises(ValueError, match="timeout must be a positive number of seconds"),
    ):
        client.extract_many(tmp_path, SCHEMA, timeout=timeout, progress=False)


def test_timeout_must_be_a_number(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Total: 1")
    with (
        Client("http://127.0.0.1:9", "llx-unused") as client,
        pytest.raises(TypeError, match="timeout must be a number of seconds or None"),
    ):
        client.extract_many(tmp_path, SCHEMA, timeout="60", progress=False)  # type: ignore[arg-type]


@pytest.mark.slow
def test_returns_when_time_is_up_then_resumes_to_one_job_per_document(
    slow_server: ServerProcess, tmp_path: Path
) -> None:
    paths = slow_invoices(tmp_path / "docs", 4)  # 1 s each on one worker
    ledger = tmp_path / "ledger.sqlite"
    with (
        FaultProxy(slow_server.base_url) as proxy,
        Client(proxy.url, slow_server.api_key) as client,
    ):
        start = time.monotonic()
        partial = client.extract_many(paths, SCHEMA, ledger=ledger, timeout=1.5, progress=False)
        elapsed = time.monotonic() - start
        resumed = client.extract_many(paths, SCHEMA, ledger=ledger, progress=False)
    assert 1.5 <= elapsed < 2.5
    statuses = Counter(r.status for r in partial)
    assert statuses["COMPLETED"] < 4 and sum(statuses.values()) == 4
    failures = partial.failures
    assert len(failures) == 4 - statuses["COMPLETED"] >= 2
    assert set(failures.status) <= {"PENDING", "RUNNING", "THROTTLED"}
    assert all(error.endswith(f"after 1.5 s; {RESUME}") for error in failures.error)
    assert "not completed" in partial._repr_html_()
    assert set(partial.df.job_status) == set(statuses)

    assert [r.status for r in resumed] == ["COMPLETED"] * 4
    assert [r.data["invoice_number"] for r in resumed] == [f"SLOW-{i}" for i in range(4)]
    started = {r.job.id for r in partial if r.job.id}
    assert started <= {r.job.id for r in resumed}, "a job started before the timeout was redone"
    assert proxy.stats.counts[("POST", "/api/v2/extract")] == 4
    assert proxy.stats.counts[("POST", "/api/v1/beta/files")] == 4


@pytest.mark.slow
def test_time_up_during_uploads_then_resume_sends_nothing_twice(
    slow_server: ServerProcess, tmp_path: Path
) -> None:
    paths = slow_invoices(tmp_path / "docs", 3)
    ledger = tmp_path / "ledger.sqlite"
    # Every answer is held back 0.4 s: the time runs out with the uploads in flight.
    with (
        FaultProxy(slow_server.base_url, response_delay=0.4) as proxy,
        Client(proxy.url, slow_server.api_key) as client,
    ):
        partial = client.extract_many(paths, SCHEMA, ledger=ledger, timeout=0.2, progress=False)
        assert [(r.status, r.job.id) for r in partial] == [("PENDING", "")] * 3
        assert set(partial.failures.error) == {f"no job created yet after 0.2 s; {RESUME}"}
        resumed = client.extract_many(paths, SCHEMA, ledger=ledger, progress=False)
    assert [r.status for r in resumed] == ["COMPLETED"] * 3
    assert proxy.stats.counts[("POST", "/api/v1/beta/files")] == 3
    assert proxy.stats.counts[("POST", "/api/v2/extract")] == 3
