"""Watching the running jobs of a :class:`~.job_runner.JobRunner`: all of them per request.

:class:`JobPoller` asks the list endpoint about every watched job at once with its ``job_ids``
filter (:func:`.polling.list_jobs_by_id`, 100 ids per request), with ``extract_metadata``
expanded so a finished job needs no further request. A job the list leaves out is read alone;
a COMPLETED job listed without its ``extract_result`` or ``extract_metadata`` is read again
(with them expanded) before it is reported.

When to look: :data:`POLL_FIRST` s after a job is added, then each pause
:data:`POLL_GROWTH` times longer up to :data:`POLL_MAX` s. Status changes do not shorten the
pause: with many jobs some status changes at almost every look, and looking every
:data:`POLL_FIRST` s would cost several requests per document on a service whose jobs take
seconds. A just-created job is looked at soon (a local job may be done in a second); after
that, a result arrives at most :data:`POLL_MAX` s after its job finished.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from llamaextract_nb.api.models import ExtractJob
from llamaextract_nb.client import create_once
from llamaextract_nb.client.async_client import AsyncClient
from llamaextract_nb.client.errors import APIConnectionError, APIStatusError, NotFoundError
from llamaextract_nb.client.polling import (
    BACKOFF_FACTOR,
    DEFAULT_POLL_INTERVAL,
    MANY_JOBS_MAX_INTERVAL,
    JobStatus,
    list_jobs_by_id,
)

log = logging.getLogger("llamaextract_nb.batch")

POLL_FIRST = DEFAULT_POLL_INTERVAL
POLL_MAX = MANY_JOBS_MAX_INTERVAL
POLL_GROWTH = BACKOFF_FACTOR
EXPAND = ("extract_metadata",)
"""What a poll asks for: all a finished job's result needs (the list has no ``usage``)."""


@dataclass(eq=False)
class Watch:
    """One job being polled: whose it is (``owner``, the runner's) and its status so far."""

    job_id: str
    owner: object
    status: JobStatus = field(init=False)
    initial: str = "PENDING"
    warned: bool = False
    """True while the last look at it failed (the owner was told)."""

    def __post_init__(self) -> None:
        self.status = JobStatus(self.job_id, self.initial)


class JobPoller:
    """Polls the watched jobs until none is left and no more are coming (see the module).

    Reports to its runner through ``changed(watch, job)`` (a new status), ``finished(watch,
    job)`` (a final one; the job is no longer watched), ``lost(watch)`` (the server no longer
    knows it), and ``trouble(watch, error)`` (a look failed and will be tried again;
    ``error`` is None once a look succeeds again).
    """

    def __init__(
        self,
        client: AsyncClient,
        *,
        changed: Callable[[Watch, ExtractJob], None],
        finished: Callable[[Watch, ExtractJob], None],
        lost: Callable[[Watch], None],
        trouble: Callable[[Watch, Exception | None], None],
    ) -> None:
        self.client = client
        self.watching: dict[str, Watch] = {}
        self.pending_starts = 0
        """Documents still starting, which may yet give a job to watch."""
        self.requests_sent = 0
        """Poll requests sent (list pages and single reads)."""
        self._changed = changed
        self._finished = finished
        self._lost = lost
        self._trouble = trouble
        self._failure: BaseException | None = None
        self._wake = asyncio.Event()
        self._interval = POLL_FIRST
        self._next_poll = 0.0

    def watch(self, job_id: str, owner: object, status: str) -> Watch:
        """Watch a job from now on; it is looked at within :data:`POLL_FIRST` s."""
        watch = Watch(job_id, owner, status)
        self.watching[job_id] = watch
        self._interval = POLL_FIRST
        self._next_poll = min(self._next_poll, time.monotonic() + POLL_FIRST)
        self._wake.set()
        return watch

    def unwatch(self, job_id: str) -> None:
        """Stop watching a job (its outcome was learned elsewhere, e.g. from its cancel)."""
        self.watching.pop(job_id, None)
        self._wake.set()

    def wake(self) -> None:
        """Look again at :attr:`pending_starts` (call after changing it)."""
        self._wake.set()

    def fail(self, error: BaseException) -> None:
        """Stop polling: :meth:`run` raises ``error``."""
        self._failure = error
        self._wake.set()

    async def run(self) -> None:
        """Poll until nothing is watched and nothing is starting; raises what :meth:`fail` got."""
        self._next_poll = time.monotonic() + POLL_FIRST
        while True:
            if self._failure is not None:
                raise self._failure
            if not self.watching and self.pending_starts == 0:
                return
            now = time.monotonic()
            if self.watching and now >= self._next_poll:
                await self._poll()
                self._interval = min(self._interval * POLL_GROWTH, POLL_MAX)
                self._next_poll = time.monotonic() + self._interval
                continue
            self._wake.clear()
            timeout = max(0.0, self._next_poll - now) if self.watching else None
            await _wait_event(self._wake, timeout)

    async def _poll(self) -> None:
        """One look at every watched job; a transient failure is reported and tried again."""
        watched = list(self.watching.values())
        try:
            await self._look(watched)
        except (APIConnectionError, APIStatusError) as exc:
            if not create_once.transient(exc):
                raise
            log.info("polling failed, will try again: %s", exc)
            for watch in watched:
                if watch.job_id in self.watching:
                    watch.warned = True
                    self._trouble(watch, exc)

    async def _look(self, watched: list[Watch]) -> None:
        by_id = {watch.job_id: watch for watch in watched}
        async for page in list_jobs_by_id(self.client, list(by_id), EXPAND):
            self.requests_sent += 1
            for job in page.items:
                watch = by_id.pop(job.id, None)
                if watch is not None:
                    await self._observe(watch, job)
        for watch in by_id.values():  # a job the list did not return: read it alone
            self.requests_sent += 1
            try:
                job = await self.client.jobs.get(watch.job_id, expand=EXPAND)
            except NotFoundError:
                self.watching.pop(watch.job_id, None)
                self._lost(watch)
                continue
            await self._observe(watch, job)

    async def _observe(self, watch: Watch, job: ExtractJob) -> None:
        if self.watching.get(job.id) is not watch:
            return  # its outcome was learned meanwhile
        if watch.warned:
            watch.warned = False
            self._trouble(watch, None)
        changed = watch.status.observe(job.status)
        if watch.status.final:
            if _incomplete(job):
                self.requests_sent += 1
                job = await self.client.jobs.get(job.id, expand=EXPAND)
            if self.watching.pop(job.id, None) is watch:
                self._finished(watch, job)
        elif changed:
            self._changed(watch, job)


def _incomplete(job: ExtractJob) -> bool:
    """A COMPLETED job listed without its result or metadata (a service may leave them out
    of list pages): it is read alone before it is reported."""
    return job.status == "COMPLETED" and (
        job.extract_result is None or job.extract_metadata is None
    )


async def _wait_event(event: asyncio.Event, timeout: float | None) -> None:
    """Wait until ``event`` is set or ``timeout`` seconds pass.

    Not ``asyncio.wait_for``: before Python 3.12 it swallows a cancellation that arrives as the
    event is set, and a stopped run would go on polling.
    """
    waiter = asyncio.ensure_future(event.wait())
    try:
        await asyncio.wait([waiter], timeout=timeout)
    finally:
        waiter.cancel()
