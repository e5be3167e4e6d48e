"""One worker process: claim the oldest PENDING job, run the engine, store the outcome.

The worker's memory is capped (``--worker-memory-mb``, see :mod:`.memory`). A job that
runs out of it makes the worker exit at once with :data:`MEMORY_EXIT_CODE` (recording the
failure here would need memory the engine thread may still hold); the pool then fails the
job saying which limit was hit and starts a fresh worker. A worker that grew past half its
limit exits after its job with :data:`RECYCLE_EXIT_CODE` so the pool replaces it.

An engine that mostly waits (on a remote model, or the latency benchmark's plugin) may say so
with a ``concurrent_jobs = N`` attribute: the worker then runs up to N of its jobs at once,
each on its own thread, and a job cancelled meanwhile is dropped rather than ending the
process (its siblings go on). Thread stacks count against the memory cap: give such an
engine a larger ``--worker-memory-mb`` (or 0).
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import threading
import time
import uuid
from concurrent.futures import Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any

from llamaextract_nb.local.engine.document import DocumentError
from llamaextract_nb.local.engine.interface import Engine, EngineOutput
from llamaextract_nb.local.jobs.engines import EngineSpecError, load_engine
from llamaextract_nb.local.jobs.memory import (
    MEMORY_EXIT_CODE,
    RECYCLE_EXIT_CODE,
    hit_limit,
    limit_memory,
    peak_resident_mb,
)
from llamaextract_nb.local.store import BlobStore, Store

log = logging.getLogger("llamaextract_nb.worker")

IDLE_POLL_SECONDS = 0.1
WORKER_NICENESS = 5
CANCEL_POLL_SECONDS = 0.5
RECYCLE_SHARE = 0.5
"""A worker whose resident memory peaked past this share of its limit is replaced after its
job."""


def grew_large(memory_mb: int | None) -> bool:
    """True when this worker should make way for a fresh one: its resident memory peaked past
    :data:`RECYCLE_SHARE` of its limit (freed memory is seldom given back, and a fresh peak
    lets :func:`~.memory.hit_limit` judge the next job alone)."""
    peak = peak_resident_mb()
    return memory_mb is not None and peak is not None and peak > RECYCLE_SHARE * memory_mb


def run_worker(
    db_path: str, blob_root: str, engine_spec: str, parent_pid: int, memory_mb: int | None = None
) -> None:
    """Process entry point; returns when the parent (the server) is gone, exits with
    :data:`RECYCLE_EXIT_CODE` after a job that left it large."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    limit_memory(memory_mb)
    if hasattr(os, "nice"):
        os.nice(WORKER_NICENESS)  # extraction yields the CPU to the API's requests
    store = Store(Path(db_path))
    blobs = BlobStore(Path(blob_root), clean=False)
    engine: Engine | None = None
    engine_error = ""
    try:
        engine = load_engine(engine_spec)
    except EngineSpecError as exc:
        engine_error = str(exc)
    slots = max(1, int(getattr(engine, "concurrent_jobs", 1)))
    serve = (store, blobs, engine, engine_error, parent_pid, memory_mb, slots > 1)
    for _ in range(slots - 1):
        threading.Thread(target=_serve, args=serve, daemon=True).start()
    _serve(*serve)


