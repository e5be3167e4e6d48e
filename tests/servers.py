"""Test plugin: a real local server over real HTTP, and a client for it.

``local_server`` starts ``llamaextract-nb serve`` as a subprocess on a free loopback port with
a temporary data directory and a fresh token, once per test session. ``client`` is the
project's own :class:`~llamaextract_nb.client.Client` pointed at it. ``start_server`` starts
one more for a test that needs its own.

Starting a server is what makes a test slow: every server started here checks that the test
asking for it is marked ``slow``, so ``pytest -m "not slow"`` never starts one.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

READY_LINE = re.compile(r"serving on (http://127\.0\.0\.1:\d+)")
TESTS_DIR = Path(__file__).resolve().parent


@dataclass
class ServerProcess:
    """A running ``llamaextract-nb serve`` subprocess."""

    base_url: str
    api_key: str
    data_dir: Path
    process: subprocess.Popen[str]
    output: list[str] = field(default_factory=list)

    def http(self, timeout: float = 60.0) -> httpx.Client:
        """An httpx client for this server's API, with its bearer token."""
        headers = {"Authorization": f"Bearer {self.api_key}"}
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=timeout)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20.0) -> None:
        """Stop the server (SIGTERM by default; SIGKILL to simulate a crash)."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=timeout)


def start_server(
    data_dir: Path,
    *,
    api_key: str | None = None,
    workers: int = 2,
    engine: str | None = None,
    extra_args: list[str] | None = None,
    timeout: float = 60.0,
) -> ServerProcess:
    """Start a server subprocess on a free port and wait until it accepts requests."""
    _require_slow_marker()
    api_key = api_key or "llx-test-" + secrets.token_hex(12)
    cmd = [sys.executable, "-m", "llamaextract_nb.cli", "serve", "--port", "0"]
    cmd += ["--data-dir", str(data_dir), "--workers", str(workers)]
    if engine:
        cmd += ["--engine", engine]
    cmd += extra_args or []
    env = {
        **os.environ,
        "LLAMAEXTRACT_NB_API_KEY": api_key,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(TESTS_DIR), os.environ.get("PYTHONPATH")])),
        "PYTHONUNBUFFERED": "1",
    }
    process = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    )
    assert process.stdout is not None
    output: list[str] = []
    found: list[str] = []
    ready = threading.Event()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line)
            match = READY_LINE.search(line)
            if match and not found:
                found.append(match.group(1))
                ready.set()
        ready.set()

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + timeout
    while not found and time.monotonic() < deadline and process.poll() is None:
        ready.wait(0.1)
    if not found:
        process.kill()
        raise RuntimeError("local server did not start:\n" + "".join(output))
    return ServerProcess(found[0], api_key, data_dir, process, output)


@pytest.fixture(scope="session")
def local_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A real local server (subprocess, real HTTP on 127.0.0.1, temporary data dir)."""
    server = start_server(tmp_path_factory.mktemp("server-data"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def http(local_server: ServerProcess) -> Iterator[httpx.Client]:
    """A plain httpx client for ``local_server``'s API, with its bearer token."""
    with local_server.http() as c:
        yield c


@pytest.fixture
def client(local_server: ServerProcess) -> Iterator[Any]:
    """The project's own client talking to ``local_server``."""
    from llamaextract_nb.client import Client

    c = Client(base_url=local_server.base_url, api_key=local_server.api_key)
    try:
        yield c
    finally:
        close = getattr(c, "close", None)
        if callable(close):
            close()


_running_test: list[pytest.Item] = []


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Remember the test being set up, so a server started for it can check its markers."""
    _running_test[:] = [item]


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    _running_test.clear()


def _require_slow_marker() -> None:
    """Fail a test that starts a server without being marked ``slow``."""
    if _running_test and _running_test[0].get_closest_marker("slow") is None:
        pytest.fail(
            f"{_running_test[0].nodeid} starts a local server but is not marked slow: "
            "add @pytest.mark.slow (or pytestmark = pytest.mark.slow), so that "
            '`pytest -m "not slow"` starts no server',
            pytrace=False,
        )
