"""Studio runs on the ledger, against the real local server: an unchanged run is answered from
the cache, Fresh run makes new jobs, and a run whose kernel was killed resumes in a new kernel
with exactly one job per document.

The killed kernel is a real IPython kernel (jupyter_client), driving the Studio on its own
event loop as a notebook does, killed with SIGKILL while its jobs run.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sqlite3
import textwrap
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from faultproxy import FaultProxy
from jupyter_client.manager import KernelManager
from misbehaving_engine import SLOW_MARKER
from servers import TESTS_DIR, ServerProcess, start_server

from llamaextract_nb.client import AsyncClient, Client
from llamaextract_nb.client.ledger import Ledger
from llamaextract_nb.schema import Field, Schema
from llamaextract_nb.widgets import Studio

pytestmark = pytest.mark.slow

SCHEMA = Schema([Field("invoice_number", "string", "The invoice number")])
CREATE = ("POST", "/api/v2/extract")
UPLOAD = ("POST", "/api/v1/beta/files")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One worker; documents holding SLOW_MARKER take a second each, so a run lasts a while."""
    server = start_server(
        tmp_path_factory.mktemp("studio-ledger"), workers=1, engine="misbehaving_engine:crashing"
    )
    try:
        yield server
    finally:
        server.stop()


def invoices(folder: Path, tag: str, count: int, *, slow: bool = False) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        path = folder / f"{tag}_{n}.txt"
        text = f"ACME Tools Ltd\nInvoice number: {tag.upper()}-{n}\nTotal due: 12.50 EUR\n"
        path.write_bytes(text.encode() + (SLOW_MARKER if slow else b""))
        paths.append(path)
    return paths


async def run_studio(base_url: str, api_key: str, folder: Path, ledger: Path, **run: Any) -> Studio:
    async with AsyncClient(base_url=base_url, api_key=api_key) as client:
        studio = Studio(client, ledger=ledger)
        studio.add_files(str(folder / "*.txt"))
        studio.schema = SCHEMA
        await asyncio.wait_for(studio.run(**run), 60)
    return studio


def jobs_per_file(server: ServerProcess, ledger: Path) -> Counter[str]:
    """How many jobs the server holds on each file this ledger uploaded."""
    with Ledger(ledger) as book:
        files = {record.file_id for record in book.jobs()}
    with Client(server.base_url, server.api_key) as client:
        return Counter(
            job.file_input for job in client.jobs.list(page_size=1000) if job.file_input in files
        )


async def test_an_unchanged_run_is_answered_from_the_cache_and_fresh_makes_new_jobs(
    server: ServerProcess, tmp_path: Path
) -> None:
    invoices(tmp_path / "docs", "cache", 3)
    ledger = tmp_path / "ledger.sqlite"
    with FaultProxy(server.base_url) as proxy:
        first = await run_studio(proxy.url, server.api_key, tmp_path / "docs", ledger)
        assert [row.status for row in first.run_panel.rows] == ["COMPLETED"] * 3
        assert not any(row.from_cache for row in first.run_panel.rows)
        sent = proxy.stats.forwarded

        started = time.monotonic()
        again = await run_studio(proxy.url, server.api_key, tmp_path / "docs", ledger)
        seconds = time.monotonic() - started
        rows = again.run_panel.rows
        assert proxy.stats.forwarded == sent, "the cached run sent requests"
        assert [row.status for row in rows] == ["COMPLETED"] * 3
        assert all(row.from_cache and "from cache" in row.message_label.value for row in rows)
        assert [row.job_id for row in rows] == [row.job_id for row in first.run_panel.rows]
        assert "3 from cache" in again.run_panel.summary.value
        assert again.results is not None
        assert list(again.results.df["invoice_number"]) == [f"CACHE-{n}" for n in range(3)]
        assert seconds < 5  # no request is sent (above); the bound only catches a hang

        fresh = await run_studio(proxy.url, server.api_key, tmp_path / "docs", ledger, fresh=True)
        assert [row.status for row in fresh.run_panel.rows] == ["COMPLETED"] * 3
        assert not any(row.from_cache for row in fresh.run_panel.rows)
        assert proxy.stats.counts[CREATE] == 6 and proxy.stats.counts[UPLOAD] == 3

        ticked = await run_studio_with_box(proxy.url, server.api_key, tmp_path / "docs", ledger)
        assert proxy.stats.counts[CREATE] == 9, "the Fresh run box made no new jobs"
        assert not any(row.from_cache for row in ticked.run_panel.rows)
    assert set(jobs_per_file(server, ledger).values()) == {3}


