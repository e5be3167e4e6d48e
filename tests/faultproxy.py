"""A fault-injecting, request-counting HTTP/1.1 proxy on loopback, for tests and benchmarks.

``FaultProxy(upstream, error_rate=0.2, reset_rate=0.05)`` forwards every request to
``upstream`` except that, drawn per request from a seeded random generator:

* ``error_rate`` of them are answered by the proxy itself with 503 or 429 and a
  ``Retry-After`` header (the upstream never sees them);
* ``reset_rate`` of them end with the TCP connection reset: half *before* the request is
  forwarded, half *after* the upstream has handled it (the ambiguous case: the work was done
  but the caller never hears about it).

``script`` forces the outcome of the first requests of a route, e.g.
``{("POST", "/api/v2/extract"): ["reset_after", "503"]}``; ``response_delay`` holds every
answer back for that many seconds after the upstream has handled the request.

With both rates at 0 it is a plain counting proxy: ``counts`` holds the forwarded requests by
``(method, route)``, which is how the benchmark counts requests "at the server" for two
different clients in the same way.
"""

from __future__ import annotations

import asyncio
import random
import re
import socket
import struct
import threading
from collections import Counter
from dataclasses import dataclass, field

import httpx

_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "host",
    "content-length",
}
_ID = re.compile(r"/(ext|dfl|pjb|cfg)-[0-9A-Za-z-]+")


@dataclass
class ProxyStats:
    """What the proxy saw: forwarded requests by route, and the faults it injected."""

    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    errors: int = 0
    resets_before: int = 0
    resets_after: int = 0

    @property
    def forwarded(self) -> int:
        """Requests the upstream server received."""
        return sum(self.counts.values())


def route_of(target: str) -> str:
    """``/api/v2/extract/ext-1234?expand=x`` -> ``/api/v2/extract/{id}``."""
    return _ID.sub(r"/{id}", target.split("?", 1)[0])


class FaultProxy:
    """See the module docstring. Use as a context manager; ``url`` is its base URL."""

    def __init__(
        self,
        upstream: str,
        *,
        error_rate: float = 0.0,
        reset_rate: float = 0.0,
        retry_after: str = "1",
        seed: int = 0,
        script: dict[tuple[str, str], list[str]] | None = None,
        response_delay: float = 0.0,
    ) -> None:
        if not 0 <= error_rate + reset_rate <= 1:
            raise ValueError("error_rate + reset_rate must lie between 0 and 1")
        self.upstream = upstream.rstrip("/")
        self.error_rate = error_rate
        self.reset_rate = reset_rate
        self.retry_after = retry_after
        self.response_delay = response_delay
        self._script = {route: list(outcomes) for route, outcomes in (script or {}).items()}
        self.stats = ProxyStats()
        self._random = random.Random(seed)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None
        self._upstream: httpx.AsyncClient | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._handlers: set[asyncio.Task[None]] = set()
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FaultProxy:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=10)
        return self

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def _start(self) -> None:
        self._upstream = httpx.AsyncClient(
            base_url=self.upstream,
            timeout=120.0,
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=64),
        )
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.close()  # an idle handler sees end of input and returns
        # A handler still forwarding finishes its request upstream (as a server would).
        if self._handlers:
            await asyncio.wait(self._handlers, timeout=10)
        if self._upstream is not None:
            await self._upstream.aclose()

    def _draw(self, method: str, target: str) -> str:
        scripted = self._script.get((method, route_of(target)))
        if scripted:
            return scripted.pop(0)
        x = self._random.random()
        if x < self.reset_rate / 2:
            return "reset_before"
        if x < self.reset_rate:
            return "reset_after"
        if x < self.reset_rate + self.error_rate:
            return self._random.choice(("503", "429"))
        return "forward"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        task = asyncio.current_task()
        if task is not None:
            self._handlers.add(task)
            task.add_done_callback(self._handlers.discard)
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                method, target, headers = _parse_head(head)
                body = await _read_body(reader, headers)
                fault = self._draw(method, target)
                if fault == "reset_before":
                    self.stats.resets_before += 1
                    _reset(writer)
                    return
                if fault in ("503", "429"):
                    self.stats.errors += 1
                    detail = b'{"detail":"injected by the fault proxy"}'
                    writer.write(
                        _response(
                            int(fault),
                            [
                                ("Retry-After", self.retry_after),
                                ("Content-Type", "application/json"),
                            ],
                            detail,
                        )
                    )
                    await writer.drain()
                    continue
                status, out_headers, content = await self._forward(method, target, headers, body)
                self.stats.counts[(method, route_of(target))] += 1
                if self.response_delay:
                    await asyncio.sleep(self.response_delay)
                if fault == "reset_after":
                    self.stats.resets_after += 1
                    _reset(writer)
                    return
                writer.write(_response(status, out_headers, content))
                await writer.drain()
                if headers.get("connection", "").lower() == "close":
                    break
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            self._writers.discard(writer)
            if not writer.is_closing():
                writer.close()

    async def _forward(
        self, method: str, target: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        assert self._upstream is not None
        sent = {k: v for k, v in headers.items() if k not in _HOP_BY_HOP}
        response = await self._upstream.request(method, target, headers=sent, content=body)
        out = [
            (k, v)
            for k, v in response.headers.multi_items()
            if k.lower() not in _HOP_BY_HOP and k.lower() != "content-encoding"
        ]
        return response.status_code, out, response.content


def _parse_head(head: bytes) -> tuple[str, str, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    method, target, _version = lines[0].split(" ", 2)
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    return method, target, headers


async def _read_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
    if "chunked" in headers.get("transfer-encoding", "").lower():
        chunks = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0].strip(), 16)
            if size == 0:
                await reader.readuntil(b"\r\n")
                return b"".join(chunks)
            chunks.append(await reader.readexactly(size))
            await reader.readexactly(2)
    length = int(headers.get("content-length", "0") or 0)
    return await reader.readexactly(length) if length else b""


def _response(status: int, headers: list[tuple[str, str]], body: bytes) -> bytes:
    lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}"]
    lines += [f"{k}: {v}" for k, v in headers]
    lines += [f"Content-Length: {len(body)}", "Connection: keep-alive", "", ""]
    return "\r\n".join(lines).encode("latin-1") + body


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close the connection with a TCP RST (SO_LINGER 0) instead of a clean FIN."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


_REASONS = {
    200: "OK",
    201: "Created",
    204: "No Content",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    409: "Conflict",
    413: "Content Too Large",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}