def _serve(
    store: Store,
    blobs: BlobStore,
    engine: Engine | None,
    engine_error: str,
    parent_pid: int,
    memory_mb: int | None,
    shared: bool,
) -> None:
    """Claim and run jobs one after another until the parent is gone (``shared``: other
    threads of this process do too)."""
    runner = ThreadPoolExecutor(1, thread_name_prefix="lx-engine")
    while os.getppid() == parent_pid:
        if not store.has_pending():
            time.sleep(IDLE_POLL_SECONDS)
            continue
        claim = uuid.uuid4().hex
        job = store.claim_next(os.getpid(), claim)
        if job is None:
            continue
        if engine is None:
            store.fail_job(
                job["id"], claim, f"the extraction engine is unavailable: {engine_error}"
            )
            continue
        try:
            run_job(store, blobs, runner, engine, job, claim, memory_mb, shared)
        except MemoryError:  # raised in this thread while the engine holds the memory
            os._exit(MEMORY_EXIT_CODE)
        except _Dropped:  # cancelled while its engine call runs on: give it a thread of its own
            runner.shutdown(wait=False)
            runner = ThreadPoolExecutor(1, thread_name_prefix="lx-engine")
        if grew_large(memory_mb):
            os._exit(RECYCLE_EXIT_CODE)


class _Dropped(Exception):
    """The running job was cancelled or deleted; its engine call goes on, unheard."""


def _outcome(
    store: Store, future: Future[EngineOutput], job_id: str, claim: str, shared: bool = False
) -> EngineOutput:
    """The engine's answer; if the job is cancelled or deleted meanwhile, this process exits
    (dropping the work) and the supervisor starts a fresh worker; when the process is
    ``shared`` by concurrent jobs, raises :class:`_Dropped` instead."""
    while True:
        done, _ = wait([future], timeout=CANCEL_POLL_SECONDS)
        if done:
            return future.result()
        if not store.is_claimed(job_id, claim):
            log.info("job %s was cancelled or deleted while running; abandoning it", job_id)
            if shared:
                raise _Dropped(job_id)
            os._exit(0)


def run_job(
    store: Store,
    blobs: BlobStore,
    runner: ThreadPoolExecutor,
    engine: Engine,
    job: dict[str, Any],
    claim: str,
    memory_mb: int | None = None,
    shared: bool = False,
) -> None:
    """Extract one claimed job (the engine runs on ``runner``) and record the outcome; exit
    with :data:`MEMORY_EXIT_CODE` when it ran out of the ``memory_mb`` limit (``shared``: see
    :func:`_outcome`)."""
    try:
        data = blobs.read(job["file_sha256"])
    except FileNotFoundError:
        store.fail_job(job["id"], claim, "the uploaded document is missing from the data directory")
        return
    try:
        future = runner.submit(engine, data, job["file_name"], json.loads(job["configuration"]))
        del data  # the engine holds it as long as it needs it
        output = _outcome(store, future, job["id"], claim, shared)
    except _Dropped:
        raise
    except Exception as exc:
        if hit_limit(exc, memory_mb):
            os._exit(MEMORY_EXIT_CODE)  # no allocation needed: the pool records the failure
        if isinstance(exc, DocumentError):
            store.fail_job(job["id"], claim, str(exc))
            return
        log.exception("extraction of %s (%s) failed", job["id"], job["file_name"])
        store.fail_job(
            job["id"],
            claim,
            f"the extraction engine failed on this document: {type(exc).__name__}: {exc}",
        )
        return
    metadata = dict(output.metadata or {})
    parse_job_id = metadata.get("parse_job_id") or f"pjb-{uuid.uuid4()}"
    metadata["parse_job_id"] = parse_job_id
    try:
        store.complete_job(job["id"], claim, output.result, metadata, output.usage, parse_job_id)
    except (TypeError, ValueError) as exc:  # output that is not JSON
        log.exception("the engine's output for %s cannot be stored", job["id"])
        store.fail_job(job["id"], claim, f"the extraction engine returned unusable output: {exc}")


def main(argv: list[str]) -> None:
    """``python -m llamaextract_nb.local.jobs.worker DB BLOBS ENGINE PARENT_PID MEMORY_MB``
    (``MEMORY_MB`` 0: no limit)."""
    db_path, blob_root, engine_spec, parent_pid, memory_mb = argv
    run_worker(db_path, blob_root, engine_spec, int(parent_pid), int(memory_mb) or None)


if __name__ == "__main__":
    main(sys.argv[1:])
