"""Run panel and Studio runs against the real local server (real HTTP, real engine).

Jobs run as asyncio tasks on the test's event loop, exactly as on a kernel's loop; the
widgets' traits are checked while and after they run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from misbehaving_engine import SLOW_MARKER
from servers import ServerProcess, start_server

from llamaextract_nb.api.models import ExtractConfiguration
from llamaextract_nb.client import AsyncClient, Client
from llamaextract_nb.results import BatchResult
from llamaextract_nb.schema import Field, Schema
from llamaextract_nb.widgets import RunPanel, Studio
from llamaextract_nb.widgets.files import describe

pytestmark = pytest.mark.slow

INVOICE = """ACME Tools Ltd
Invoice number: INV-2041
Invoice date: 2024-03-15
Total due: 1,250.00 EUR
"""

SCHEMA = Schema(
    [
        Field("invoice_number", "string", "The invoice number"),
        Field("total_due", "number", "The total amount due"),
    ]
)


@pytest.fixture(autouse=True)
def ledger_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs keep their ledger in the working directory: each test its own."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def documents(tmp_path: Path) -> list[Path]:
    paths = []
    for n in range(2):
        path = tmp_path / f"invoice_{n}.txt"
        path.write_text(INVOICE.replace("2041", f"204{n}"), encoding="utf-8")
        paths.append(path)
    return paths


@pytest.fixture
def studio(client: Client) -> Studio:
    return Studio(client)


async def test_one_click_runs_every_file_and_shows_results(
    studio: Studio, documents: list[Path]
) -> None:
    studio.add_files(str(documents[0].parent / "invoice_*.txt"))
    assert [f.name for f in studio.file_picker.files] == ["invoice_0.txt", "invoice_1.txt"]
    studio.schema = SCHEMA
    studio.options = {"cite_sources": True, "confidence_scores": True}
    ticks = 0

    async def other_work() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    other = asyncio.get_running_loop().create_task(other_work())
    studio.run_panel.run_button.click()
    assert studio.run_panel.running and studio.run_panel.run_button.disabled
    rows = studio.run_panel.rows
    assert [r.chosen.name for r in rows] == ["invoice_0.txt", "invoice_1.txt"]
    assert [r.status_label.value.count("PENDING") for r in rows] == [1, 1]
    walks: list[list[str]] = [[], []]
    for row, walk in zip(rows, walks, strict=True):
        row.observe(lambda change, walk=walk: walk.append(change["new"]), "status")
    for _ in range(600):
        if not studio.run_panel.running:
            break
        await asyncio.sleep(0.05)
    other.cancel()
    assert ticks > 10, "the event loop was blocked while jobs ran"
    assert [r.status for r in rows] == ["COMPLETED", "COMPLETED"], [r.error for r in rows]
    for walk in walks:  # uploading, then the service's statuses, as they happened
        assert walk[0] == "UPLOADING" and walk[-1] == "COMPLETED", walk
        assert set(walk[1:-1]) <= {"PENDING", "RUNNING"} and walk[1:-1], walk
    assert all(r.job_id.startswith("ext-") and r.elapsed > 0 for r in rows)
    assert all("COMPLETED" in r.status_label.value for r in rows)
    assert all(r.cancel_button.disabled for r in rows)
    for _ in range(100):  # the run's own finishing step hands the results to the view
        if studio.results is not None:
            break
        await asyncio.sleep(0.05)
    results = studio.results
    assert isinstance(results, BatchResult) and len(results) == 2
    assert list(results.df["invoice_number"]) == ["INV-2040", "INV-2041"]
    view = studio.results_view
    assert "INV-2040" in view.table.value and "lxnb-result-table" in view.table.value
    assert view.field.options[0] == "invoice_number"
    assert "INV-2040" in view.citations.value and "lxnb-citation" in view.citations.value
    assert view.detail.value == ""  # the full view renders only when opened
    view.detail_box.selected_index = 0
    assert "invoice_0.txt" in view.detail.value and "INV-2040" in view.detail.value
    view.document.value = 1
    assert "INV-2041" in view.citations.value and "invoice_1.txt" in view.detail.value
    view.field.value = "total_due"
    assert "1,250.00" in view.citations.value


async def test_run_returns_an_awaitable_with_the_results(
    studio: Studio, documents: list[Path]
) -> None:
    studio.add_files(str(documents[0]))
    studio.schema = SCHEMA
    task = studio.run()
    assert not task.done()
    with pytest.raises(ValueError, match="a run is in progress"):
        studio.run()
    results = await asyncio.wait_for(task, 60)
    assert results.df["total_due"].tolist() == [1250.0]
    assert studio.history.records[0].statuses == ["COMPLETED"]


async def test_history_brings_back_an_earlier_run(studio: Studio, documents: list[Path]) -> None:
    studio.add_files(str(documents[0]))
    studio.schema = SCHEMA
    first = await asyncio.wait_for(studio.run(), 60)
    second_schema = Schema([Field("invoice_date", "date", "Date of issue")])
    studio.schema = second_schema
    studio.options = {"tier": "agentic", "cite_sources": True}
    await asyncio.wait_for(studio.run(), 60)
    assert list(studio.results.df.columns).count("invoice_date") == 1  # type: ignore[union-attr]
    labels = [label for label, _ in studio.history.choice.options]
    assert labels[0].startswith("#2 ") and "agentic" in labels[0] and "1/1 completed" in labels[0]
    assert labels[1].startswith("#1 ") and "cost_effective" in labels[1]
    studio.history.choice.value = 1
    studio.history.restore_button.click()
    assert studio.schema == SCHEMA
    assert studio.options["tier"] == "cost_effective" and studio.options["cite_sources"] is False
    restored = studio.results
    assert restored is not None and restored.df.equals(first.df)
    with pytest.raises(ValueError, match="there is no run #9"):
        studio.history.restore(9)


async def test_inputs_not_ready_are_explained_in_the_widget(
    studio: Studio, documents: list[Path]
) -> None:
    studio.run_panel.run_button.click()
    assert "choose at least one document" in studio.run_panel.error.value
    studio.add_files(str(documents[0]))
    studio.schema_editor.rows[0].name.value = ""
    studio.run_panel.run_button.click()
    assert "fix the schema first: #1: field 1 has no name" in studio.run_panel.error.value
    studio.schema_editor.json_view.value = "{oops"
    studio.run_panel.run_button.click()
    assert "line 1, column 2" in studio.run_panel.error.value
    assert studio.run_panel.rows == [] and studio.history.records == []


def test_run_needs_a_running_loop(studio: Studio, documents: list[Path]) -> None:
    studio.add_files(str(documents[0]))
    with pytest.raises(RuntimeError, match="needs a running event loop"):
        studio.run()


def _configuration(**options: Any) -> ExtractConfiguration:
    return ExtractConfiguration(data_schema=SCHEMA.to_json_schema(), **options)


async def _run(panel: RunPanel, client: AsyncClient, paths: list[Path], **options: Any) -> None:
    task = panel.start(client, [describe(p.name, p) for p in paths], _configuration(**options))
    await asyncio.wait_for(task, 60)


async def test_bad_key_is_a_readable_message(local_server: Any, documents: list[Path]) -> None:
    panel = RunPanel()
    async with AsyncClient(base_url=local_server.base_url, api_key="llx-wrong") as client:
        await _run(panel, client, documents[:1])
    row = panel.rows[0]
    assert row.status == "FAILED"
    assert "401" in row.error and "Traceback" not in row.error
    assert "llx-wrong" not in row.error and "401" in row.message_label.value


async def test_server_validation_error_is_a_readable_message(
    local_server: Any, documents: list[Path]
) -> None:
    panel = RunPanel()
    async with AsyncClient(base_url=local_server.base_url, api_key=local_server.api_key) as client:
        await _run(panel, client, documents[:1], tier="fastest-please")
    row = panel.rows[0]
    assert row.status == "FAILED" and "422" in row.error and "tier" in row.error


async def test_network_error_is_a_readable_message(documents: list[Path]) -> None:
    panel = RunPanel()
    async with AsyncClient(base_url="http://127.0.0.1:9", api_key="k", max_retries=0) as client:
        await _run(panel, client, documents[:1])
    row = panel.rows[0]
    assert row.status == "FAILED"
    assert row.error.startswith("could not reach the service") and "Traceback" not in row.error


async def test_cancel_before_the_job_exists(local_server: Any, documents: list[Path]) -> None:
    panel = RunPanel()
    async with AsyncClient(base_url=local_server.base_url, api_key=local_server.api_key) as client:
        task = panel.start(client, [describe(p.name, p) for p in documents], _configuration())
        panel.rows[0].cancel_button.click()
        results = await asyncio.wait_for(task, 60)
    assert [r.status for r in panel.rows] == ["CANCELLED", "COMPLETED"]
    assert panel.rows[0].cancel_button.disabled and panel.rows[0].job_id == ""
    assert len(results) == 1 and not panel.running and not panel.run_button.disabled
    assert "1 cancelled" in panel.summary.value and "1 completed" in panel.summary.value


@pytest.fixture(scope="module")
def one_worker_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One worker whose engine sleeps 1 s on a marked document: a job behind it stays queued."""
    server = start_server(
        tmp_path_factory.mktemp("studio-cancel"),
        workers=1,
        engine="misbehaving_engine:crashing",
    )
    try:
        yield server
    finally:
        server.stop()