async def run_studio_with_box(base_url: str, api_key: str, folder: Path, ledger: Path) -> Studio:
    """A run started by clicking Run with the Fresh run box ticked."""
    async with AsyncClient(base_url=base_url, api_key=api_key) as client:
        studio = Studio(client, ledger=ledger)
        studio.add_files(str(folder / "*.txt"))
        studio.schema = SCHEMA
        studio.run_panel.fresh.value = True
        studio.run_panel.run_button.click()
        for _ in range(1200):
            await asyncio.sleep(0.05)
            if not studio.run_panel.running:
                break
    return studio


# --- a killed kernel ------------------------------------------------------------------

KERNEL_RUN = textwrap.dedent(
    """
    import json
    from llamaextract_nb.client import AsyncClient
    from llamaextract_nb.widgets import Studio
    from llamaextract_nb.schema import Field, Schema

    client = AsyncClient(base_url={base_url!r}, api_key={api_key!r})
    studio = Studio(client, ledger={ledger!r})
    studio.add_files({pattern!r})
    studio.schema = Schema([Field("invoice_number", "string", "The invoice number")])
    task = studio.run()
    """
)
KERNEL_REPORT = textwrap.dedent(
    """
    results = await task
    print("REPORT " + json.dumps(
        [[r.status, r.job_id, r.note, r.error] for r in studio.run_panel.rows]
    ))
    """
)


def start_kernel(cwd: Path) -> tuple[KernelManager, Any]:
    manager = KernelManager(kernel_name="python3")
    manager.start_kernel(cwd=str(cwd), env=_kernel_env())
    kernel = manager.client()
    kernel.start_channels()
    kernel.wait_for_ready(timeout=60)
    return manager, kernel


def _kernel_env() -> dict[str, str]:
    import os

    path = os.pathsep.join(filter(None, [str(TESTS_DIR.parent), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path}


def execute(kernel: Any, code: str, timeout: float = 120) -> str:
    """Run ``code`` in the kernel; its printed output (raises on an error in the cell)."""
    out: list[str] = []

    def collect(message: dict[str, Any]) -> None:
        content = message["content"]
        if message["msg_type"] == "stream":
            out.append(content["text"])
        elif message["msg_type"] == "error":
            out.append("\n".join(content["traceback"]))

    reply = kernel.execute_interactive(code, timeout=timeout, output_hook=collect)
    assert reply["content"]["status"] == "ok", "".join(out)
    return "".join(out)


def ledger_jobs(ledger: Path) -> list[tuple[str | None, str]]:
    if not ledger.exists():
        return []
    try:
        with sqlite3.connect(f"file:{ledger}?mode=ro", uri=True, timeout=1) as db:
            return list(db.execute("SELECT job_id, status FROM jobs"))
    except sqlite3.OperationalError:
        return []


def test_a_run_in_a_killed_kernel_resumes_in_a_new_one_with_one_job_per_document(
    server: ServerProcess, tmp_path: Path
) -> None:
    count = 5
    invoices(tmp_path / "docs", "killed", count, slow=True)  # a second each, one worker
    ledger = tmp_path / "ledger.sqlite"
    code = KERNEL_RUN.format(
        base_url=server.base_url,
        api_key=server.api_key,
        ledger=str(ledger),
        pattern=str(tmp_path / "docs" / "*.txt"),
    )
    manager, kernel = start_kernel(tmp_path)
    try:
        execute(kernel, code)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # every job created, not all finished
            rows = ledger_jobs(ledger)
            if len(rows) == count and all(job_id for job_id, _ in rows):
                break
            time.sleep(0.05)
        process = manager.provisioner.process  # type: ignore[union-attr]
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        assert process.returncode == -signal.SIGKILL
    finally:
        kernel.stop_channels()
        manager.cleanup_resources()
    at_kill = ledger_jobs(ledger)
    print(f"killed with ledger states {Counter(status for _, status in at_kill)}")
    assert len(at_kill) == count and all(job_id for job_id, _ in at_kill)
    assert any(status != "COMPLETED" for _, status in at_kill), "the run ended before the kill"

    manager, kernel = start_kernel(tmp_path)
    try:
        execute(kernel, code)
        output = execute(kernel, KERNEL_REPORT)
    finally:
        kernel.stop_channels()
        manager.shutdown_kernel(now=True)
    report = json.loads(output.split("REPORT ", 1)[1])
    assert [status for status, *_ in report] == ["COMPLETED"] * count, report
    assert {job_id for _, job_id, *_ in report} == {job_id for job_id, _ in at_kill}
    resumed = [note for _, _, note, _ in report if note.startswith("resumed")]
    assert resumed, report
    assert set(jobs_per_file(server, ledger).values()) == {1}
    assert len(jobs_per_file(server, ledger)) == count
