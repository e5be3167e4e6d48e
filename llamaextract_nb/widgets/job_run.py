"""One click of Run on the kernel's event loop: submit every file, poll every job, cancel.

Each row's file is uploaded and its job created by its own asyncio task (at most
:data:`MAX_CONCURRENT_UPLOADS` at once), each at most once: after a failure that may have
reached the service, the file (by a fresh ``external_file_id``) and the job (on that file) are
looked up before anything is sent again (:mod:`llamaextract_nb.client.create_once`).

One poller follows *all* the run's unfinished jobs with one list request per tick
(``job_ids`` filter, configuration and extract_metadata expanded, so a finished job needs no
further request), every :data:`POLL_FIRST` s while statuses change, backing off to
:data:`POLL_MAX` s while none do. A job the list does not return is read alone.

Cancel never leaves a job behind: before the create request is sent the row's task is simply
stopped; once it is in flight (or its answer was lost and the job is being looked up) the run
waits for the job's id and cancels it on the service at once (or, when the look-up shows the
create never landed, does not send it again); after that it sends the cancel request.
Cancelling the run's task from code (the Studio closed, the task cancelled) cancels every
unfinished row the same way, and the task ends once their jobs are cancelled.

A job still unfinished :data:`WAIT_TIMEOUT` s into the run is no longer waited for: its row
says so and keeps its Cancel button, which still cancels the job after the run has ended.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from llamaextract_nb.api.models import TERMINAL_STATUSES, ExtractConfiguration, ExtractJob
from llamaextract_nb.client import create_once
from llamaextract_nb.client.errors import (
    APIConnectionError,
    APIStatusError,
    ConflictError,
    LlamaExtractError,
    NotFoundError,
)
from llamaextract_nb.client.polling import (
    BACKOFF_FACTOR,
    DEFAULT_POLL_INTERVAL,
    MANY_JOBS_MAX_INTERVAL,
    list_jobs_by_id,
)

if TYPE_CHECKING:
    from llamaextract_nb.client import AsyncClient
    from llamaextract_nb.results import ExtractResult
    from llamaextract_nb.widgets.jobs import JobRow

MAX_CONCURRENT_UPLOADS = 8
"""Uploads (and job creations) in flight at once; the rest wait, shown as PENDING."""
WAIT_TIMEOUT = 3600.0
"""How long a job may run before its row says it timed out (the job itself goes on)."""
POLL_FIRST = DEFAULT_POLL_INTERVAL
POLL_MAX = MANY_JOBS_MAX_INTERVAL
POLL_GROWTH = BACKOFF_FACTOR
EXPAND = ("configuration", "extract_metadata")
"""What the poll asks for: all a finished job's result needs (the list has no ``usage``)."""


