"""One call of ``extract_many``: start every document, resume what the ledger knows.

Each document, ``concurrency`` at a time: the ledger (:mod:`.ledger`) is asked first: a
completed result is returned from it at once (the cache), a job still running is handed to the
poller (:mod:`.batch_poller`), a create whose outcome was never learned is looked up on the
server. Otherwise the file is uploaded (once per server and content) and a job created (each
at most once, :mod:`.create_once`), each recorded in the ledger *before* the request is sent
and completed after.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter

from llamaextract_nb.api.models import TERMINAL_STATUSES, ExtractConfiguration, ExtractJob
from llamaextract_nb.client import create_once
from llamaextract_nb.client.async_client import AsyncClient
from llamaextract_nb.client.batch_keys import (
    canonical_json,
    configuration_fingerprint,
    digest,
    external_file_id,
    server_key,
)
from llamaextract_nb.client.batch_poller import JobPoller
from llamaextract_nb.client.batch_sources import BatchFile
from llamaextract_nb.client.errors import (
    APIStatusError,
    AuthenticationError,
    LlamaExtractError,
    NotFoundError,
    PaymentRequiredError,
    PermissionDeniedError,
)
from llamaextract_nb.client.ledger import INTENT, LOST, JobRecord, Ledger, RunRecord
from llamaextract_nb.client.progress import BatchProgress

SETTLE = 3.0
"""Seconds a request sent just before a crash is given to reach the server before we look."""
_FATAL = (AuthenticationError, PermissionDeniedError, PaymentRequiredError)


class _LedgerMatcher(create_once.JobMatcher):
    """Recognises the job of one ledger intent.

    The file is this ledger's own upload, so a job on it that the ledger does not know was
    made by one of its open intents: by this one when it is the only open intent on the
    file, else by the one whose configuration the job echoes.
    """

    def __init__(
        self, ledger: Ledger, record: JobRecord, configuration: ExtractConfiguration
    ) -> None:
        super().__init__(record.file_id, configuration, record.intent_at)
        self.ledger = ledger
        self.server = record.server

    def excluded(self) -> set[str]:
        return self.ledger.known_job_ids(self.server, self.file_id)

    def sole_create(self) -> bool:
        return self.ledger.open_intents(self.server, self.file_id) == 1


class BatchRun:
    """One call of :func:`~.batch.aextract_many` (see the module docstring)."""

    def __init__(
        self,
        client: AsyncClient,
        ledger: Ledger,
        configuration: ExtractConfiguration,
        documents: list[BatchFile],
        *,
        concurrency: int,
        fresh: bool,
        retry_failed: bool,
        progress: bool,
        timeout: float | None,
    ) -> None:
        self.client = client
        self.ledger = ledger
        self.configuration = configuration
        self.fresh = fresh
        self.retry_failed = retry_failed
        self.timeout = timeout
        self.server = server_key(client.settings)
        self.schema_hash = digest(canonical_json(configuration.data_schema))
        self.config_hash = configuration_fingerprint(configuration)
        unique = {doc.sha256: doc for doc in documents}
        self.keys = {sha: digest(sha, self.schema_hash, self.config_hash) for sha in unique}
        self.unique = list(unique.values())
        self.weight = {sha: 0 for sha in unique}
        for doc in documents:
            self.weight[doc.sha256] += 1
        self.batch_key = digest(self.server, self.schema_hash, self.config_hash, *sorted(unique))
        self.outcomes: dict[str, ExtractJob] = {}
        self._counts: Counter[str] = Counter()  # documents COMPLETED / failed so far
        self.poller = JobPoller(
            client,
            ledger,
            self.server,
            finished=lambda watch, job: self._finish(watch.cache_key, watch.doc, job),
            lost=lambda watch: self._spawn(watch.doc),
            changed=self._refresh,
        )
        self._slots = asyncio.Semaphore(concurrency)
        self._tasks: set[asyncio.Task[None]] = set()
        self._bar = BatchProgress(len(documents), enabled=progress)
        self.current_run = self._open_run()

    async def run(self, started: float) -> dict[str, ExtractJob]:
        """Start every document, poll until all are finished or the timeout (counted from
        ``started``, a monotonic time) runs out; outcomes by cache key."""
        poller = asyncio.create_task(self.poller.run())
        remaining = None
        if self.timeout is not None:
            remaining = max(self.timeout - (time.monotonic() - started), 0.0)
        try:
            for doc in self.unique:
                self._spawn(doc)
            self._refresh()
            await asyncio.wait({poller}, timeout=remaining)
            if poller.done():
                poller.result()  # raises what stopped the batch
                self.ledger.finish_run(self.current_run.run_id)
            else:
                await self._stop(poller)
                for doc in self.unique:
                    key = self.keys[doc.sha256]
                    self.outcomes.setdefault(key, self._unfinished(key))
        except BaseException:
            await self._stop(poller)
            raise
        finally:
            self._bar.close()
        return self.outcomes

    def _open_run(self) -> RunRecord:
        """This call's run: a fresh call resumes the last fresh run of this batch that did
        not finish (killed, interrupted, timed out) unless a later run did; else a new run."""
        if self.fresh:
            unfinished = self.ledger.resumable_run(self.batch_key)
            if unfinished is not None:
                return unfinished
        return self.ledger.begin_run(self.batch_key, fresh=self.fresh)

    async def _stop(self, poller: asyncio.Task[None]) -> None:
        """Cancel the poller and every starting document (the ledger keeps where they are)."""
        poller.cancel()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(poller, *self._tasks, return_exceptions=True)

    def _unfinished(self, key: str) -> ExtractJob:
        """What a document still under way when the timeout ran out is reported as."""
        resume = "call extract_many again with the same arguments to resume"
        for job_id, watch in self.poller.watching.items():
            if watch.cache_key == key:
                message = f"still {watch.status} after {self.timeout:g} s; {resume}"
                return ExtractJob(id=job_id, status=watch.status, error_message=message)
        message = f"no job created yet after {self.timeout:g} s; {resume}"
        return ExtractJob(id="", status="PENDING", error_message=message)

    # --- starting documents ----------------------------------------------------------

    def _spawn(self, doc: BatchFile) -> None:
        self.poller.pending_starts += 1
        task = asyncio.create_task(self._start(doc))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _start(self, doc: BatchFile) -> None:
        key = self.keys[doc.sha256]
        try:
            async with self._slots:
                await self._resume_or_submit(key, doc)
        except _FATAL as exc:
            self.poller.fail(exc)
        except (LlamaExtractError, OSError) as exc:
            self._finish(key, doc, _unstarted_job(str(exc)))
        except Exception as exc:  # a bug: stop the batch and show it, the ledger keeps the state
            self.poller.fail(exc)
        finally:
            self.poller.pending_starts -= 1
            self.poller.wake()

    async def _resume_or_submit(self, key: str, doc: BatchFile) -> None:
        record = self.ledger.job(self.server, key)
        if record is not None and not self._starts_over(record):
            if record.status == "COMPLETED" and record.job_json is not None:
                self._finish(key, doc, ExtractJob.model_validate(record.job_json))
                return
            if record.status in TERMINAL_STATUSES:
                self._finish(key, doc, _failed_job(record))
                return
            if record.job_id is not None:
                self._watch(record.job_id, key, doc, record.status)
                return
            # An intent from a run that stopped: its create may have reached the server.
            await self._create(record, doc, maybe_sent=True)
            return
        await self._new_attempt(key, doc)

    def _starts_over(self, record: JobRecord) -> bool:
        """True when this record is not to be resumed: a new attempt is made instead.

        A job still under way is always resumed. A finished one is redone when this run is
        fresh and did not make it, or when it failed and ``retry_failed`` asks for it.
        """
        if record.status == LOST:
            return True
        if record.status not in TERMINAL_STATUSES:
            return False
        if self.fresh and record.run_id != self.current_run.run_id:
            return True
        return record.status != "COMPLETED" and self.retry_failed

    async def _upload(self, doc: BatchFile) -> str:
        """The file id of this content on this server, uploading it at most once."""
        record = self.ledger.upload(self.server, doc.sha256)
        if record is not None and record.file_id is not None:
            return record.file_id
        external_id = external_file_id(self.ledger, doc.sha256)
        if record is not None:  # an upload was in flight when an earlier run stopped
            await _settle(record.started_at)
            found = await create_once.find_upload(self.client, external_id)
            if found is not None:
                self.ledger.finish_upload(self.server, doc.sha256, found)
                return found
        self.ledger.begin_upload(self.server, doc.sha256, doc.size, doc.name, external_id)
        with doc.open() as stream:
            file_id = await create_once.upload_once(
                self.client, stream, external_id, filename=doc.name
            )
        self.ledger.finish_upload(self.server, doc.sha256, file_id)
        return file_id

    async def _new_attempt(self, key: str, doc: BatchFile, *, reupload: bool = True) -> None:
        """Upload (unless on the server already), record the intent, create the job."""
        file_id = await self._upload(doc)
        record = self.ledger.begin_job(
            self.server,
            key,
            batch_key=self.batch_key,
            sha256=doc.sha256,
            schema_hash=self.schema_hash,
            config_hash=self.config_hash,
            file_id=file_id,
            name=doc.name,
            run_id=self.current_run.run_id,
        )
        await self._create(record, doc, maybe_sent=False, reupload=reupload)

    async def _create(
        self, record: JobRecord, doc: BatchFile, *, maybe_sent: bool, reupload: bool = True
    ) -> None:
        """Turn an intent into a job; when it ``maybe_sent`` before, look for the job first."""
        maybe_sent = maybe_sent and record.status == INTENT
        if maybe_sent:
            await _settle(record.intent_at)
        matcher = _LedgerMatcher(self.ledger, record, self.configuration)
        try:
            job = await create_once.create_job_once(
                self.client, self.configuration, matcher, maybe_sent=maybe_sent
            )
        except NotFoundError as exc:
            # The server no longer has the file (expired, deleted): upload it again, once.
            self.ledger.end_attempt(self.server, record.cache_key, record.attempt, LOST, str(exc))
            self.ledger.forget_upload(self.server, doc.sha256)
            if not reupload:
                raise
            await self._new_attempt(record.cache_key, doc, reupload=False)
            return
        except APIStatusError as exc:
            if not isinstance(exc, _FATAL):
                message = str(exc)
                self.ledger.end_attempt(
                    self.server, record.cache_key, record.attempt, "FAILED", message
                )
            raise
        self._adopt(record, job, doc)

    def _adopt(self, record: JobRecord, job: ExtractJob, doc: BatchFile) -> None:
        self.ledger.set_job_id(self.server, record.cache_key, record.attempt, job.id, job.status)
        self._watch(job.id, record.cache_key, doc, job.status)

    # --- outcomes ----------------------------------------------------------------------

    def _watch(self, job_id: str, key: str, doc: BatchFile, status: str) -> None:
        self.poller.watch(job_id, key, doc, status)
        self._refresh()

    def _finish(self, key: str, doc: BatchFile, job: ExtractJob) -> None:
        self.outcomes[key] = job
        outcome = "COMPLETED" if job.status == "COMPLETED" else "failed"
        self._counts[outcome] += self.weight[doc.sha256]
        self._refresh()

    def _refresh(self) -> None:
        self._bar.update(
            done=self._counts["COMPLETED"],
            failed=self._counts["failed"],
            running=sum(self.weight[w.doc.sha256] for w in self.poller.watching.values()),
        )


async def _settle(sent_at: float) -> None:
    """Wait until a request sent at ``sent_at`` (epoch seconds) had :data:`SETTLE` s to land."""
    remaining = sent_at + SETTLE - time.time()
    if remaining > 0:
        await asyncio.sleep(remaining)


def _unstarted_job(message: str) -> ExtractJob:
    """A FAILED placeholder for a document that never got a job (upload or create refused)."""
    return ExtractJob(id="", status="FAILED", error_message=message)


def _failed_job(record: JobRecord) -> ExtractJob:
    """The failed (or cancelled) job as recorded, or as much as the ledger knows of it."""
    if record.job_json:
        return ExtractJob.model_validate(record.job_json)
    return ExtractJob(
        id=record.job_id or "",
        status=record.status,
        file_input=record.file_id,
        error_message=record.error_message,
    )
