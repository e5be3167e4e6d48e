"""Waiting for jobs: ``wait()``'s logic shared by both clients (intervals, deadline, outcome),
and :func:`list_jobs_by_id`, how the batch and the Studio look at many jobs per request."""

from __future__ import annotations

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

StatusCallback = Callable[[ExtractJob], Awaitable[None] | None]
"""Called with the job each time its status changes (async clients await a coroutine result)."""


class Poller:
    """Tracks one job while it is polled: status changes, the next interval, the deadline.

    Every non-terminal status (PENDING, THROTTLED, RUNNING or one the service adds later) keeps
    the poll going; COMPLETED, FAILED and CANCELLED end it.
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
        self.last_status: str | None = None

    def observe(self, job: ExtractJob) -> bool:
        """Record ``job``'s status; True when it differs from the previous one."""
        changed = job.status != self.last_status
        self.last_status = job.status
        return changed

    def next_delay(self) -> float:
        """Seconds to sleep before the next poll; raises :class:`WaitTimeout` past the deadline."""
        remaining = self.deadline - _timing.monotonic()
        if remaining <= 0:
            raise WaitTimeout(self.job_id, self.last_status or "unknown", self.timeout)
        delay = min(self.interval, remaining)
        self.interval = min(self.interval * BACKOFF_FACTOR, self.max_interval)
        return delay


def is_finished(job: ExtractJob) -> bool:
    """True for COMPLETED, FAILED and CANCELLED."""
    return job.status in TERMINAL_STATUSES


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