async def test_cancel_a_queued_job_on_the_service(
    one_worker_server: ServerProcess, tmp_path: Path
) -> None:
    slow = tmp_path / "slow.txt"
    slow.write_bytes(INVOICE.encode() + SLOW_MARKER)
    queued = tmp_path / "queued.txt"
    queued.write_text(INVOICE, encoding="utf-8")
    panel = RunPanel()
    server = one_worker_server
    async with AsyncClient(base_url=server.base_url, api_key=server.api_key) as client:
        task = panel.start(client, [describe(p.name, p) for p in (slow, queued)], _configuration())
        target = panel.rows[1]
        for _ in range(200):
            if target.job_id:
                break
            await asyncio.sleep(0.01)
        assert target.job_id and target.status == "PENDING"
        target.cancel_button.click()
        await asyncio.wait_for(task, 60)
        job = await client.jobs.get(target.job_id)
    assert [r.status for r in panel.rows] == ["COMPLETED", "CANCELLED"]
    assert job.status == "CANCELLED" and target.error == ""


async def test_uploads_are_bounded(
    local_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("llamaextract_nb.widgets.jobs.MAX_CONCURRENT_UPLOADS", 2)
    paths = []
    for n in range(8):
        path = tmp_path / f"doc_{n}.txt"
        path.write_text(INVOICE.replace("2041", f"30{n:02d}"), encoding="utf-8")
        paths.append(path)
    panel = RunPanel()
    uploading: set[int] = set()
    most = 0

    def watch(index: int, status: str) -> None:
        nonlocal most
        (uploading.add if status == "UPLOADING" else uploading.discard)(index)
        most = max(most, len(uploading))

    async with AsyncClient(base_url=local_server.base_url, api_key=local_server.api_key) as client:
        task = panel.start(client, [describe(p.name, p) for p in paths], _configuration())
        for index, row in enumerate(panel.rows):
            row.observe(lambda change, index=index: watch(index, change["new"]), "status")
        results = await asyncio.wait_for(task, 120)
    assert most == 2
    assert [r.status for r in panel.rows] == ["COMPLETED"] * 8
    assert [r.df["invoice_number"][0] for r in results] == [f"INV-30{n:02d}" for n in range(8)]
