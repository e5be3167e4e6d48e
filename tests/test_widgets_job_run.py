"""A Studio run against the real local server: one poll request per tick for all its jobs, a
single read only for a job the list leaves out, and a cancel that never orphans a job, whether
pressed or the run's task cancelled from code (Studio closed, task cancelled).

Requests are watched (and held or edited) on the client's own httpx transport, over real HTTP.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import httpx
import pytest
from faultproxy import FaultProxy
from misbehaving_engine import HANG_MARKER, SLOW_MARKER
from servers import ServerProcess, start_server

from llamaextract_nb.api.models import ExtractConfiguration
from llamaextract_nb.client import AsyncClient
from llamaextract_nb.client.job_poller import EXPAND, POLL_FIRST
from llamaextract_nb.schema import Field, Schema
from llamaextract_nb.widgets import RunPanel, Studio
from llamaextract_nb.widgets.files import describe

pytestmark = pytest.mark.slow

INVOICE = "ACME Tools Ltd\nInvoice number: INV-{n}\nTotal due: 1,250.00 EUR\n"
SCHEMA = Schema([Field("invoice_number", "string", "The invoice number")])
LIST = "/api/v2/extract"
Hook = Callable[[httpx.Request, httpx.Response], Awaitable[httpx.Response]]


@pytest.fixture(autouse=True)
def ledger_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs keep their ledger in the working directory: each test its own."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """Two workers; documents holding SLOW_MARKER take a second each."""
    server = start_server(
        tmp_path_factory.mktemp("job-run"), workers=2, engine="misbehaving_engine:crashing"
    )
    try:
        yield server
    finally:
        server.stop()


def slow_documents(folder: Path, count: int) -> list[Path]:
    paths = []
    for n in range(count):
        path = folder / f"invoice_{n}.txt"
        path.write_bytes(INVOICE.format(n=4000 + n).encode() + SLOW_MARKER)
        paths.append(path)
    return paths


class Transport(httpx.AsyncHTTPTransport):
    """Real HTTP, recording every request; ``hook`` may hold or rewrite an answer."""

    def __init__(self, hook: Hook | None = None) -> None:
        super().__init__()
        self.requests: list[httpx.Request] = []
        self.hook = hook

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        response = await super().handle_async_request(request)
        return await self.hook(request, response) if self.hook else response

    def polls(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == "GET" and r.url.path.startswith(LIST)]


def client_over(server: ServerProcess, transport: Transport) -> AsyncClient:
    http = httpx.AsyncClient(transport=transport)
    return AsyncClient(base_url=server.base_url, api_key=server.api_key, http_client=http)


def configuration() -> ExtractConfiguration:
    return ExtractConfiguration(data_schema=SCHEMA.to_json_schema())


async def test_one_list_request_per_tick_follows_every_job(
    server: ServerProcess, tmp_path: Path
) -> None:
    paths = slow_documents(tmp_path, 4)
    transport = Transport()
    panel = RunPanel()
    async with client_over(server, transport) as client:
        started = time.monotonic()
        task = panel.start(client, [describe(p.name, p) for p in paths], configuration())
        results = await asyncio.wait_for(task, 60)
        seconds = time.monotonic() - started
        await client._http.aclose()
    assert [r.status for r in panel.rows] == ["COMPLETED"] * 4, [r.error for r in panel.rows]
    assert [r.data["invoice_number"] for r in results] == [f"INV-{4000 + n}" for n in range(4)]
    polls = transport.polls()
    assert [r.url.path for r in polls] == [LIST] * len(polls), "no job was read alone"
    asked = [r.url.params.get_list("job_ids") for r in polls]
    assert max(len(ids) for ids in asked) == 4, asked
    assert all(r.url.params.get_list("expand") == list(EXPAND) for r in polls)
    assert len(polls) <= seconds / POLL_FIRST + 1, f"{len(polls)} polls in {seconds:.1f} s"
    assert panel.runner is not None and panel.runner.poller.requests_sent == len(polls)
    assert all(r.elapsed >= 1.0 for r in panel.rows)


async def test_a_job_missing_from_the_list_is_read_alone(
    server: ServerProcess, tmp_path: Path
) -> None:
    paths = slow_documents(tmp_path, 2)
    hidden: list[str] = []

    async def hide_first_job(request: httpx.Request, response: httpx.Response) -> httpx.Response:
        if request.method != "GET" or request.url.path != LIST:
            return response
        body = json.loads(await response.aread())
        hidden.extend([] if hidden or not body["items"] else [body["items"][0]["id"]])
        body["items"] = [job for job in body["items"] if job["id"] not in hidden]
        return httpx.Response(response.status_code, json=body)

    transport = Transport(hide_first_job)
    panel = RunPanel()
    async with client_over(server, transport) as client:
        task = panel.start(client, [describe(p.name, p) for p in paths], configuration())
        results = await asyncio.wait_for(task, 60)
        await client._http.aclose()
    assert [r.status for r in panel.rows] == ["COMPLETED"] * 2, [r.error for r in panel.rows]
    assert len(results) == 2 and all(r.data["invoice_number"] for r in results)
    alone = [r for r in transport.polls() if r.url.path != LIST]
    assert alone and {r.url.path for r in alone} == {f"{LIST}/{hidden[0]}"}
    assert all(r.url.params.get_list("expand") == list(EXPAND) for r in alone)
    listed = [r for r in transport.polls() if r.url.path == LIST]
    assert len(alone) <= len(listed)  # read alone only on the list's ticks


async def test_cancel_while_the_create_is_in_flight_cancels_the_job(
    server: ServerProcess, tmp_path: Path
) -> None:
    """The server has created the job but its answer is held: Cancel is pressed then."""
    path = slow_documents(tmp_path, 1)[0]
    held = asyncio.Event()
    release = asyncio.Event()

    async def hold_create(request: httpx.Request, response: httpx.Response) -> httpx.Response:
        if request.method == "POST" and request.url.path == LIST:
            held.set()
            await release.wait()
        return response

    transport = Transport(hold_create)
    async with client_over(server, transport) as client:
        studio = Studio(client)
        studio.add_files(str(path))
        studio.schema = SCHEMA
        task = studio.run()
        await asyncio.wait_for(held.wait(), 30)
        row = studio.run_panel.rows[0]
        assert row.status == "UPLOADING" and row.job_id == ""
        row.cancel_button.click()
        assert row.cancel_button.disabled and not task.done()
        release.set()
        await asyncio.wait_for(task, 30)
        job = await client.jobs.get(row.job_id)
        unfinished = [
            j async for j in client.jobs.list() if j.status not in {"COMPLETED", "CANCELLED"}
        ]
        await client._http.aclose()
    assert job.status == "CANCELLED"
    assert row.status == "CANCELLED" and row.error == ""
    assert studio.history.records[-1].statuses == ["CANCELLED"]
    assert unfinished == []
    cancels = [r for r in transport.requests if r.url.path.endswith("/cancel")]
    assert [r.url.path for r in cancels] == [f"{LIST}/{row.job_id}/cancel"]


async def test_cancel_before_the_create_is_sent_creates_nothing(
    server: ServerProcess, tmp_path: Path
) -> None:
    """The upload's answer is held: Cancel then stops the row before any job exists."""
    path = slow_documents(tmp_path, 1)[0]
    held = asyncio.Event()
    release = asyncio.Event()

    async def hold_upload(request: httpx.Request, response: httpx.Response) -> httpx.Response:
        if request.method == "POST" and request.url.path == "/api/v1/beta/files":
            held.set()
            await release.wait()
        return response

    transport = Transport(hold_upload)
    panel = RunPanel()
    async with client_over(server, transport) as client:
        task = panel.start(client, [describe(path.name, path)], configuration())
        await asyncio.wait_for(held.wait(), 30)
        panel.rows[0].cancel_button.click()
        release.set()
        results = await asyncio.wait_for(task, 30)
        await client._http.aclose()
    assert panel.rows[0].status == "CANCELLED" and panel.rows[0].job_id == ""
    assert results == []
    assert not [r for r in transport.requests if r.method == "POST" and r.url.path == LIST]


