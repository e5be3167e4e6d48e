"""The one job runner: upload, create, poll and cancel many documents, on the ledger.

``extract_many`` (:mod:`.batch`) and the Studio's Run both run their documents through
:class:`JobRunner`, which knows nothing of widgets: it reports what happens as
:class:`RunEvent` values to ``on_event`` and takes commands (:meth:`JobRunner.cancel`,
:meth:`JobRunner.cancel_all`).

Each document, ``concurrency`` at a time, is first looked up in the ledger (:mod:`.ledger`): a
completed result is answered from it at once (the cache: event ``from_cache``), a job still
running is polled again, a create whose outcome was never learned is looked up on the server.
Otherwise the file is uploaded (once per server and content) and a job created (each at most
once, :mod:`.create_once`), each recorded in the ledger *before* the request is sent. One
poller (:mod:`.job_poller`) follows every running job with one list request per tick.

Cancel never leaves a job behind: a document not yet created is simply stopped; while its
create is in flight (or a lost create is looked up) the runner waits for the job's id and
cancels it at once (or, when the look-up shows the create never landed, does not send it
again); after that it sends the cancel request. A cancelled job is made again by the next run.

Stopping the run (its task cancelled, or ``timeout`` s passed) cancels nothing on the server:
the ledger keeps every job, and the same run started again resumes them.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

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
from llamaextract_nb.client.batch_sources import BatchFile
from llamaextract_nb.client.errors import (
    APIStatusError,
    AuthenticationError,
    ConflictError,
    LlamaExtractError,
    NotFoundError,
    PaymentRequiredError,
    PermissionDeniedError,
)
from llamaextract_nb.client.job_poller import EXPAND, JobPoller, Watch
from llamaextract_nb.client.ledger import INTENT, LOST, JobRecord, Ledger, RunRecord
from llamaextract_nb.client.settings import DEFAULT_CONCURRENCY
from llamaextract_nb.gcpause import gc_paused

SETTLE = 3.0
"""Seconds a request sent just before a crash is given to reach the server before we look."""
FATAL = (AuthenticationError, PermissionDeniedError, PaymentRequiredError)
"""Failures no document can overcome: they stop the run (after reporting every document)."""

EventKind = Literal[
    "queued",
    "uploading",
    "created",
    "status",
    "finished",
    "failed",
    "cancelled",
    "from_cache",
    "timed_out",
]
_OUTCOME_EVENTS: dict[str, EventKind] = {"COMPLETED": "finished", "CANCELLED": "cancelled"}
FINAL_EVENTS = frozenset({"finished", "failed", "cancelled", "from_cache"})
"""Events after which a document has its outcome."""


@dataclass(frozen=True)
class RunEvent:
    """What happened to one document.

    ``kind``: ``queued`` (waiting for a slot), ``uploading`` (upload and create under way),
    ``created`` (a job exists: new, or resumed from the ledger), ``status`` (the job's status
    changed, or ``message`` says a look at it failed and will be tried again, '' once one
    succeeds), ``finished`` (COMPLETED), ``failed`` (FAILED, refused, or a final status the
    client does not know), ``cancelled``, ``from_cache`` (the ledger had its result), or
    ``timed_out`` (the run stopped waiting; the job goes on). ``status`` is the document's
    status after the event (``UPLOADING`` while uploading); ``job`` is set on final events.
    """

    kind: EventKind
    doc: BatchFile
    status: str
    job_id: str = ""
    job: ExtractJob | None = None
    message: str = ""


Listener = Callable[[RunEvent], None]


@dataclass(eq=False)
class _Document:
    """One unique document's progress through a run."""

    doc: BatchFile
    key: str
    job_id: str = ""
    outcome: ExtractJob | None = None
    task: asyncio.Task[None] | None = None
    creating: bool = False
    cancel_requested: bool = False
    side_tasks: set[asyncio.Task[None]] = field(default_factory=set)


class _Unread:
    """Marks a document whose ledger record is still to be read."""


_UNREAD = _Unread()


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


