"""``connect()``: a client for LlamaCloud when a key is set, else for the embedded server."""

from __future__ import annotations

import atexit
import logging
import os
import secrets
import threading
from pathlib import Path
from typing import Any

from llamaextract_nb.client import Client
from llamaextract_nb.client.settings import ENV_API_KEY, ENV_API_KEY_FALLBACK

log = logging.getLogger("llamaextract_nb")
_lock = threading.Lock()
_server: Any = None  # the RunningServer this process started, if any


def connect(
    *, data_dir: str | Path | None = None, workers: int | None = None, **client_kwargs: Any
) -> Client:
    """Return a :class:`~llamaextract_nb.client.Client` and log (INFO, logger ``llamaextract_nb``)
    one line saying which backend it uses.

    With an API key (``api_key=...`` or ``LLAMA_CLOUD_API_KEY``) the client talks to LlamaCloud.
    Without one, the embedded local server is started in this process (uvicorn in a background
    thread, extraction in worker processes) on a free 127.0.0.1 port with a fresh token, or the
    one already started is reused. ``data_dir`` (default: the user's cache folder) and
    ``workers`` (default: one per CPU) only apply when that server is started.
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
    server = local_server(data_dir=data_dir, workers=workers)
    client = Client(**{**client_kwargs, "base_url": server.base_url, "api_key": server.api_key})
    log.info(
        "no %s set; using the local server at %s (data in %s)",
        ENV_API_KEY,
        server.base_url,
        server.data_dir,
    )
    return client


def local_server(*, data_dir: str | Path | None = None, workers: int | None = None) -> Any:
    """The local server running in this process, started on first use.

    Returns a :class:`~llamaextract_nb.local.server.RunningServer` (``base_url``, ``api_key``,
    ``data_dir``, ``stop()``).
    """
    global _server
    from llamaextract_nb.local.server import ServerSettings, default_data_dir, start_in_thread
    from llamaextract_nb.local.server.runner import DataDirBusy
    from llamaextract_nb.local.server.settings import default_workers

    with _lock:
        if _server is not None and _server.running:
            return _server
        root = Path(data_dir).expanduser() if data_dir is not None else default_data_dir()
        settings = ServerSettings(
            data_dir=root.resolve(),
            api_key="llx-local-" + secrets.token_urlsafe(24),
            workers=workers or default_workers(),
        )
        try:
            _server = start_in_thread(settings)
        except DataDirBusy:
            # Another process (e.g. a second notebook kernel) serves that directory.
            private = root / f"process-{os.getpid()}"
            settings = ServerSettings(
                data_dir=private.resolve(), api_key=settings.api_key, workers=settings.workers
            )
            _server = start_in_thread(settings)
        atexit.register(_server.stop)
        return _server
