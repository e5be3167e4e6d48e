"""extract_many end to end: a real local server over real HTTP, real SQLite, real documents.

Every test makes documents with its own content (so jobs and uploads can be counted per test
on the module's server), and most talk through ``FaultProxy`` to count or break requests.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from faultproxy import FaultProxy
from servers import ServerProcess, start_server

from llamaextract_nb.client import AsyncClient, Client
from llamaextract_nb.client.batch_keys import external_file_id
from llamaextract_nb.client.ledger import Ledger
from llamaextract_nb.results import BatchResult

pytestmark = pytest.mark.slow

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "invoice_number": {"type": "string", "description": "The invoice number"},
        "invoice_date": {"type": "string", "format": "date"},
        "vendor": {"type": "string", "description": "Company that issued the invoice"},
        "total": {"type": "number", "description": "Total amount due"},
    },
}


def make_invoices(folder: Path, tag: str, count: int) -> list[Path]:
    """``count`` small distinct text invoices; ``tag`` keeps each test's content its own."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = folder / f"{tag}-{i:03d}.txt"
        path.write_text(
            f"INVOICE ({tag})\nInvoice Number: {tag.upper()}-{1000 + i}\n"
            f"Invoice Date: 2024-{i % 12 + 1:02d}-{i % 28 + 1:02d}\n"
            f"Vendor: {tag.title()} Supply {i} Ltd\nTotal: ${100 + 7 * i}.25\n",
            encoding="utf-8",
        )
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server of this module's own, so jobs and files can be counted."""
    process = start_server(tmp_path_factory.mktemp("batch-server"), workers=2)
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture
def client(server: ServerProcess) -> Iterator[Client]:
    with Client(base_url=server.base_url, api_key=server.api_key) as c:
        yield c


def jobs_per_file(client: Client, file_ids: set[str]) -> Counter[str]:
    """How many jobs the server holds for each of ``file_ids``."""
    return Counter(
        job.file_input for job in client.jobs.list(page_size=1000) if job.file_input in file_ids
    )


def uploads_of(client: Client, paths: list[Path], ledger: Path) -> dict[str, list[str]]:
    """The ids of the files the server holds for each document as uploaded by ``ledger``."""
    with Ledger(ledger) as book:
        return {
            path.name: [
                file.id
                for file in client.files.list(
                    external_file_id=external_file_id(
                        book, hashlib.sha256(path.read_bytes()).hexdigest()
                    )
                )
            ]
            for path in paths
        }


def data_by_file(batch: BatchResult) -> dict[str, Any]:
    return {Path(r.name).name: r.data for r in batch}


# --- the batch and its DataFrame --------------------------------------------------------


def test_one_call_one_dataframe_then_served_from_the_ledger(
    server: ServerProcess, tmp_path: Path
) -> None:
    paths = make_invoices(tmp_path / "docs", "df", 10)
    copy = tmp_path / "docs" / "same-as-first.txt"
    copy.write_bytes(paths[0].read_bytes())
    upload = {"name": "uploaded.txt", "type": "text/plain", "content": memoryview(b"x")}
    upload["content"] = memoryview(paths[1].read_bytes().replace(b"DF-1001", b"DF-9999"))
    ledger = tmp_path / "ledger.sqlite"
    with FaultProxy(server.base_url) as proxy, Client(proxy.url, server.api_key) as client:
        batch = client.extract_many(
            [tmp_path / "docs", upload], SCHEMA, ledger=ledger, progress=False
        )
        first = proxy.stats.forwarded
        again = client.extract_many(
            [tmp_path / "docs", upload], SCHEMA, ledger=ledger, progress=False
        )
        assert proxy.stats.forwarded == first, "a cached batch must not touch the server"

    df = batch.df
    assert list(df.columns[:3]) == ["file", "job_id", "job_status"]
    assert len(df) == 12 and set(df.job_status) == {"COMPLETED"}
    assert batch.failures.empty
    row = df.set_index(df.file.map(lambda f: Path(f).name)).loc["df-003.txt"]
    assert (row.invoice_number, row.total) == ("DF-1003", 121.25)
    assert df.loc[df.file == "uploaded.txt", "invoice_number"].item() == "DF-9999"
    # identical content is one job
    by_file = dict(zip(df.file.map(lambda f: Path(f).name), df.job_id, strict=True))
    assert by_file["same-as-first.txt"] == by_file["df-000.txt"]
    assert proxy.stats.counts[("POST", "/api/v2/extract")] == 11
    assert data_by_file(again) == data_by_file(batch)
    assert "<table" in batch._repr_html_()