async def test_lost_answers_make_no_second_file_or_job(
    server: ServerProcess, tmp_path: Path
) -> None:
    """The upload's and the create's answers are lost after the server handled them."""
    paths = slow_documents(tmp_path, 2)
    script = {
        ("POST", "/api/v1/beta/files"): ["reset_after"],
        ("POST", LIST): ["reset_after", "503"],
    }
    panel = RunPanel()
    with FaultProxy(server.base_url, script=script, retry_after="0") as proxy:
        async with AsyncClient(base_url=proxy.url, api_key=server.api_key) as client:
            task = panel.start(client, [describe(p.name, p) for p in paths], configuration())
            await asyncio.wait_for(task, 60)
    assert [r.status for r in panel.rows] == ["COMPLETED"] * 2, [r.error for r in panel.rows]
    assert proxy.stats.resets_after == 2 and proxy.stats.errors == 1
    assert proxy.stats.counts[("POST", "/api/v1/beta/files")] == 2
    assert proxy.stats.counts[("POST", LIST)] == 2


class LosingTransport(Transport):
    """Holds the create's lost answer (the proxy reset the connection) until released."""

    def __init__(self) -> None:
        super().__init__()
        self.held = asyncio.Event()
        self.release = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await super().handle_async_request(request)
        except httpx.TransportError:
            if request.method == "POST" and request.url.path == LIST:
                self.held.set()
                await self.release.wait()
            raise


