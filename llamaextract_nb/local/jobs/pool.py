"""Supervise the worker processes: start them, notice crashes, fail the crashed job, respawn."""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
from multiprocessing.process import BaseProcess
from pathlib import Path

from llamaextract_nb.local.jobs.worker import run_worker
from llamaextract_nb.local.store import Store

log = logging.getLogger("llamaextract_nb.server")

SUPERVISE_SECONDS = 0.2


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
    ) -> None:
        """``job_timeout``: seconds a job may run before its worker is killed (None: no limit)."""
        if size < 1:
            raise ValueError(f"the worker pool needs at least 1 process (got {size})")
        self._store = store
        self._job_timeout = job_timeout
        self._args = (str(store.path), str(blob_root), engine_spec, os.getpid())
        self._ctx = multiprocessing.get_context("spawn")
        self._procs: list[BaseProcess] = []
        self._size = size
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._supervise, name="lx-pool", daemon=True)

    def start(self) -> None:
        self._procs = [self._spawn() for _ in range(self._size)]
        self._thread.start()

    def _spawn(self) -> BaseProcess:
        proc = self._ctx.Process(target=run_worker, args=self._args, name="lx-worker", daemon=True)
        proc.start()
        return proc

    def _supervise(self) -> None:
        while not self._stopping.wait(SUPERVISE_SECONDS):
            if self._job_timeout is not None:
                self._stop_overdue(self._job_timeout)
            for i, proc in enumerate(self._procs):
                if proc.is_alive() or self._stopping.is_set():
                    continue
                reason = describe_exit(proc.exitcode)
                assert proc.pid is not None
                failed = self._store.fail_jobs_of_worker(
                    proc.pid,
                    f"the worker process extracting this document stopped unexpectedly "
                    f"({reason}); the document may be too large or malformed for the engine",
                )
                if failed:
                    log.warning("worker %s stopped (%s); failed: %s", proc.pid, reason, failed)
                self._procs[i] = self._spawn()

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
            if proc.is_alive():
                proc.terminate()
        for proc in self._procs:
            proc.join(timeout)
            if proc.is_alive():
                proc.kill()
                proc.join(timeout)
        if self._thread.is_alive():
            self._thread.join(timeout)