class JobRun:
    """The jobs of one run, one :class:`JobRow` each; :meth:`start` runs them."""

    def __init__(
        self, client: AsyncClient, rows: Sequence[JobRow], configuration: ExtractConfiguration
    ) -> None:
        self.client = client
        self.rows = list(rows)
        self.configuration = configuration
        self.requests_sent = 0
        """Poll requests sent (list pages and single reads), for the curious and for tests."""
        self._submissions: dict[JobRow, asyncio.Task[None]] = {}
        self._creating: set[JobRow] = set()
        self._wake = asyncio.Event()
        self._next_poll = 0.0
        self._side_tasks: set[asyncio.Task[None]] = set()

    def start(self) -> asyncio.Task[list[ExtractResult]]:
        """Start every file's submission and the poller on the running loop; the task returns
        the finished jobs' results (FAILED and CANCELLED ones included, with their status)."""
        loop = asyncio.get_running_loop()
        uploads = asyncio.Semaphore(MAX_CONCURRENT_UPLOADS)
        for row in self.rows:
            task = loop.create_task(self._submit(row, uploads))
            task.add_done_callback(partial(self._submitted, row))
            self._submissions[row] = task
            row.observe(partial(self._cancel, row), "cancel_requested")
        return loop.create_task(self._run())

    async def _run(self) -> list[ExtractResult]:
        try:
            await self._poll_until_finished()
        except asyncio.CancelledError:
            await self._cancel_all()
            raise
        for task in [*self._submissions.values(), *self._side_tasks]:
            task.cancel()
        return [row.result for row in self.rows if row.result is not None]

    async def _cancel_all(self) -> None:
        """Press Cancel on every unfinished row and wait until each is stopped or its job
        cancelled on the service (a create in flight is waited for, then its job cancelled).
        Cancelled again meanwhile, it stops waiting; the cancelling goes on regardless."""
        for row in self.rows:
            row.cancel()
        pending = [t for t in [*self._submissions.values(), *self._side_tasks] if not t.done()]
        if pending:
            await asyncio.wait(pending)

    # --- submitting ---------------------------------------------------------------

    async def _submit(self, row: JobRow, uploads: asyncio.Semaphore) -> None:
        """Upload and create (the row's task; cancelled only before the create is sent)."""
        attempts = self.client.settings.max_retries + 1
        try:
            async with uploads:
                row.status = "UPLOADING"
                file_id = await create_once.upload_once(
                    self.client,
                    row.chosen.source,
                    create_once.new_external_file_id(),
                    filename=row.chosen.name,
                    attempts=attempts,
                )
                # the file is ours alone: any job on it since now comes from this create
                matcher = create_once.JobMatcher(
                    file_id, self.configuration, time.time(), sole_create=True
                )
                self._creating.add(row)
                try:
                    job = await create_once.create_job_once(
                        self.client,
                        self.configuration,
                        matcher,
                        attempts=attempts,
                        withdrawn=lambda: row.cancel_requested,
                    )
                finally:
                    self._creating.discard(row)
        except asyncio.CancelledError:
            row.status = "CANCELLED"
            raise
        except create_once.Withdrawn:  # Cancel pressed, and the lost create never landed
            row.status = "CANCELLED"
            return
        except Exception as exc:  # shown in the widget: the run must never dump a traceback
            row.error = _readable(exc)
            row.status = "CANCELLED" if row.cancel_requested else "FAILED"
            return
        row.job_id = job.id
        self._observe(row, job)
        self._poll_soon()
        if row.cancel_requested:  # pressed while the create was in flight
            await self._cancel_job(row)

    def _submitted(self, row: JobRow, task: asyncio.Task[None]) -> None:
        if task.cancelled() and not row.finished:
            row.status = "CANCELLED"  # stopped before its task ever ran
        self._wake.set()

    # --- cancelling ---------------------------------------------------------------

    def _cancel(self, row: JobRow, change: dict[str, Any]) -> None:
        """Cancel pressed (also after the run ended, on a row that timed out)."""
        if row.finished or not change["new"]:
            return
        if row.job_id:
            task = asyncio.get_running_loop().create_task(self._cancel_job(row))
            self._side_tasks.add(task)
            task.add_done_callback(self._side_tasks.discard)
        elif row not in self._creating:
            self._submissions[row].cancel()
        # else: the create is in flight; _submit cancels the job as soon as it has its id

    async def _cancel_job(self, row: JobRow) -> None:
        try:
            try:
                job = await self.client.jobs.cancel(row.job_id)
            except ConflictError:  # it finished first (the run may be over): show how
                job = await self.client.jobs.get(row.job_id, expand=EXPAND)
        except Exception as exc:
            row.error = f"cancel failed: {_readable(exc)}"
            return
        self._observe(row, job)
        self._wake.set()

    # --- polling ------------------------------------------------------------------

    def _poll_soon(self) -> None:
        self._next_poll = min(self._next_poll, time.monotonic() + POLL_FIRST)
        self._wake.set()

    async def _poll_until_finished(self) -> None:
        interval = POLL_FIRST
        self._next_poll = time.monotonic() + interval
        while not self._all_done():
            watched = [row for row in self.rows if row.job_id and not row.settled]
            if watched and time.monotonic() >= self._next_poll:
                changed = await self._poll(watched)
                interval = POLL_FIRST if changed else min(interval * POLL_GROWTH, POLL_MAX)
                self._next_poll = time.monotonic() + interval
                continue
            self._wake.clear()
            timeout = max(0.0, self._next_poll - time.monotonic()) if watched else None
            await _wait_event(self._wake, timeout)

    def _all_done(self) -> bool:
        return all(task.done() for task in self._submissions.values()) and all(
            row.settled for row in self.rows
        )

    async def _poll(self, watched: list[JobRow]) -> bool:
        """One look at every watched job; True when any status changed."""
        try:
            changed = await self._poll_once(watched)
        except asyncio.CancelledError:
            raise
        except (APIConnectionError, APIStatusError) as exc:
            if not create_once.transient(exc):
                return self._fail(watched, _readable(exc))
            for row in watched:  # the client retried already; say so and keep polling
                row.error = f"checking the job failed, will try again: {_readable(exc)}"
            return False
        except Exception as exc:
            return self._fail(watched, _readable(exc))
        for row in watched:
            if not row.finished and time.monotonic() - row.started > WAIT_TIMEOUT:
                row.error = (
                    f"still {row.status} after {_duration(WAIT_TIMEOUT)}: this run stopped "
                    "waiting for it and shows no result for it. It keeps running on the "
                    f"service as job {row.job_id}; press Cancel to stop it."
                )
                row.timed_out = True
                changed = True
        return changed

    async def _poll_once(self, watched: list[JobRow]) -> bool:
        by_id = {row.job_id: row for row in watched}
        changed = False
        async for page in list_jobs_by_id(self.client, list(by_id), EXPAND):
            self.requests_sent += 1
            for job in page.items:
                row = by_id.pop(job.id, None)
                if row is not None:
                    changed |= self._observe(row, job)
        for job_id, row in by_id.items():
            changed |= await self._read_alone(job_id, row)
        return changed

    async def _read_alone(self, job_id: str, row: JobRow) -> bool:
        """A job the list did not return: read it by its id."""
        self.requests_sent += 1
        try:
            job = await self.client.jobs.get(job_id, expand=EXPAND)
        except NotFoundError:
            row.error = f"extraction job {job_id} is no longer on the service"
            row.status = "FAILED"
            return True
        return self._observe(row, job)

    def _observe(self, row: JobRow, job: ExtractJob) -> bool:
        """Bring ``row`` up to date with ``job``; True when its status changed."""
        from llamaextract_nb.results import ExtractResult

        if row.finished:
            return False
        if row.error.startswith("checking the job failed"):
            row.error = ""
        if job.status not in TERMINAL_STATUSES:
            changed = job.status != row.status
            row.status = job.status
            return changed
        if job.status == "COMPLETED":
            source = row.chosen.path or row.chosen.content
            row.result = ExtractResult(job, source=source, name=row.chosen.name)
        else:
            cancelled_on_request = job.status == "CANCELLED" and row.cancel_requested
            row.error = (
                "" if cancelled_on_request else job.error_message or f"the job ended {job.status}"
            )
            row.result = ExtractResult(job, name=row.chosen.name)
        row.status = job.status
        return True

    def _fail(self, rows: list[JobRow], error: str) -> bool:
        for row in rows:
            row.error = error
            row.status = "FAILED"
        return True


def _duration(seconds: float) -> str:
    return f"{seconds / 60:g} min" if seconds >= 120 else f"{seconds:g} s"


def _readable(error: Exception) -> str:
    return (
        str(error) if isinstance(error, LlamaExtractError) else f"{type(error).__name__}: {error}"
    )


async def _wait_event(event: asyncio.Event, timeout: float | None) -> None:
    """Wait until ``event`` is set or ``timeout`` seconds pass.

    Not ``asyncio.wait_for``: before Python 3.12 it swallows a cancellation that arrives as the
    event is set, and the run would go on polling after the Studio was closed.
    """
    waiter = asyncio.ensure_future(event.wait())
    try:
        await asyncio.wait([waiter], timeout=timeout)
    finally:
        waiter.cancel()