async def test_cancel_while_a_lost_create_is_looked_up_cancels_the_job(
    server: ServerProcess, tmp_path: Path
) -> None:
    path = slow_documents(tmp_path, 1)[0]
    transport = LosingTransport()
    panel = RunPanel()
    script = {("POST", LIST): ["reset_after"]}
    with FaultProxy(server.base_url, script=script) as proxy:
        http = httpx.AsyncClient(transport=transport)
        async with AsyncClient(base_url=proxy.url, api_key=server.api_key, http_client=http) as c:
            task = panel.start(c, [describe(path.name, path)], configuration())
            await asyncio.wait_for(transport.held.wait(), 30)
            row = panel.rows[0]
            row.cancel_button.click()
            transport.release.set()
            await asyncio.wait_for(task, 30)
            job = await c.jobs.get(row.job_id)
            same_file = [j async for j in c.jobs.list(file_input=job.file_input)]
            await http.aclose()
    assert row.status == "CANCELLED" and job.status == "CANCELLED"
    assert [j.id for j in same_file] == [job.id]
    assert proxy.stats.counts[("POST", LIST)] == 1


async def test_cancel_while_a_create_that_never_landed_is_looked_up_sends_it_no_more(
    server: ServerProcess, tmp_path: Path
) -> None:
    """The connection broke before the create reached the server: the look-up finds nothing,
    and with Cancel pressed meanwhile the create is not sent again."""
    path = slow_documents(tmp_path, 1)[0]
    transport = LosingTransport()
    panel = RunPanel()
    script = {("POST", LIST): ["reset_before"]}
    with FaultProxy(server.base_url, script=script) as proxy:
        http = httpx.AsyncClient(transport=transport)
        async with AsyncClient(base_url=proxy.url, api_key=server.api_key, http_client=http) as c:
            task = panel.start(c, [describe(path.name, path)], configuration())
            await asyncio.wait_for(transport.held.wait(), 30)
            row = panel.rows[0]
            row.cancel_button.click()
            transport.release.set()
            results = await asyncio.wait_for(task, 30)
            (look_up,) = [r for r in transport.polls() if "file_input" in r.url.params]
            on_file = [j async for j in c.jobs.list(file_input=look_up.url.params["file_input"])]
            await http.aclose()
    assert row.status == "CANCELLED" and row.job_id == "" and row.error == ""
    assert results == [] and on_file == []
    assert proxy.stats.resets_before == 1 and ("POST", LIST) not in proxy.stats.counts


async def test_failing_polls_are_shown_and_polling_goes_on(
    server: ServerProcess, tmp_path: Path
) -> None:
    path = slow_documents(tmp_path, 1)[0]
    script = {("GET", LIST): ["503", "503"]}
    panel = RunPanel()
    messages: list[str] = []
    with FaultProxy(server.base_url, script=script, retry_after="0") as proxy:
        async with AsyncClient(base_url=proxy.url, api_key=server.api_key, max_retries=0) as c:
            task = panel.start(c, [describe(path.name, path)], configuration())
            panel.rows[0].observe(lambda change: messages.append(change["new"]), "error")
            await asyncio.wait_for(task, 60)
    assert proxy.stats.errors == 2
    assert messages[0].startswith("checking the job failed, will try again: ")
    assert "503" in messages[0] and messages[-1] == ""
    assert panel.rows[0].status == "COMPLETED" and panel.rows[0].result is not None


async def wait_until(condition: Callable[[], bool], seconds: float = 30) -> None:
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")


def hanging_documents(folder: Path, count: int) -> list[Path]:
    """Documents the engine never finishes: their jobs end only when cancelled."""
    paths = []
    for n in range(count):
        path = folder / f"hanging_{n}.txt"
        path.write_bytes(INVOICE.format(n=5000 + n).encode() + HANG_MARKER)
        paths.append(path)
    return paths