def test_polls_many_jobs_per_request_and_needs_no_per_job_get(
    server: ServerProcess, tmp_path: Path
) -> None:
    paths = make_invoices(tmp_path, "poll", 40)
    with FaultProxy(server.base_url) as proxy, Client(proxy.url, server.api_key) as client:
        batch = client.extract_many(
            paths, SCHEMA, ledger=tmp_path / "l.sqlite", progress=False, confidence_scores=True
        )
    counts = proxy.stats.counts
    assert counts[("POST", "/api/v1/beta/files")] == 40
    assert counts[("POST", "/api/v2/extract")] == 40
    assert counts[("GET", "/api/v2/extract/{id}")] == 0
    assert 1 <= counts[("GET", "/api/v2/extract")] <= 20
    assert proxy.stats.forwarded / 40 < 2.5
    fields = batch.fields
    assert fields.confidence.notna().all() and len(fields) == 160  # metadata came with the list


async def test_async_twin_and_sync_call_inside_a_running_loop(
    server: ServerProcess, tmp_path: Path
) -> None:
    paths = make_invoices(tmp_path, "async", 4)
    async with AsyncClient(server.base_url, server.api_key) as aclient:
        batch = await aclient.extract_many(
            paths, SCHEMA, ledger=tmp_path / "a.sqlite", progress=False
        )
    assert [r.status for r in batch] == ["COMPLETED"] * 4
    # A sync call while this test's event loop runs (as in Jupyter) runs on a worker thread.
    with Client(server.base_url, server.api_key) as client:
        again = client.extract_many(paths, SCHEMA, ledger=tmp_path / "a.sqlite", progress=False)
    assert data_by_file(again) == data_by_file(batch)


def test_fresh_extracts_again_and_options_are_part_of_the_cache_key(
    client: Client, tmp_path: Path
) -> None:
    paths = make_invoices(tmp_path, "fresh", 3)
    ledger = tmp_path / "l.sqlite"
    first = client.extract_many(paths, SCHEMA, ledger=ledger, progress=False)
    cached = client.extract_many(paths, SCHEMA, ledger=ledger, progress=False)
    fresh = client.extract_many(paths, SCHEMA, ledger=ledger, progress=False, fresh=True)
    cited = client.extract_many(paths, SCHEMA, ledger=ledger, progress=False, cite_sources=True)
    ids = [set(b.df.job_id) for b in (first, cached, fresh, cited)]
    assert ids[0] == ids[1]
    assert ids[2].isdisjoint(ids[0]) and ids[3].isdisjoint(ids[0] | ids[2])
    file_ids = {r.job.file_input for r in first if r.job.file_input}
    assert len(file_ids) == 3, "uploads are reused across runs"
    assert set(jobs_per_file(client, file_ids).values()) == {3}


