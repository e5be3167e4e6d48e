"""What a local server instance is configured with."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from llamaextract_nb.local.jobs import DEFAULT_ENGINE
from llamaextract_nb.local.jobs.memory import DEFAULT_WORKER_MEMORY_MB

MAX_UPLOAD_BYTES = 100 * 1024 * 1024
DEFAULT_JOB_TIMEOUT = 600.0


def default_data_dir() -> Path:
    """``<user cache dir>/llamaextract-nb/server`` (e.g. ``~/.cache/llamaextract-nb/server``)."""
    return Path(platformdirs.user_cache_dir("llamaextract-nb")) / "server"


def default_workers() -> int:
    """One worker per CPU this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class ServerSettings:
    """Settings of one server: where data lives, the token, the worker pool and the engine."""

    data_dir: Path
    api_key: str
    workers: int = 1
    engine: str = DEFAULT_ENGINE
    max_upload_bytes: int = MAX_UPLOAD_BYTES
    job_timeout: float | None = DEFAULT_JOB_TIMEOUT
    worker_memory_mb: int | None = DEFAULT_WORKER_MEMORY_MB
    reset_corrupt: bool = False
    """Move a damaged database and its uploads aside and start fresh, instead of refusing."""

    def __repr__(self) -> str:  # never show the token
        return (
            f"ServerSettings(data_dir={str(self.data_dir)!r}, api_key='***', "
            f"workers={self.workers}, engine={self.engine!r})"
        )

    @property
    def db_path(self) -> Path:
        return self.data_dir / "server.sqlite3"

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs"
