"""The waiting logic of ``wait()``, shared by both clients: intervals, deadline, outcome."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from llamaextract_nb.api.models import TERMINAL_STATUSES, ExtractJob
from llamaextract_nb.client import _timing
from llamaextract_nb.client.errors import JobFailedError, WaitTimeout

DEFAULT_WAIT_TIMEOUT = 600.0
DEFAULT_POLL_INTERVAL = 0.25
DEFAULT_MAX_INTERVAL = 5.0
BACKOFF_FACTOR = 1.5

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