class JobRunner:
    """Runs ``documents`` with one ``configuration`` (see the module docstring).

    ``fresh=True`` makes new jobs even where the ledger has a result; a fresh run that did not
    finish is resumed by the next fresh run of the same documents. ``retry_failed=True``
    retries documents whose job FAILED. ``timeout``: seconds for :meth:`run` (None: until
    every document has its outcome); unfinished documents are then reported with their last
    status and ``resume_hint``.
    """

    def __init__(
        self,
        client: AsyncClient,
        ledger: Ledger,
        configuration: ExtractConfiguration,
        documents: Sequence[BatchFile],
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        fresh: bool = False,
        retry_failed: bool = False,
        timeout: float | None = None,
        on_event: Listener | None = None,
        resume_hint: str = "run it again to resume",
    ) -> None:
        self.client = client
        self.ledger = ledger
        self.configuration = configuration
        self.fresh = fresh
        self.retry_failed = retry_failed
        self.timeout = timeout
        self.resume_hint = resume_hint
        self.server = server_key(client.settings)
        self.schema_hash = digest(canonical_json(configuration.data_schema))
        self.config_hash = configuration_fingerprint(configuration)
        unique = {doc.sha256: doc for doc in documents}
        self.documents = {
            sha: _Document(doc, digest(sha, self.schema_hash, self.config_hash))
            for sha, doc in unique.items()
        }
        self.batch_key = digest(self.server, self.schema_hash, self.config_hash, *sorted(unique))
        self._listeners = [on_event] if on_event is not None else []
        self.poller = JobPoller(
            client,
            changed=self._changed,
            finished=lambda watch, job: self._settle(_owner(watch), job),
            lost=self._lost,
            trouble=self._trouble,
        )
        self._slots = asyncio.Semaphore(concurrency)
        self._attempts = client.settings.max_retries + 1
        """Sends and look-ups of one upload or create before its document fails."""
        self._run: RunRecord | None = None

    @property
    def outcomes(self) -> dict[str, ExtractJob]:
        """The outcome of every document that has one, by sha256."""
        return {sha: d.outcome for sha, d in self.documents.items() if d.outcome is not None}

    async def run(self, started: float | None = None) -> dict[str, ExtractJob]:
        """Run every document until each has its outcome or the timeout (counted from
        ``started``, a monotonic time; default now) runs out; every document's outcome by
        sha256 (a placeholder with the last status for unfinished ones). Raises what stopped
        the run (bad key, a poll the server refused)."""
        started = time.monotonic() if started is None else started
        self._run = self._open_run()
        poller = asyncio.create_task(self.poller.run())
        try:
            with gc_paused():  # thousands of results from the ledger at once
                keys = [d.key for d in self.documents.values()]
                known = self.ledger.latest_jobs(self.server, keys)
                for document in self.documents.values():
                    record = known.get(document.key)
                    if document.outcome is not None:  # cancelled before the run began
                        continue
                    if record is not None and self._cached(document, record):
                        continue
                    self._emit("queued", document, "PENDING")
                    self._spawn(document, record)
            remaining = None
            if self.timeout is not None:
                remaining = max(self.timeout - (time.monotonic() - started), 0.0)
            await asyncio.wait({poller}, timeout=remaining)
            if not poller.done():
                await self._stop(poller)
                self._time_up()
            elif poller.exception() is not None:
                await self._stop(poller)
                self._fail_unsettled(poller.exception())
                poller.result()
            else:
                await self._wait_side_tasks()
                self.ledger.finish_run(self._run.run_id)
        except BaseException:
            await self._stop(poller)
            raise
        return self.outcomes

    # --- commands ----------------------------------------------------------------------

    def cancel(self, sha256: str) -> None:
        """Cancel one document (by its sha256): stop it before its job exists, or cancel the
        job on the server (also after :meth:`run` returned, for a document that timed out)."""
        document = self.documents[sha256]
        if document.outcome is not None and not _timed_out(document):
            return
        document.cancel_requested = True
        if document.job_id:
            self._side_task(document, self._cancel_job(document))
        elif document.task is None or document.task.done():  # stopped before its create
            self._settle(document, ExtractJob(id="", status="CANCELLED"))
        elif not document.creating:
            document.task.cancel()
        # else: the create is in flight; _create cancels the job as soon as it has its id

    def cancel_all(self) -> None:
        """Cancel every document that has no outcome yet (see :meth:`cancel`)."""
        for sha, document in self.documents.items():
            if document.outcome is None or _timed_out(document):
                self.cancel(sha)

    async def _cancel_job(self, document: _Document) -> None:
        try:
            try:
                job = await self.client.jobs.cancel(document.job_id)
            except ConflictError:  # it finished first: report how
                job = await self.client.jobs.get(document.job_id, expand=EXPAND)
        except LlamaExtractError as exc:
            self._emit("status", document, "", message=f"cancel failed: {exc}")
            return
        if job.status in TERMINAL_STATUSES:
            self.poller.unwatch(job.id)
            self._settle(document, job)
        # else the poller goes on watching it until it ends

    # --- the run -----------------------------------------------------------------------

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
        tasks = [d.task for d in self.documents.values() if d.task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(poller, *tasks, return_exceptions=True)

    async def _wait_side_tasks(self) -> None:
        pending = [t for d in self.documents.values() for t in d.side_tasks if not t.done()]
        if pending:
            await asyncio.wait(pending)

    def _time_up(self) -> None:
        """Report every unfinished document with its last status; its job goes on."""
        for document in self.documents.values():
            if document.outcome is not None:
                continue
            watch = self.poller.watching.get(document.job_id)
            if watch is not None:
                status = watch.status.status or "PENDING"
                message = f"still {status} after {self.timeout:g} s; {self.resume_hint}"
            else:
                status = "PENDING"
                message = f"no job created yet after {self.timeout:g} s; {self.resume_hint}"
            document.outcome = ExtractJob(id=document.job_id, status=status, error_message=message)
            self._emit("timed_out", document, status, job=document.outcome, message=message)

    def _fail_unsettled(self, error: BaseException | None) -> None:
        for document in self.documents.values():
            if document.outcome is None:
                self._settle(document, _unstarted_job(readable(error)))

    # --- starting documents ------------------------------------------------------------

    def _spawn(self, document: _Document, record: JobRecord | _Unread | None = _UNREAD) -> None:
        """Start a document (``record``: its ledger record, when already read)."""
        self.poller.pending_starts += 1
        document.task = asyncio.create_task(self._start(document, record))

    def _cached(self, document: _Document, record: JobRecord) -> bool:
        """Answer a document from the ledger when it holds the result; True if it did."""
        if record.status != "COMPLETED" or record.job_json is None or self._starts_over(record):
            return False
        self._settle(document, ExtractJob.model_validate(record.job_json), kind="from_cache")
        return True

    async def _start(self, document: _Document, record: JobRecord | _Unread | None) -> None:
        try:
            async with self._slots:
                if isinstance(record, _Unread):
                    record = self.ledger.job(self.server, document.key)
                await self._resume_or_submit(document, record)
        except asyncio.CancelledError:
            if document.cancel_requested and document.outcome is None:
                self._settle(document, ExtractJob(id="", status="CANCELLED"))
            raise
        except create_once.Withdrawn:  # cancelled, and the lost create never landed
            self._settle(document, ExtractJob(id="", status="CANCELLED"))
        except FATAL as exc:
            self.poller.fail(exc)
        except (LlamaExtractError, OSError) as exc:
            self._settle(document, _unstarted_job(readable(exc)))
        except Exception as exc:  # a bug: stop the run and show it, the ledger keeps the state
            self.poller.fail(exc)
        finally:
            self.poller.pending_starts -= 1
            self.poller.wake()

    async def _resume_or_submit(self, document: _Document, record: JobRecord | None) -> None:
        assert self._run is not None
        if record is not None and not self._starts_over(record):
            if self._cached(document, record):
                return
            if _recorded_final(record):
                self._settle(document, _failed_job(record))
                return
            if record.job_id is not None:
                self._watch(document, record.job_id, record.status, resumed=True)
                return
            # An intent from a run that stopped: its create may have reached the server.
            self._emit("uploading", document, "UPLOADING")
            await self._create(record, document, maybe_sent=True)
            return
        self._emit("uploading", document, "UPLOADING")
        await self._new_attempt(document)

    def _starts_over(self, record: JobRecord) -> bool:
        """True when this record is not to be resumed: a new attempt is made instead.

        A job still under way is always resumed. A finished one is redone when it was
        cancelled, when this run is fresh and did not make it, or when it failed and
        ``retry_failed`` asks for it.
        """
        assert self._run is not None
        if record.status in (LOST, "CANCELLED"):
            return True
        if not _recorded_final(record):
            return False
        if self.fresh and record.run_id != self._run.run_id:
            return True
        return record.status != "COMPLETED" and self.retry_failed

    async def _upload(self, doc: BatchFile) -> str:
        """The file id of this content on this server, uploading it at most once."""
        record = self.ledger.upload(self.server, doc.sha256)
        if record is not None and record.file_id is not None:
            return record.file_id
        external_id = external_file_id(self.ledger, doc.sha256)
        if record is not None:  # an upload was in flight when an earlier run stopped
            await _settle_time(record.started_at)
            found = await create_once.find_upload(self.client, external_id)
            if found is not None:
                self.ledger.finish_upload(self.server, doc.sha256, found)
                return found
        self.ledger.begin_upload(self.server, doc.sha256, doc.size, doc.name, external_id)
        with doc.open() as stream:
            file_id = await create_once.upload_once(
                self.client, stream, external_id, filename=doc.name, attempts=self._attempts
            )
        self.ledger.finish_upload(self.server, doc.sha256, file_id)
        return file_id

    async def _new_attempt(self, document: _Document, *, reupload: bool = True) -> None:
        """Upload (unless on the server already), record the intent, create the job."""
        assert self._run is not None
        doc = document.doc
        file_id = await self._upload(doc)
        record = self.ledger.begin_job(
            self.server,
            document.key,
            batch_key=self.batch_key,
            sha256=doc.sha256,
            schema_hash=self.schema_hash,
            config_hash=self.config_hash,
            file_id=file_id,
            name=doc.name,
            run_id=self._run.run_id,
        )
        await self._create(record, document, maybe_sent=False, reupload=reupload)

    async def _create(
        self, record: JobRecord, document: _Document, *, maybe_sent: bool, reupload: bool = True
    ) -> None:
        """Turn an intent into a job; when it ``maybe_sent`` before, look for the job first."""
        maybe_sent = maybe_sent and record.status == INTENT
        if maybe_sent:
            await _settle_time(record.intent_at)
        if document.cancel_requested and not maybe_sent:  # pressed before the create was sent
            message = "cancelled before its create was sent"
            self.ledger.end_attempt(
                self.server, record.cache_key, record.attempt, "CANCELLED", message
            )
            raise create_once.Withdrawn()
        matcher = _LedgerMatcher(self.ledger, record, self.configuration)
        document.creating = True
        try:
            job = await create_once.create_job_once(
                self.client,
                self.configuration,
                matcher,
                maybe_sent=maybe_sent,
                attempts=self._attempts,
                withdrawn=lambda: document.cancel_requested,
            )
        except NotFoundError as exc:
            # The server no longer has the file (expired, deleted): upload it again, once.
            self.ledger.end_attempt(self.server, record.cache_key, record.attempt, LOST, str(exc))
            self.ledger.forget_upload(self.server, document.doc.sha256)
            if not reupload:
                raise
            document.creating = False
            await self._new_attempt(document, reupload=False)
            return
        except create_once.Withdrawn as exc:
            self.ledger.end_attempt(
                self.server, record.cache_key, record.attempt, "CANCELLED", str(exc)
            )
            raise
        except APIStatusError as exc:
            if not isinstance(exc, FATAL):
                self.ledger.end_attempt(
                    self.server, record.cache_key, record.attempt, "FAILED", str(exc)
                )
            raise
        finally:
            document.creating = False
        self.ledger.set_job_id(self.server, record.cache_key, record.attempt, job.id, job.status)
        self._watch(document, job.id, job.status, resumed=False)
        if document.cancel_requested:  # pressed while the create was in flight
            self._side_task(document, self._cancel_job(document))

    # --- outcomes ----------------------------------------------------------------------

    def _watch(self, document: _Document, job_id: str, status: str, *, resumed: bool) -> None:
        document.job_id = job_id
        self.poller.watch(job_id, document, status)
        message = "resumed: the job was created by an earlier run" if resumed else ""
        self._emit("created", document, status, message=message)

    def _changed(self, watch: Watch, job: ExtractJob) -> None:
        self.ledger.update_job(self.server, job.id, job.status)
        self._emit("status", _owner(watch), job.status)

    def _trouble(self, watch: Watch, error: Exception | None) -> None:
        message = "" if error is None else f"checking the job failed, will try again: {error}"
        self._emit("status", _owner(watch), watch.status.status or "PENDING", message=message)

    def _lost(self, watch: Watch) -> None:
        """The server no longer knows the job: the document starts over."""
        self.ledger.update_job(self.server, watch.job_id, LOST, error_message="not on the server")
        document = _owner(watch)
        document.job_id = ""
        self._spawn(document)

    def _settle(self, document: _Document, job: ExtractJob, kind: EventKind | None = None) -> None:
        """Record and report a document's outcome."""
        if document.outcome is not None and not _timed_out(document):
            return
        if job.id and kind is None:
            self.ledger.update_job(
                self.server, job.id, job.status, error_message=job.error_message, job_json=job.raw
            )
        document.outcome = job
        document.job_id = job.id or document.job_id
        if kind is None:
            kind = _OUTCOME_EVENTS.get(job.status, "failed")
        self._emit(kind, document, job.status, job=job, message=job.error_message or "")

    def _side_task(self, document: _Document, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(work)
        document.side_tasks.add(task)
        task.add_done_callback(document.side_tasks.discard)

    def _emit(
        self,
        kind: EventKind,
        document: _Document,
        status: str,
        *,
        job: ExtractJob | None = None,
        message: str = "",
    ) -> None:
        event = RunEvent(kind, document.doc, status, document.job_id, job, message)
        for listener in self._listeners:
            listener(event)


def _owner(watch: Watch) -> _Document:
    owner = watch.owner
    assert isinstance(owner, _Document)
    return owner


def _timed_out(document: _Document) -> bool:
    """True when the document's outcome is only the placeholder of a run that timed out."""
    outcome = document.outcome
    return outcome is not None and outcome.status not in TERMINAL_STATUSES


def _recorded_final(record: JobRecord) -> bool:
    """True when the ledger holds the attempt's outcome (a final status, or its final JSON)."""
    return record.status in TERMINAL_STATUSES or record.job_json is not None


async def _settle_time(sent_at: float) -> None:
    """Wait until a request sent at ``sent_at`` (epoch seconds) had :data:`SETTLE` s to land."""
    remaining = sent_at + SETTLE - time.time()
    if remaining > 0:
        await asyncio.sleep(remaining)


def readable(error: BaseException | None) -> str:
    """An error as a user reads it: the message of ours, the type and message of others."""
    if isinstance(error, LlamaExtractError):
        return str(error)
    return f"{type(error).__name__}: {error}"


def _unstarted_job(message: str) -> ExtractJob:
    """A FAILED placeholder for a document that never got a job (upload or create refused)."""
    return ExtractJob(id="", status="FAILED", error_message=message)


def _failed_job(record: JobRecord) -> ExtractJob:
    """The failed job as recorded, or as much as the ledger knows of it."""
    if record.job_json:
        return ExtractJob.model_validate(record.job_json)
    return ExtractJob(
        id=record.job_id or "",
        status=record.status,
        file_input=record.file_id,
        error_message=record.error_message,
    )