def test_failed_job_is_reported_and_retried_only_when_asked(client: Client, tmp_path: Path) -> None:
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.7\nthis is not really a pdf\n")
    good = make_invoices(tmp_path, "mixed", 1)
    ledger = tmp_path / "l.sqlite"
    batch = client.extract_many([bad, *good], SCHEMA, ledger=ledger, progress=False)
    failures = batch.failures
    assert list(failures.file) == [str(bad)]
    assert failures.status.item() == "FAILED" and failures.error.item()
    assert batch.df.set_index("file").loc[str(good[0]), "job_status"] == "COMPLETED"
    file_id = next(r.job.file_input for r in batch if r.status == "FAILED")
    assert file_id is not None

    client.extract_many([bad, *good], SCHEMA, ledger=ledger, progress=False)
    assert jobs_per_file(client, {file_id})[file_id] == 1
    retried = client.extract_many(
        [bad, *good], SCHEMA, ledger=ledger, progress=False, retry_failed=True
    )
    assert jobs_per_file(client, {file_id})[file_id] == 2
    assert retried.failures.job_id.item() != failures.job_id.item()


def test_a_job_and_file_the_server_lost_are_made_again(client: Client, tmp_path: Path) -> None:
    paths = make_invoices(tmp_path, "lost", 3)
    ledger = tmp_path / "l.sqlite"
    first = client.extract_many(paths, SCHEMA, ledger=ledger, progress=False)
    lost = first[1].job
    assert lost.file_input is not None
    # As if the run had stopped while the job ran, and the server then lost job and file.
    with sqlite3.connect(ledger) as db:
        db.execute("UPDATE jobs SET status='RUNNING', job_json=NULL WHERE job_id=?", (lost.id,))
    client.jobs.delete(lost.id, force=True)
    client.files.delete(lost.file_input)

    again = client.extract_many(paths, SCHEMA, ledger=ledger, progress=False)
    assert [r.status for r in again] == ["COMPLETED"] * 3
    assert again[1].job.id != lost.id and again[1].job.file_input != lost.file_input
    assert again[1].data == first[1].data
    assert [again[i].job.id for i in (0, 2)] == [first[i].job.id for i in (0, 2)]
    with Ledger(ledger) as book:
        assert [r.status for r in book.jobs() if r.name == paths[1].name] == [
            "LOST",
            "LOST",
            "COMPLETED",
        ]


def test_restarted_local_server_on_a_new_port_resumes_from_the_ledger(tmp_path: Path) -> None:
    """A kernel restart: the embedded server comes back on another port with the same data."""
    paths = make_invoices(tmp_path / "docs", "restart", 4)
    ledger = tmp_path / "l.sqlite"
    first_server = start_server(tmp_path / "data")
    try:
        with Client(first_server.base_url, first_server.api_key) as client:
            first = client.extract_many(paths, SCHEMA, ledger=ledger, progress=False)
    finally:
        first_server.stop()
    # As if the kernel died while the last job ran: the ledger has its id, not its result.
    with sqlite3.connect(ledger) as db:
        db.execute(
            "UPDATE jobs SET status='RUNNING', job_json=NULL WHERE job_id=?", (first[3].job.id,)
        )
    server = start_server(tmp_path / "data", api_key=first_server.api_key)
    try:
        assert server.base_url != first_server.base_url
        with FaultProxy(server.base_url) as proxy, Client(proxy.url, server.api_key) as client:
            again = client.extract_many(paths, SCHEMA, ledger=ledger, progress=False)
    finally:
        server.stop()
    assert [r.job.id for r in again] == [r.job.id for r in first]
    assert again[3].data == first[3].data
    assert proxy.stats.counts == {("GET", "/api/v2/extract"): 1}  # one poll, nothing re-sent


def test_bad_arguments_get_clear_errors(client: Client, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Total: 1")
    with pytest.raises(TypeError, match="unexpected keyword argument 'tierr'"):
        client.extract_many(tmp_path, SCHEMA, tierr="agentic", progress=False)  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="concurrency must be"):
        client.extract_many(tmp_path, SCHEMA, concurrency=0, progress=False)
    with pytest.raises(FileNotFoundError, match="no files match"):
        client.extract_many(str(tmp_path / "*.pdf"), SCHEMA, progress=False)


# --- ambiguous failures, faults, crashes ---------------------------------------------------


