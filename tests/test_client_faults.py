"""extract() through a faulty network to a real local server: every call makes exactly one
file and one job, sync and async (``FaultProxy`` answers 503/429 and resets connections,
some *after* the server did the work); two concurrent calls on one file never share a job."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from client_fakes import Runner
from faultproxy import FaultProxy
from servers import ServerProcess, start_server

from llamaextract_nb.client import AsyncClient, Client

pytestmark = pytest.mark.slow

SCHEMA = {
    "type": "object",
    "properties": {"invoice_number": {"type": "string", "description": "The invoice number"}},
}
UPLOAD = ("POST", "/api/v1/beta/files")
CREATE = ("POST", "/api/v2/extract")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server of this module's own, so its files and jobs can be counted."""
    process = start_server(tmp_path_factory.mktemp("faults-server"), workers=2)
    try:
        yield process
    finally:
        process.stop()


def invoices(folder: Path, tag: str, count: int) -> list[Path]:
    paths = []
    for i in range(count):
        path = folder / f"{tag}-{i:02d}.txt"
        path.write_text(f"INVOICE\nInvoice Number: {tag.upper()}-{100 + i}\n", encoding="utf-8")
        paths.append(path)
    return paths


def on_server(server: ServerProcess, tag: str) -> tuple[Counter[str], Counter[str]]:
    """Files named ``tag-*`` on the server (by name) and the jobs on them (by file name)."""
    with Client(server.base_url, server.api_key) as client:
        files = {f.id: f.name for f in client.files.list(page_size=1000) if f.name.startswith(tag)}
        jobs = Counter(
            files[job.file_input]
            for job in client.jobs.list(page_size=1000)
            if job.file_input in files
        )
    return Counter(files.values()), jobs


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_each_extract_makes_one_file_and_one_job_through_faults(
    server: ServerProcess, tmp_path: Path, mode: str
) -> None:
    count = 12
    tag = f"faults-{mode}"
    paths = invoices(tmp_path, tag, count)
    # The first upload and the first and third creates lose their answer after the server acted.
    script = {UPLOAD: ["reset_after"], CREATE: ["reset_after", "forward", "reset_after"]}
    with FaultProxy(
        server.base_url, error_rate=0.2, reset_rate=0.05, seed=11, retry_after="0", script=script
    ) as proxy:
        live = Runner(mode, base_url=proxy.url, api_key=server.api_key, max_retries=8)
        try:
            results = [live("extract", path, SCHEMA) for path in paths]
        finally:
            live.close()
    stats = proxy.stats
    assert stats.resets_after >= 3 and stats.errors >= 5
    assert [r.data["invoice_number"] for r in results] == [
        f"{tag.upper()}-{100 + i}" for i in range(count)
    ]
    files, jobs = on_server(server, tag)
    assert files == {path.name: 1 for path in paths}, "a file was uploaded twice"
    assert jobs == {path.name: 1 for path in paths}, "a job was created twice"
    assert stats.counts[CREATE] == count and stats.counts[UPLOAD] == count


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_on_an_existing_file_earlier_jobs_are_not_taken_for_ours(
    server: ServerProcess, tmp_path: Path, mode: str
) -> None:
    (path,) = invoices(tmp_path, f"existing-{mode}", 1)
    with Client(server.base_url, server.api_key) as client:
        file_id = client.files.upload(path).id
    # 1st call clean; 2nd: the create's answer is lost after the server made the job;
    # 3rd: the connection is lost before the request reached the server.
    script = {CREATE: ["forward", "reset_after", "reset_before"]}
    with FaultProxy(server.base_url, script=script) as proxy:
        live = Runner(mode, base_url=proxy.url, api_key=server.api_key, max_retries=3)
        try:
            ids = [live("extract", file_id, SCHEMA).job.id for _ in range(3)]
        finally:
            live.close()
    assert (proxy.stats.resets_after, proxy.stats.resets_before) == (1, 1)
    assert len(set(ids)) == 3, "an earlier job on the file was returned as a new one"
    with Client(server.base_url, server.api_key) as client:
        on_file = [job.id for job in client.jobs.list(file_input=file_id)]
    assert sorted(on_file) == sorted(ids)


def test_two_concurrent_extracts_on_one_file_never_share_a_job(
    server: ServerProcess, tmp_path: Path
) -> None:
    """Both creates' answers are lost after the server made the jobs; both calls look up the
    same file, where both jobs match: each must end up with its own (sync, in two threads)."""
    (path,) = invoices(tmp_path, "concurrent-sync", 1)
    with Client(server.base_url, server.api_key) as client:
        file_id = client.files.upload(path).id
    script = {CREATE: ["reset_after", "reset_after"]}
    with (
        FaultProxy(server.base_url, script=script) as proxy,
        Client(proxy.url, server.api_key, max_retries=3) as live,
        ThreadPoolExecutor(2) as pool,
    ):
        ids = list(pool.map(lambda _: live.extract(file_id, SCHEMA).job.id, range(2)))
    assert proxy.stats.resets_after == 2
    assert len(set(ids)) == 2, "two calls took the same job"
    with Client(server.base_url, server.api_key) as client:
        assert sorted(job.id for job in client.jobs.list(file_input=file_id)) == sorted(ids)


async def test_two_concurrent_async_extracts_on_one_file_never_share_a_job(
    server: ServerProcess, tmp_path: Path
) -> None:
    (path,) = invoices(tmp_path, "concurrent-async", 1)
    script = {CREATE: ["reset_after", "reset_after"]}
    with FaultProxy(server.base_url, script=script) as proxy:
        async with AsyncClient(proxy.url, server.api_key, max_retries=3) as live:
            file_id = (await live.files.upload(path)).id
            results = await asyncio.gather(*(live.extract(file_id, SCHEMA) for _ in range(2)))
            on_file = [job.id async for job in live.jobs.list(file_input=file_id)]
    ids = [result.job.id for result in results]
    assert proxy.stats.resets_after == 2
    assert len(set(ids)) == 2, "two calls took the same job"
    assert sorted(on_file) == sorted(ids)
