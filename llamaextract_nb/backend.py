"""``connect()``: a client for LlamaCloud when a key is set, else for the embedded server."""

from __future__ import annotations

import atexit
import logging
import os
import secrets
import shutil
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

from llamaextract_nb.client import Client
from llamaextract_nb.client.settings import ENV_API_KEY, ENV_API_KEY_FALLBACK

log = logging.getLogger("llamaextract_nb")
PRIVATE_PREFIX = "process-"
"""Data folder of a process whose data directory another process serves: ``process-<pid>``."""
_lock = threading.Lock()
_server: Any = None  # the RunningServer this process started, if any


def connect(
    *,
    data_dir: str | Path | None = None,
    workers: int | None = None,
    reset_corrupt: bool = False,
    **client_kwargs: Any,
) -> Client:
    """Return a :class:`~llamaextract_nb.client.Client` and log (INFO, logger ``llamaextract_nb``)
    one line saying which backend it uses.

    With an API key (``api_key=...`` or ``LLAMA_CLOUD_API_KEY``) the client talks to LlamaCloud.
    Without one, the embedded local server is started in this process (uvicorn in a background
    thread, extraction in worker processes) on a free 127.0.0.1 port with a fresh token, or the
    one already started is reused. ``data_dir`` (default: the user's cache folder),
    ``workers`` (default: one per CPU) and ``reset_corrupt`` (move a damaged database aside
    and start empty, instead of refusing) only apply when that server is started.
    """
    api_key = (
        client_kwargs.get("api_key")
        or os.environ.get(ENV_API_KEY)
        or os.environ.get(ENV_API_KEY_FALLBACK)
    )
    if api_key:
        client = Client(**client_kwargs)
        cloud = "llamaindex.ai" in client.base_url
        log.info("using %s at %s", "LlamaCloud" if cloud else "the server", client.base_url)
        return client
    server = local_server(data_dir=data_dir, workers=workers, reset_corrupt=reset_corrupt)
    client = Client(**{**client_kwargs, "base_url": server.base_url, "api_key": server.api_key})
    log.info(
        "no %s set; using the local server at %s (data in %s%s)",
        ENV_API_KEY,
        server.base_url,
        server.data_dir,
        ", private to this process and removed when it stops: another process serves "
        f"{server.data_dir.parent}"
        if server.temporary
        else "",
    )
    return client


def local_server(
    *, data_dir: str | Path | None = None, workers: int | None = None, reset_corrupt: bool = False
) -> Any:
    """The local server running in this process, started on first use.

    Returns a :class:`~llamaextract_nb.local.server.RunningServer` (``base_url``, ``api_key``,
    ``data_dir``, ``stop()``). When another process serves ``data_dir``, this one keeps its
    data in a private ``process-<pid>`` folder inside it, removed when its server stops;
    folders left by processes that died are removed at the next start.
    """
    global _server
    from llamaextract_nb.local.server import ServerSettings, default_data_dir, start_in_thread
    from llamaextract_nb.local.server.runner import DataDirBusy
    from llamaextract_nb.local.server.settings import default_workers

    with _lock:
        if _server is not None and _server.running:
            return _server
        root = Path(data_dir).expanduser() if data_dir is not None else default_data_dir()
        sweep_private_dirs(root)
        settings = ServerSettings(
            data_dir=root.resolve(),
            api_key="llx-local-" + secrets.token_urlsafe(24),
            workers=workers or default_workers(),
            reset_corrupt=reset_corrupt,
        )
        try:
            _server = start_in_thread(settings)
        except DataDirBusy:
            # Another process (e.g. a second notebook kernel) serves that directory.
            private = (root / f"{PRIVATE_PREFIX}{os.getpid()}").resolve()
            _server = start_in_thread(replace(settings, data_dir=private), discard_on_stop=True)
        atexit.register(_server.stop)
        return _server


def sweep_private_dirs(root: Path) -> list[Path]:
    """Remove the ``process-<pid>`` folders under ``root`` whose process is gone and whose
    server lock is free; return them."""
    from llamaextract_nb.local.server.runner import DataDirBusy, lock_data_dir

    removed: list[Path] = []
    if not root.is_dir():
        return removed
    for folder in root.glob(f"{PRIVATE_PREFIX}*"):
        pid = folder.name.removeprefix(PRIVATE_PREFIX)
        if not folder.is_dir() or not pid.isdigit() or _alive(int(pid)):
            continue
        try:
            lock = lock_data_dir(folder)
        except DataDirBusy:
            continue
        if lock is not None:
            lock.close()
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    if removed:
        log.info("removed %d data folder(s) left by stopped processes in %s", len(removed), root)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # another user's process (or not a pid): leave it alone
    return True
