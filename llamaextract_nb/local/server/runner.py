"""Run the app on uvicorn: in the foreground (``llamaextract-nb serve``) or in a thread."""

from __future__ import annotations

import asyncio
import logging
import shutil
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

import uvicorn

from llamaextract_nb.local.server.app import create_app
from llamaextract_nb.local.server.settings import ServerSettings
from llamaextract_nb.local.store.integrity import DataDirCorrupt, data_dir_problem, move_aside

try:
    import fcntl
except ImportError:  # Windows: no advisory locks, one server per data dir is on the user
    fcntl = None  # type: ignore[assignment]


log = logging.getLogger("llamaextract_nb.server")


class DataDirBusy(RuntimeError):
    """Another running server already uses this data directory."""


def open_data_dir(settings: ServerSettings) -> tuple[IO[str] | None, Path | None]:
    """Lock the data directory and check its database: ``(lock, folder the old data was
    moved to)``; :class:`DataDirCorrupt` when it is damaged and ``reset_corrupt`` is off."""
    lock = lock_data_dir(settings.data_dir)
    problem = data_dir_problem(settings.db_path, settings.blob_dir)
    if not problem:
        return lock, None
    if not settings.reset_corrupt:
        if lock is not None:
            lock.close()
        raise DataDirCorrupt(problem)
    moved = move_aside(settings.db_path, settings.blob_dir)
    log.warning("%s; moved the old data to %s and started with an empty one", problem, moved)
    return lock, moved


def lock_data_dir(data_dir: Path) -> IO[str] | None:
    """Take the data directory's lock for the life of this process (released on exit)."""
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # private: it holds documents
    if fcntl is None:
        return None
    handle = open(data_dir / "server.lock", "w")  # noqa: SIM115 - held until the server stops
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise DataDirBusy(
            f"another llamaextract-nb server is using {data_dir}; stop it or pass another "
            "--data-dir"
        ) from None
    return handle


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket (``port=0`` picks a free one)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio only turns Nagle off (TCP_NODELAY) on sockets whose
    # proto says TCP; with proto 0 every keep-alive answer waited ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://{f'[{host}]' if ':' in host else host}:{port}"


def _uvicorn(settings: ServerSettings, log_level: str) -> uvicorn.Server:
    config = uvicorn.Config(
        create_app(settings),
        log_level=log_level,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=5,
    )
    return uvicorn.Server(config)


async def _serve(server: uvicorn.Server, sock: socket.socket, on_ready: Callable[[], None]) -> None:
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started and not task.done():
        await asyncio.sleep(0.02)
    if server.started:
        on_ready()
    await task


def serve_forever(
    settings: ServerSettings,
    host: str,
    port: int,
    on_ready: Callable[[str], None],
    log_level: str = "info",
) -> None:
    """Serve in the foreground until SIGINT/SIGTERM; ``on_ready(base_url)`` once listening."""
    lock, _ = open_data_dir(settings)
    sock = bind(host, port)
    try:
        server = _uvicorn(settings, log_level)
        asyncio.run(_serve(server, sock, lambda: on_ready(_url(sock))))
    finally:
        sock.close()
        if lock is not None:
            lock.close()


class RunningServer:
    """A server running in a daemon thread of this process (the worker pool is processes)."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        data_dir: Path,
        server: uvicorn.Server,
        thread: threading.Thread,
        lock: IO[str] | None,
        moved_aside: Path | None = None,
        discard_on_stop: bool = False,
    ) -> None:
        self.base_url = base_url
        self.moved_aside = moved_aside
        """Where a damaged database and its uploads were moved at start (``reset_corrupt``)."""
        self.api_key = api_key
        self.data_dir = data_dir
        self._server = server
        self._thread = thread
        self._lock = lock
        self._discard = discard_on_stop

    def __repr__(self) -> str:
        return f"RunningServer(base_url={self.base_url!r}, data_dir={str(self.data_dir)!r})"

    @property
    def temporary(self) -> bool:
        """True when the data directory is removed as the server stops."""
        return self._discard

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def stop(self, timeout: float = 15.0) -> None:
        """Shut down gracefully: stop accepting, stop the workers, release the data dir (and
        remove it when it was started with ``discard_on_stop``)."""
        self._server.should_exit = True
        self._thread.join(timeout)
        if self._lock is not None:
            self._lock.close()
            self._lock = None
        if self._discard and not self._thread.is_alive():
            shutil.rmtree(self.data_dir, ignore_errors=True)


def start_in_thread(
    settings: ServerSettings,
    host: str = "127.0.0.1",
    port: int = 0,
    timeout: float = 60.0,
    *,
    discard_on_stop: bool = False,
) -> RunningServer:
    """Start the server in a daemon thread and return once it accepts requests;
    ``discard_on_stop`` removes its data directory when it is stopped."""
    lock, moved = open_data_dir(settings)
    sock = bind(host, port)
    server = _uvicorn(settings, "warning")
    ready = threading.Event()

    def run() -> None:
        try:
            asyncio.run(_serve(server, sock, ready.set))
        finally:
            sock.close()
            ready.set()

    thread = threading.Thread(target=run, name="llamaextract-nb-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not ready.wait(0.05):
        if time.monotonic() > deadline:
            server.should_exit = True
            break
    if not server.started:
        if lock is not None:
            lock.close()
        raise RuntimeError("the local server did not start; see the log above")
    return RunningServer(
        _url(sock),
        settings.api_key,
        settings.data_dir,
        server,
        thread,
        lock,
        moved,
        discard_on_stop,
    )
