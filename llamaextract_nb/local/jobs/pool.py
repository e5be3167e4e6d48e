"""Supervise the worker processes: start them, notice crashes, fail the crashed job, respawn.

Workers are started as ``python -m llamaextract_nb.local.jobs.worker`` rather than through
``multiprocessing``: its spawn method re-imports the parent's ``__main__``, which would re-run
a user's script (``lx.connect()`` and all) in every worker and breaks under ``python -``.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from llamaextract_nb.local.jobs.memory import (
    MEMORY_EXIT_CODE,
    RECYCLE_EXIT_CODE,
    over_limit_message,
)
from llamaextract_nb.local.store import Store

log = logging.getLogger("llamaextract_nb.server")

SUPERVISE_SECONDS = 0.2


def _worker_env() -> dict[str, str]:
    """The environment for a worker: this process's, with its ``sys.path`` importable
    (so an ``--engine module:callable`` found here is found there too)."""
    paths = [path for path in sys.path if path]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}


def describe_exit(exitcode: int | None) -> str:
    """``exit code 3`` or ``signal SIGKILL`` for a finished process."""
    if exitcode is not None and exitcode < 0:
        try:
            return f"signal {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"signal {-exitcode}"
    return f"exit code {exitcode}"


class WorkerPool:
    """``size`` worker processes claiming jobs from the store; restarted when they die."""

    def __init__(
        self,
        store: Store,
        blob_root: Path,
        engine_spec: str,
        size: int,
        job_timeout: float | None = None,
        memory_mb: int | None = None,
    ) -> None:
        """``job_timeout``: seconds a job may run before its worker is killed; ``memory_mb``:
        each worker's memory limit (None: no limit for either)."""
        if size < 1:
            raise ValueError(f"the worker pool needs at least 1 process (got {size})")
        self._store = store
        self._job_timeout = job_timeout
        self._memory_mb = memory_mb
        self._command = [
            sys.executable,
            "-m",
            "llamaextract_nb.local.jobs.worker",
            str(store.path),
            str(blob_root),
            engine_spec,
            str(os.getpid()),
            str(memory_mb or 0),
        ]
        self._procs: list[subprocess.Popen[bytes]] = []
        self._size = size
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._supervise, name="lx-pool", daemon=True)

    def start(self) -> None:
        self._procs = [self._spawn() for _ in range(self._size)]
        self._thread.start()

    def _spawn(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen(self._command, stdin=subprocess.DEVNULL, env=_worker_env())

    def _supervise(self) -> None:
        while not self._stopping.wait(SUPERVISE_SECONDS):
            if self._job_timeout is not None:
                self._stop_overdue(self._job_timeout)
            for i, proc in enumerate(self._procs):
                if proc.poll() is None or self._stopping.is_set():
                    continue
                if proc.returncode == RECYCLE_EXIT_CODE:
                    log.info("worker %s replaced after a job that left it large", proc.pid)
                    self._procs[i] = self._spawn()
                    continue
                reason = describe_exit(proc.returncode)
                failed = self._store.fail_jobs_of_worker(proc.pid, self._failure(proc.returncode))
                if failed:
                    log.warning("worker %s stopped (%s); failed: %s", proc.pid, reason, failed)
                self._procs[i] = self._spawn()

    def _failure(self, exitcode: int | None) -> str:
        """What a job learns when its worker stopped with ``exitcode``."""
        if exitcode == MEMORY_EXIT_CODE and self._memory_mb:
            return over_limit_message(self._memory_mb)
        limit = f" (workers may use {self._memory_mb:,} MB)" if self._memory_mb else ""
        return (
            f"the worker process extracting this document stopped unexpectedly "
            f"({describe_exit(exitcode)}); the document may be too large or malformed for "
            f"the engine{limit}"
        )

    def _stop_overdue(self, limit: float) -> None:
        """Fail jobs running longer than ``limit`` seconds and kill their workers."""
        by_pid = {proc.pid: proc for proc in self._procs}
        for pid in self._store.overdue_workers(limit):
            proc = by_pid.get(pid)
            if proc is None:
                continue
            self._store.fail_jobs_of_worker(
                pid,
                f"extraction took longer than the server's job timeout of {limit:g} s; "
                "try fewer pages (target_pages / max_pages) or a smaller document",
            )
            proc.kill()  # the supervisor then replaces it; its job is already FAILED

    def stop(self, timeout: float = 5.0) -> None:
        """Stop every worker (jobs they were running are requeued on the next start)."""
        self._stopping.set()
        for proc in self._procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self._procs:
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout)
        if self._thread.is_alive():
            self._thread.join(timeout)
