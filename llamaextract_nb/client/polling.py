"""Waiting for jobs: when a status is final (:class:`JobStatus`, the one rule ``wait()``, the job
runner and so the batch and the Studio use), ``wait()``'s logic shared by both clients
(intervals, deadline, outcome), and :func:`list_jobs_by_id`, how the runner looks at many jobs
per request."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import TYPE_CHECKING

from llamaextract_nb.api.models import TERMINAL_STATUSES, ExtractJob
from llamaextract_nb.client import _timing
from llamaextract_nb.client.errors import JobFailedError, WaitTimeout

if TYPE_CHECKING:
    from llamaextract_nb.api.models import Page
    from llamaextract_nb.client.async_client import AsyncClient

DEFAULT_WAIT_TIMEOUT = 600.0
DEFAULT_POLL_INTERVAL = 0.25
DEFAULT_MAX_INTERVAL = 5.0
BACKOFF_FACTOR = 1.5
MANY_JOBS_MAX_INTERVAL = 3.0
"""The longest pause between looks at many jobs (batch, Studio)."""
JOB_IDS_PER_REQUEST = 100
"""Job ids per list request (about 5 KB of query string)."""

UNFINISHED_STATUSES = frozenset({"PENDING", "THROTTLED", "RUNNING"})
"""The statuses of a job still under way that this client knows."""

log = logging.getLogger("llamaextract_nb.client")


class JobStatus:
    """One job's status as it is polled, and whether it is final.

    COMPLETED, FAILED and CANCELLED are final; PENDING, THROTTLED and RUNNING are not. A
    status this client does not know is final once the job was seen RUNNING (the service has
    partial-success outcomes; polling one until the timeout would help nobody), with a
    warning; before that it is taken for a new kind of waiting, and polling goes on.
    """

    def __init__(self, job_id: str, status: str | None = None) -> None:
        self.job_id = job_id
        self.status: str | None = None
        self.was_running = False
        if status is not None:
            self.observe(status)

    def observe(self, status: str) -> bool:
        """Record ``status``; True when it differs from the previous one."""
        changed = status != self.status
        self.status = status
        if changed and self.final and status not in TERMINAL_STATUSES:
            log.warning(
                "job %s reports status %r, which this client does not know; as it came after "
                "RUNNING it is taken as final (the job did not complete)",
                self.job_id,
                status,
            )
        self.was_running |= status == "RUNNING"
        return changed

    @property
    def final(self) -> bool:
        """True once the job will not change any more (see the class docstring)."""
        status = self.status
        if status is None or status in UNFINISHED_STATUSES:
            return False
        return status in TERMINAL_STATUSES or self.was_running


StatusCallback = Callable[[ExtractJob], Awaitable[None] | None]
"""Called with the job each time its status changes (async clients await a coroutine result)."""


class Poller:
    """Tracks one job while it is polled: status changes, the next interval, the deadline.

    :attr:`finished` says when the poll ends, as :class:`JobStatus` rules.
    """

    def __init__(
        self,
        job_id: str,
        *,
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        max_interval: float = DEFAULT_MAX_INTERVAL,
    ) -> None:
        if timeout <= 0 or poll_interval <= 0 or max_interval < poll_interval:
            raise ValueError(
                "need timeout > 0, poll_interval > 0 and max_interval >= poll_interval "
                f"(got timeout={timeout}, poll_interval={poll_interval}, "
                f"max_interval={max_interval})"
            )
        self.job_id = job_id
        self.timeout = timeout
        self.deadline = _timing.monotonic() + timeout
        self.interval = poll_interval
        self.max_interval = max_interval
        self.status = JobStatus(job_id)

    def observe(self, job: ExtractJob) -> bool:
        """Record ``job``'s status; True when it differs from the previous one."""
        return self.status.observe(job.status)

    @property
    def finished(self) -> bool:
        """True once the last observed status is final."""
        return self.status.final

    def next_delay(self) -> float:
        """Seconds to sleep before the next poll; raises :class:`WaitTimeout` past the deadline."""
        remaining = self.deadline - _timing.monotonic()
        if remaining <= 0:
            raise WaitTimeout(self.job_id, self.status.status or "unknown", self.timeout)
        delay = min(self.interval, remaining)
        self.interval = min(self.interval * BACKOFF_FACTOR, self.max_interval)
        return delay


def outcome(job: ExtractJob, *, raise_on_failure: bool) -> ExtractJob:
    """The finished job, or :class:`JobFailedError` when it FAILED / was CANCELLED."""
    if raise_on_failure and job.status != "COMPLETED":
        raise JobFailedError(job)
    return job


async def list_jobs_by_id(
    client: AsyncClient, job_ids: Sequence[str], expand: Sequence[str] | str
) -> AsyncIterator[Page]:
    """The list endpoint's pages for ``job_ids`` (its ``job_ids`` filter), up to
    :data:`JOB_IDS_PER_REQUEST` ids per request; one page per request sent. A job the
    service does not return is simply absent: callers read it alone."""
    for start in range(0, len(job_ids), JOB_IDS_PER_REQUEST):
        chunk = list(job_ids[start : start + JOB_IDS_PER_REQUEST])
        token: str | None = None
        while True:
            page = await client.jobs.list_page(
                job_ids=chunk, expand=expand, page_size=len(chunk), page_token=token
            )
            yield page
            token = page.next_page_token or None
            if token is None:
                break