def test_ambiguous_creates_and_uploads_are_looked_up_not_repeated(
    server: ServerProcess, tmp_path: Path
) -> None:
    paths = make_invoices(tmp_path, "ambiguous", 6)
    script = {
        ("POST", "/api/v2/extract"): ["reset_after", "reset_after", "503", "reset_after"],
        ("POST", "/api/v1/beta/files"): ["reset_after", "reset_after", "429"],
    }
    with (
        FaultProxy(server.base_url, script=script, retry_after="0") as proxy,
        Client(proxy.url, server.api_key) as client,
    ):
        batch = client.extract_many(paths, SCHEMA, ledger=tmp_path / "l.sqlite", progress=False)
        assert proxy.stats.resets_after == 5
        file_ids = {r.job.file_input for r in batch if r.job.file_input}
        assert set(jobs_per_file(client, file_ids).values()) == {1}
        uploads = uploads_of(client, paths, tmp_path / "l.sqlite")
        assert {len(ids) for ids in uploads.values()} == {1}
    assert [r.status for r in batch] == ["COMPLETED"] * 6 and len(file_ids) == 6


def test_faults_100_documents_same_results_exactly_100_jobs(
    server: ServerProcess, tmp_path: Path
) -> None:
    paths = make_invoices(tmp_path / "docs", "faults", 100)
    with Client(server.base_url, server.api_key) as client:
        clean = client.extract_many(paths, SCHEMA, ledger=tmp_path / "clean.sqlite", progress=False)
    with (
        FaultProxy(server.base_url, error_rate=0.2, reset_rate=0.05, seed=7) as proxy,
        Client(proxy.url, server.api_key) as client,
    ):
        start = time.monotonic()
        flaky = client.extract_many(paths, SCHEMA, ledger=tmp_path / "flaky.sqlite", progress=False)
        elapsed = time.monotonic() - start
    stats = proxy.stats
    print(
        f"faults: {stats.errors} errors, {stats.resets_before}+{stats.resets_after} resets, "
        f"{stats.forwarded} forwarded, {elapsed:.1f} s"
    )
    assert stats.errors >= 20 and stats.resets_before + stats.resets_after >= 3
    assert [r.status for r in flaky] == ["COMPLETED"] * 100
    assert data_by_file(flaky) == data_by_file(clean)
    # Count what the flaky run created, from the server's own list. Its files are its own
    # (uploaded under its ledger's external ids), so every job on them is one it created.
    flaky_files = {r.job.file_input for r in flaky if r.job.file_input}
    with Client(server.base_url, server.api_key) as client:
        created = jobs_per_file(client, flaky_files)
        uploads = uploads_of(client, paths, tmp_path / "flaky.sqlite")
    assert len(flaky_files) == 100
    assert sum(created.values()) == 100 and set(created.values()) == {1}
    assert {len(ids) for ids in uploads.values()} == {1}, "an upload was repeated"


CRASH_SCRIPT = textwrap.dedent(
    """
    import json, os, sys
    from llamaextract_nb.client import Client

    base_url, folder, ledger, schema, fresh = sys.argv[1:6]
    with Client(base_url, os.environ["BATCH_TEST_KEY"]) as client:
        batch = client.extract_many(
            folder, json.loads(schema), ledger=ledger, progress=False, fresh=fresh == "fresh"
        )
    print(json.dumps({r.name: [r.status, r.job.id, r.job.file_input] for r in batch}))
    """
)


