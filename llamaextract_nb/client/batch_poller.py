"""Watching the running jobs of a batch: many jobs per request, adaptive intervals.

:class:`JobPoller` asks the list endpoint about every watched job with its ``job_ids`` filter
(:func:`.polling.list_jobs_by_id`), with ``extract_metadata`` expanded so a finished job needs
no further request. It polls every :data:`POLL_FIRST` s while things change and backs off to
:data:`POLL_MAX` s while nothing does. Every status change is written to the ledger.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

from llamaextract_nb.api.models import TERMINAL_STATUSES, ExtractJob
from llamaextract_nb.client import create_once
from llamaextract_nb.client.async_client import AsyncClient
from llamaextract_nb.client.batch_sources import BatchFile
from llamaextract_nb.client.errors import APIConnectionError, APIStatusError, NotFoundError
from llamaextract_nb.client.ledger import LOST, Ledger
from llamaextract_nb.client.polling import (
    BACKOFF_FACTOR,
    DEFAULT_POLL_INTERVAL,
    MANY_JOBS_MAX_INTERVAL,
    list_jobs_by_id,
)

log = logging.getLogger("llamaextract_nb.batch")

POLL_FIRST = DEFAULT_POLL_INTERVAL
POLL_MAX = MANY_JOBS_MAX_INTERVAL
POLL_GROWTH = BACKOFF_FACTOR


@dataclass
class Watch:
    """One running job: the document and cache key it is for, its last known status."""

    cache_key: str
    doc: BatchFile
    status: str


class JobPoller:
    """Polls the watched jobs until none is left and no more are coming (see the module).

    ``finished(watch, job)`` is called when a job ends, ``lost(watch)`` when the server no
    longer knows it (the document must start over), ``changed()`` after every look.
    """

    def __init__(
        self,
        client: AsyncClient,
        ledger: Ledger,
        server: str,
        *,
        finished: Callable[[Watch, ExtractJob], None],
        lost: Callable[[Watch], None],
        changed: Callable[[], None],
    ) -> None:
        self.client = client
        self.ledger = ledger
        self.server = server
        self.watching: dict[str, Watch] = {}
        self.pending_starts = 0
        """Documents still starting, which may yet give a job to watch."""
        self._finished = finished
        self._lost = lost
        self._changed = changed
        self._failure: BaseException | None = None
        self._wake = asyncio.Event()

    def watch(self, job_id: str, cache_key: str, doc: BatchFile, status: str) -> None:
        """Watch a job from now on."""
        self.watching[job_id] = Watch(cache_key, doc, status)
        self._wake.set()

    def wake(self) -> None:
        """Look again at :attr:`pending_starts` (call after changing it)."""
        self._wake.set()

    def fail(self, error: BaseException) -> None:
        """Stop the batch: :meth:`run` raises ``error``."""
        self._failure = error
        self._wake.set()

    async def run(self) -> None:
        """Poll until nothing is watched and nothing is starting; raises what :meth:`fail` got."""
        interval = POLL_FIRST
        while True:
            if self._failure is not None:
                raise self._failure
            if not self.watching:
                if self.pending_starts == 0:
                    return
                self._wake.clear()
                await self._wake.wait()
                interval = POLL_FIRST
                continue
            await asyncio.sleep(interval)
            try:
                changed = await self._poll_once()
            except (APIConnectionError, APIStatusError) as exc:
                if not create_once.transient(exc):
                    raise
                log.info("polling failed, will try again: %s", exc)
                changed = False
            interval = POLL_FIRST if changed else min(interval * POLL_GROWTH, POLL_MAX)

    async def _poll_once(self) -> bool:
        """One look at every running job; True when any status changed."""
        changed = False
        ids = list(self.watching)
        missing = set(ids)
        async for page in list_jobs_by_id(self.client, ids, "extract_metadata"):
            for job in page.items:
                missing.discard(job.id)
                changed |= self._observe(job)
        for job_id in missing:
            changed |= await self._check_missing(job_id)
        self._changed()
        return changed

    def _observe(self, job: ExtractJob) -> bool:
        watch = self.watching.get(job.id)
        if watch is None:
            return False
        if job.status in TERMINAL_STATUSES:
            self.ledger.update_job(
                self.server, job.id, job.status, error_message=job.error_message, job_json=job.raw
            )
            del self.watching[job.id]
            self._finished(watch, job)
            return True
        if job.status != watch.status:
            self.ledger.update_job(self.server, job.id, job.status)
            watch.status = job.status
            return True
        return False

    async def _check_missing(self, job_id: str) -> bool:
        """A job the list did not return: read it alone; if the server lost it, start over."""
        try:
            job = await self.client.jobs.get(job_id, expand="extract_metadata")
        except NotFoundError:
            watch = self.watching.pop(job_id)
            self.ledger.update_job(self.server, job_id, LOST, error_message="not on the server")
            self._lost(watch)
            return True
        return self._observe(job)