async def test_a_job_past_the_wait_timeout_is_reported_and_can_still_be_cancelled(
    server: ServerProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("llamaextract_nb.widgets.jobs.WAIT_TIMEOUT", 0.3)
    path = hanging_documents(tmp_path, 1)[0]
    panel = RunPanel()
    async with AsyncClient(base_url=server.base_url, api_key=server.api_key) as client:
        results = await asyncio.wait_for(
            panel.start(client, [describe(path.name, path)], configuration()), 30
        )
        row = panel.rows[0]
        assert results == [] and not panel.running
        assert row.timed_out and row.status in {"PENDING", "RUNNING"} and row.result is None
        assert row.error == (
            f"still {row.status} after 0.3 s: this run stopped waiting for it and shows no "
            f"result for it. It keeps running on the service as job {row.job_id}; press "
            "Cancel to stop it."
        )
        assert "timed out" in panel.summary.value
        assert not row.cancel_button.disabled
        row.cancel_button.click()  # after the run has ended
        await wait_until(lambda: row.finished)
        job = await client.jobs.get(row.job_id)
    assert job.status == "CANCELLED" and row.status == "CANCELLED" and row.error == ""
    assert row.cancel_button.disabled and "1 cancelled" in panel.summary.value


def hold_second_create(held: asyncio.Event, release: asyncio.Event) -> Hook:
    creates = 0

    async def hook(request: httpx.Request, response: httpx.Response) -> httpx.Response:
        nonlocal creates
        if request.method == "POST" and request.url.path == LIST:
            creates += 1
            if creates == 2:
                held.set()
                await release.wait()
        return response

    return hook


@pytest.mark.parametrize("cancels", [1, 2])
async def test_cancelling_the_run_from_code_cancels_every_job_even_one_being_created(
    server: ServerProcess, tmp_path: Path, cancels: int
) -> None:
    """One job runs; the other's create has reached the server but its answer is held when
    the Studio's task is cancelled (once, or twice: the second stops the waiting only)."""
    hanging_documents(tmp_path, 2)
    held, release = asyncio.Event(), asyncio.Event()
    transport = Transport(hold_second_create(held, release))
    async with client_over(server, transport) as client:
        studio = Studio(client)
        studio.add_files(str(tmp_path / "hanging_*.txt"))
        studio.schema = SCHEMA
        task = studio.run()
        await asyncio.wait_for(held.wait(), 30)
        rows = studio.run_panel.rows
        await wait_until(lambda: any(row.job_id for row in rows))
        creating = next(row for row in rows if not row.job_id)
        for _ in range(cancels):
            task.cancel()
            await asyncio.sleep(0.05)
        assert not creating.job_id
        release.set()
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(task, 30)
        if cancels > 1:  # the task ended at once; the cancelling went on
            await wait_until(lambda: all(row.finished for row in rows))
        jobs = [await client.jobs.get(row.job_id) for row in rows]
        unfinished = [
            j async for j in client.jobs.list() if j.status not in {"COMPLETED", "CANCELLED"}
        ]
        await client._http.aclose()
    assert [job.status for job in jobs] == ["CANCELLED", "CANCELLED"]
    assert [row.status for row in rows] == ["CANCELLED", "CANCELLED"]
    assert unfinished == []
    assert not studio.run_panel.running and not studio.run_panel.run_button.disabled
    creates = [r for r in transport.requests if r.method == "POST" and r.url.path == LIST]
    assert len(creates) == 2


async def test_closing_the_studio_while_a_lost_create_is_looked_up_cancels_its_job(
    server: ServerProcess, tmp_path: Path
) -> None:
    path = hanging_documents(tmp_path, 1)[0]
    transport = LosingTransport()
    script = {("POST", LIST): ["reset_after"]}
    with FaultProxy(server.base_url, script=script) as proxy:
        http = httpx.AsyncClient(transport=transport)
        async with AsyncClient(base_url=proxy.url, api_key=server.api_key, http_client=http) as c:
            studio = Studio(c)
            studio.add_files(str(path))
            studio.schema = SCHEMA
            task = studio.run()
            await asyncio.wait_for(transport.held.wait(), 30)
            row = studio.run_panel.rows[0]
            studio.close()
            transport.release.set()
            with pytest.raises(asyncio.CancelledError):
                await asyncio.wait_for(task, 30)
            job = await c.jobs.get(row.job_id)
            same_file = [j async for j in c.jobs.list(file_input=job.file_input)]
            await http.aclose()
    assert row.status == "CANCELLED" and job.status == "CANCELLED"
    assert [j.id for j in same_file] == [job.id]
    assert proxy.stats.counts[("POST", LIST)] == 1
