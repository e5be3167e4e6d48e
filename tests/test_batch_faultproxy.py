"""The fault-injecting proxy itself: forwarding, counting, injected answers and resets."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from faultproxy import FaultProxy, route_of


class _Echo(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    wbufsize = 1 << 16  # one write per answer (no delayed-ACK stalls on keep-alive)
    hits = 0

    def do_GET(self) -> None:
        self._answer(b"")

    def do_POST(self) -> None:
        self._answer(self.rfile.read(int(self.headers.get("content-length", "0"))))

    def _answer(self, body: bytes) -> None:
        type(self).hits += 1
        payload = json.dumps({"path": self.path, "body": body.decode()}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def upstream() -> Iterator[str]:
    _Echo.hits = 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_route_of_replaces_ids() -> None:
    assert route_of("/api/v2/extract/ext-12ab-34?expand=x") == "/api/v2/extract/{id}"
    assert route_of("/api/v1/beta/files/dfl-9/content") == "/api/v1/beta/files/{id}/content"


def test_forwards_and_counts_by_route(upstream: str) -> None:
    with FaultProxy(upstream) as proxy, httpx.Client(base_url=proxy.url) as http:
        assert http.get("/api/v2/extract/ext-1?expand=a").json()["path"] == (
            "/api/v2/extract/ext-1?expand=a"
        )
        assert http.post("/api/v1/beta/files", content=b"hello").json()["body"] == "hello"
        chunked = http.post("/api/v1/beta/files", content=iter([b"ab", b"cd"]))
        assert chunked.json()["body"] == "abcd"
        assert proxy.stats.counts == {
            ("GET", "/api/v2/extract/{id}"): 1,
            ("POST", "/api/v1/beta/files"): 2,
        }
        assert proxy.stats.forwarded == _Echo.hits == 3


def test_injects_503_and_429_with_retry_after_at_the_given_rate(upstream: str) -> None:
    with (
        FaultProxy(upstream, error_rate=0.2, retry_after="2", seed=3) as proxy,
        httpx.Client(base_url=proxy.url) as http,
    ):
        statuses = [http.get(f"/x/{i}").status_code for i in range(400)]
        injected = [s for s in statuses if s != 200]
        assert set(injected) == {429, 503}
        assert 50 <= len(injected) <= 110
        assert http.get("/x").headers.get("retry-after") in (None, "2")
        assert proxy.stats.errors >= len(injected) and _Echo.hits == proxy.stats.forwarded


def test_scripted_resets_before_and_after_forwarding(upstream: str) -> None:
    script = {("POST", "/api/v2/extract"): ["reset_before", "reset_after", "503"]}
    with FaultProxy(upstream, script=script) as proxy:
        for expected_hits in (0, 1):
            with httpx.Client(base_url=proxy.url) as http, pytest.raises(httpx.TransportError):
                http.post("/api/v2/extract", content=b"{}")
            assert _Echo.hits == expected_hits  # after: the upstream did the work
        with httpx.Client(base_url=proxy.url) as http:
            assert http.post("/api/v2/extract", content=b"{}").status_code == 503
            assert http.post("/api/v2/extract", content=b"{}").status_code == 200
        assert (proxy.stats.resets_before, proxy.stats.resets_after) == (1, 1)