def kill_halfway_then_rerun(
    server: ServerProcess,
    folder: Path,
    ledger: Path,
    *,
    count: int,
    fresh: bool,
    when: str = "job_id IS NOT NULL",
    share: float = 0.5,
) -> dict[str, list[str]]:
    """Run a batch of ``folder`` in a subprocess, SIGKILL it once ``share`` of its ``count``
    documents have a new ledger row matching ``when`` (by default: a job id), run it again to
    the end; the second run's outcome."""
    script = ledger.parent / "batch.py"
    script.write_text(CRASH_SCRIPT)
    env = {**os.environ, "BATCH_TEST_KEY": server.api_key}
    flag = "fresh" if fresh else "cached"

    def run(base_url: str) -> subprocess.Popen[str]:
        args = [sys.executable, str(script), base_url, str(folder), str(ledger)]
        return subprocess.Popen(
            [*args, json.dumps(SCHEMA), flag], stdout=subprocess.PIPE, text=True, env=env
        )

    before = _ledger_rows(ledger, when)
    # Answers held back 0.15 s so that the kill lands with requests in flight.
    with FaultProxy(server.base_url, response_delay=0.15) as proxy:
        process = run(proxy.url)
        created = 0
        deadline = time.monotonic() + 60
        while created < count * share and time.monotonic() < deadline:
            time.sleep(0.02)
            created = _ledger_rows(ledger, when) - before
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        assert process.returncode == -signal.SIGKILL
        with Ledger(ledger) as book:
            states = Counter(r.status for r in book.jobs())
        print(f"killed with ledger states {dict(states)}")
        assert count * share <= created < count

        second = run(proxy.url)
        out, _ = second.communicate(timeout=120)
        assert second.returncode == 0
    outcome: dict[str, list[str]] = json.loads(out)
    assert len(outcome) == count
    assert {status for status, _, _ in outcome.values()} == {"COMPLETED"}
    return outcome


def test_sigkill_halfway_then_rerun_one_job_per_document(
    server: ServerProcess, tmp_path: Path
) -> None:
    count = 60
    paths = make_invoices(tmp_path / "docs", "crash", count)
    ledger = tmp_path / "ledger.sqlite"
    outcome = kill_halfway_then_rerun(server, tmp_path / "docs", ledger, count=count, fresh=False)
    with Client(server.base_url, server.api_key) as client:
        uploads = uploads_of(client, paths, ledger)
        every_file = {file_id for ids in uploads.values() for file_id in ids}
        per_file = jobs_per_file(client, every_file)
    assert {len(ids) for ids in uploads.values()} == {1}, "an upload was repeated"
    assert sum(per_file.values()) == count and set(per_file.values()) == {1}
    assert {file_id for _, _, file_id in outcome.values()} == every_file


def test_fresh_run_killed_halfway_is_resumed_by_the_next_fresh_run(
    server: ServerProcess, tmp_path: Path
) -> None:
    count = 40
    paths = make_invoices(tmp_path / "docs", "freshcrash", count)
    ledger = tmp_path / "ledger.sqlite"
    with Client(server.base_url, server.api_key) as client:
        cached = client.extract_many(paths, SCHEMA, ledger=ledger, progress=False)
    file_ids = {r.job.file_input for r in cached if r.job.file_input}
    assert len(file_ids) == count

    # Killed once a quarter of the documents have a new result: those must not be redone.
    outcome = kill_halfway_then_rerun(
        server,
        tmp_path / "docs",
        ledger,
        count=count,
        fresh=True,
        when="status='COMPLETED'",
        share=0.25,
    )
    with Client(server.base_url, server.api_key) as client:
        per_file = jobs_per_file(client, file_ids)
        # the pair of fresh calls made exactly one new job per document
        assert set(per_file.values()) == {2}, "a fresh run redid what it had done"
        assert {job_id for _, job_id, _ in outcome.values()}.isdisjoint(cached.df.job_id)
        # that run finished: the next fresh call starts anew
        again = client.extract_many(paths, SCHEMA, ledger=ledger, progress=False, fresh=True)
        assert set(jobs_per_file(client, file_ids).values()) == {3}
    assert data_by_file(again) == data_by_file(cached)
    with Ledger(ledger) as book:
        completed = [r for r in book.jobs() if r.status == "COMPLETED"]
    assert len(completed) == 3 * count


def _ledger_rows(ledger: Path, where: str) -> int:
    if not ledger.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{ledger}?mode=ro", uri=True, timeout=1) as db:
            return int(db.execute(f"SELECT COUNT(*) FROM jobs WHERE {where}").fetchone()[0])
    except sqlite3.OperationalError:
        return 0
