"""In-process fakes for the client tests: a scripted v2 API behind ``httpx.MockTransport``,
a runner that drives the sync or the async client through the same test code, a fake clock,
and a transport that consumes uploads chunk by chunk (``MockTransport`` reads bodies whole)."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

import httpx
import pytest
from wire_examples import example

from llamaextract_nb.client import AsyncClient, Client, _timing

BASE_URL = "http://api.test"
API_KEY = "llx-TESTKEY-do-not-leak-7f3a9c"
PROJECT_ID = "5b0e7c1a-94d2-4f3e-8a61-2d7c9e0f4b13"
JOB_ID = "ext-9a41d7c3-2e6b-4f85-b0d9-6c13e8a72f04"
FILE_ID = "dfl-3f6c2a9e-8b1d-4c07-9e52-71d0a4b6c2f1"


def job_json(status: str, **fields: Any) -> dict[str, Any]:
    """A job object in ``status`` (based on the running example)."""
    return {**example("03_job_running"), "status": status, **fields}


Reply = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


@dataclass
class ScriptedAPI:
    """Answers each ``(method, path)`` with its scripted replies in order (the last repeats).

    A reply is a response, an exception to raise (e.g. ``httpx.ConnectError``), or a function
    of the request. Every request is recorded in :attr:`requests`.
    """

    routes: dict[tuple[str, str], list[Reply]] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)

    def on(self, method: str, path: str, *replies: Reply) -> ScriptedAPI:
        self.routes[(method, path)] = list(replies)
        return self

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        replies = self.routes.get((request.method, request.url.path))
        if not replies:
            return httpx.Response(404, json={"detail": f"no route {request.url.path}"})
        reply = replies.pop(0) if len(replies) > 1 else replies[0]
        if isinstance(reply, Exception):
            raise reply
        if isinstance(reply, httpx.Response):
            return reply
        return reply(request)

    def calls(self, method: str, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == method and r.url.path == path]


class FakeClock:
    """Replaces the client's clock: sleeping advances time instantly and is recorded."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)

    def install(self, monkeypatch: pytest.MonkeyPatch) -> FakeClock:
        monkeypatch.setattr(_timing, "monotonic", self.monotonic)
        monkeypatch.setattr(_timing, "sleep", self.sleep)
        monkeypatch.setattr(_timing, "asleep", self.asleep)
        return self


class Runner:
    """Drives the sync or the async client with the same calls (over ``transport``, or over
    real HTTP when it is None).

    ``runner("jobs.get", JOB_ID)`` calls the method, awaits coroutines on the runner's own
    event loop and collects (async) iterators into lists, so a test reads the same for both.
    """

    def __init__(
        self,
        mode: str,
        transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None = None,
        **options: Any,
    ) -> None:
        self.mode = mode
        settings: dict[str, Any] = {"base_url": BASE_URL, "api_key": API_KEY, **options}
        self.loop: asyncio.AbstractEventLoop | None = None
        self.client: Client | AsyncClient
        if mode == "sync":
            assert transport is None or isinstance(transport, httpx.BaseTransport)
            self.client = Client(http_client=httpx.Client(transport=transport), **settings)
        else:
            assert transport is None or isinstance(transport, httpx.AsyncBaseTransport)
            self.loop = asyncio.new_event_loop()
            self.client = AsyncClient(
                http_client=httpx.AsyncClient(transport=transport), **settings
            )

    def __call__(self, method: str, *args: Any, **kwargs: Any) -> Any:
        return self.resolve(attrgetter(method)(self.client)(*args, **kwargs))

    def resolve(self, value: Any) -> Any:
        if inspect.isawaitable(value):
            return self._run(value)
        if hasattr(value, "__aiter__"):
            return self._run(_collect(value))
        if isinstance(value, Iterator):
            return list(value)
        return value

    def _run(self, awaitable: Any) -> Any:
        assert self.loop is not None
        return self.loop.run_until_complete(awaitable)

    def close(self) -> None:
        if self.loop is not None:
            self.loop.run_until_complete(self.client._http.aclose())  # type: ignore[union-attr]
            self.loop.close()
        else:
            self.client._http.close()  # type: ignore[union-attr]


async def _collect(iterator: Any) -> list[Any]:
    return [item async for item in iterator]


class UploadSink(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Consumes request bodies chunk by chunk (never whole) and answers an upload with 201."""

    def __init__(self) -> None:
        self.received = 0
        self.largest_chunk = 0
        self.head = b""
        self.content_length: int | None = None

    def _take(self, chunk: bytes) -> None:
        if len(self.head) < 4096:
            self.head += chunk[:4096]
        self.received += len(chunk)
        self.largest_chunk = max(self.largest_chunk, len(chunk))

    def _reply(self, request: httpx.Request) -> httpx.Response:
        length = request.headers.get("content-length")
        self.content_length = int(length) if length else None
        return httpx.Response(201, json=example("01_file_uploaded"))

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.SyncByteStream)
        for chunk in request.stream:
            self._take(chunk)
        return self._reply(request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.AsyncByteStream)
        async for chunk in request.stream:
            self._take(chunk)
        return self._reply(request)


def query(request: httpx.Request) -> list[tuple[str, str]]:
    """The request's query as ordered (key, value) pairs, repeated keys kept."""
    return list(request.url.params.multi_items())


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """The client's sleeps and clock, replaced by an instant fake clock."""
    return FakeClock().install(monkeypatch)


@pytest.fixture(params=["sync", "async"])
def make_runner(request: pytest.FixtureRequest) -> Iterator[Callable[..., Runner]]:
    """A factory of :class:`Runner` over a handler or transport; each test runs sync and async."""
    runners: list[Runner] = []

    def make(handler: Any, **options: Any) -> Runner:
        transport = (
            handler
            if isinstance(handler, (httpx.BaseTransport, httpx.AsyncBaseTransport))
            else httpx.MockTransport(handler)
        )
        runner = Runner(request.param, transport, **options)
        runners.append(runner)
        return runner

    yield make
    for runner in runners:
        runner.close()
