"""``extract_many``: many documents, one call, one DataFrame; resumable and fault tolerant.

How a batch runs (:class:`_Batch`):

1. The files are expanded and hashed (:mod:`.batch_sources`); identical content is one job.
2. Each document, ``concurrency`` at a time: the ledger (:mod:`.ledger`) is asked first: a
   completed result is returned from it at once (the cache), a job still running is polled, a
   create whose outcome was never learned is looked up on the server. Otherwise the file is
   uploaded (once per server and content) and a job created, each recorded in the ledger
   *before* the request is sent and completed after.
3. One poller watches every running job with the list endpoint's ``job_ids`` filter, up to
   :data:`POLL_CHUNK` jobs per request, asking for ``extract_metadata`` so a finished job needs
   no further request. It polls every :data:`POLL_FIRST` s while things change and backs off
   to :data:`POLL_MAX` s while nothing does.

Uploads and creates are never retried blindly (:mod:`.create_once`): after a failure that may
have reached the server (connection lost, 5xx, 429) the file is looked up by its
``external_file_id``, and the job by ``file_input``, creation time and configuration, before
anything is sent again. So a flaky network or a killed kernel never makes a second upload or a
second job.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import math
import os
import threading
import time
from collections import Counter
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from llamaextract_nb.api.models import TERMINAL_STATUSES, ExtractConfiguration, ExtractJob
from llamaextract_nb.client import create_once
from llamaextract_nb.client.async_client import AsyncClient
from llamaextract_nb.client.batch_sources import BatchFile, collect_files
from llamaextract_nb.client.configuration import build_configuration
from llamaextract_nb.client.errors import (
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    LlamaExtractError,
    NotFoundError,
    PaymentRequiredError,
    PermissionDeniedError,
)
from llamaextract_nb.client.ledger import INTENT, LOST, JobRecord, Ledger, RunRecord
from llamaextract_nb.client.progress import BatchProgress
from llamaextract_nb.client.settings import Settings
from llamaextract_nb.results import BatchResult, ExtractResult

T = TypeVar("T")
log = logging.getLogger("llamaextract_nb.batch")

DEFAULT_CONCURRENCY = 8
POLL_CHUNK = 100
"""Job ids per list request (about 5 KB of query string)."""
POLL_FIRST = 0.25
POLL_MAX = 3.0
POLL_GROWTH = 1.5
SETTLE = 3.0
"""Seconds a request sent just before a crash is given to reach the server before we look."""
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_FATAL = (AuthenticationError, PermissionDeniedError, PaymentRequiredError)


def extract_many(client: Any, files: Any, schema: Any, **kwargs: Any) -> BatchResult:
    """Extract ``schema`` from many documents with a sync :class:`Client`; see
    :func:`aextract_many` for the arguments.

    Runs the async batch on a fresh event loop; inside a running loop (Jupyter) it runs on a
    worker thread and this call blocks until the batch ends. Interrupting the kernel stops the
    batch; calling it again resumes from the ledger.
    """

    async def main() -> BatchResult:
        aclient: AsyncClient = client.to_async()
        try:
            return await aextract_many(aclient, files, schema, **kwargs)
        finally:
            await aclient.close()

    return _run_to_completion(main())


async def aextract_many(
    client: AsyncClient,
    files: Any,
    schema: Any,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    ledger: Ledger | str | os.PathLike[str] | None = None,
    fresh: bool = False,
    retry_failed: bool = False,
    progress: bool = True,
    timeout: float | None = None,
    **options: Any,
) -> BatchResult:
    """Extract ``schema`` from every document in ``files`` and return one :class:`BatchResult`.

    ``files``: paths, folders, globs (``"docs/*.pdf"``) or ipywidgets ``FileUpload`` values, alone
    or in a list. ``concurrency``: uploads and creates in flight at once. ``ledger``: a
    :class:`Ledger` or the path of its SQLite file (default ``./.llamaextract-ledger.sqlite``);
    calling again with the same files, schema and options resumes or returns cached results.
    ``fresh=True`` extracts again even where a result is cached; a ``fresh=True`` call that
    did not finish (killed, interrupted, timed out) is resumed by the next ``fresh=True`` call
    of the same batch (same files, schema and options): the results it completed are used and
    its jobs polled, so nothing is paid twice; once a call finishes, the next ``fresh=True``
    call starts anew. ``retry_failed=True`` retries documents whose job failed (otherwise they
    are reported with their error). ``progress`` shows a bar with done / failed / running
    counts. ``timeout``: seconds for the whole call (None: wait until every job ends); when
    they run out the call returns at once, the jobs keep running on the server and the ledger
    keeps them, and each unfinished document is reported with its last status (PENDING /
    RUNNING ...) and an error saying so (see :attr:`BatchResult.failures`): calling again with
    the same arguments resumes. ``options`` are configuration options (``tier``,
    ``cite_sources``, ``extraction_target`` ...).
    """
    started = time.monotonic()
    if not isinstance(client, AsyncClient):
        raise TypeError(
            f"aextract_many needs an AsyncClient, not {type(client).__name__}; "
            "with a Client call client.extract_many(...)"
        )
    if not isinstance(concurrency, int) or concurrency < 1:
        raise ValueError(f"concurrency must be a whole number of at least 1 (got {concurrency!r})")
    _check_timeout(timeout)
    configuration = build_configuration(schema, **options)
    documents = await asyncio.to_thread(collect_files, files)
    book = ledger if isinstance(ledger, Ledger) else Ledger(ledger)
    try:
        batch = _Batch(
            client,
            book,
            configuration,
            documents,
            concurrency=concurrency,
            fresh=fresh,
            retry_failed=retry_failed,
            progress=progress,
            timeout=timeout,
        )
        outcomes = await batch.run(started)
    finally:
        if book is not ledger:
            book.close()
    return BatchResult(
        ExtractResult(
            outcomes[batch.keys[doc.sha256]],
            source=doc.path if doc.path is not None else doc.content,
            name=doc.label,
            schema=configuration.data_schema,
            target=configuration.extraction_target,
        )
        for doc in documents
    )


# --- identities ------------------------------------------------------------------------


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no spaces: equal values give equal text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest(*parts: str) -> str:
    """sha256 hex of the parts joined by newlines."""
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def server_key(settings: Settings) -> str:
    """What scopes ledger rows, so that ids from one server (or project) are not used on another.

    A server on this machine is keyed without its port: the embedded server comes back on a new
    port after a kernel restart, with the same data. Should it be another local server, its
    404s for unknown ids make the batch upload and create again (see ``LOST``).
    """
    url = httpx.URL(settings.base_url)
    where = settings.base_url
    if url.host in _LOOPBACK_HOSTS:
        where = f"{url.scheme}://loopback{url.path.rstrip('/')}"
    return f"{where}|project={settings.project_id or ''}|org={settings.organization_id or ''}"


def external_file_id(ledger: Ledger, sha256: str) -> str:
    """The ``external_file_id`` a ledger's upload of this content is sent with.

    It names the ledger, so every file a ledger uploads is its own: a job found on that file
    and missing from the ledger can only come from one of its own ambiguous creates.
    """
    return f"{create_once.EXTERNAL_ID_PREFIX}{ledger.ledger_id}:{sha256}"


def configuration_fingerprint(configuration: ExtractConfiguration) -> str:
    """Hash of every option except the schema, defaults filled (so explicit == default)."""
    options = configuration.model_dump(mode="json")
    options.pop("data_schema", None)
    return digest(canonical_json(options))


# --- the batch -------------------------------------------------------------------------


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


@dataclass
class _Watch:
    cache_key: str
    doc: BatchFile
    status: str


class _Batch:
    """One run of :func:`aextract_many` (see the module docstring)."""

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
        self.watching: dict[str, _Watch] = {}
        self._slots = asyncio.Semaphore(concurrency)
        self._starting = 0
        self._fatal: BaseException | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()
        self._bar = BatchProgress(len(documents), enabled=progress)
        self.current_run = self._open_run()

    async def run(self, started: float) -> dict[str, ExtractJob]:
        """Start every document, poll until all are finished or the timeout (counted from
        ``started``, a monotonic time) runs out; outcomes by cache key."""
        poller = asyncio.create_task(self._poll())
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
        """This call's run: a fresh call resumes the last run of this batch when that was
        fresh and did not finish (killed, interrupted, timed out), else a new run starts."""
        last = self.ledger.last_run(self.batch_key)
        if self.fresh and last is not None and last.fresh and last.finished_at is None:
            return last
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
        for job_id, watch in self.watching.items():
            if watch.cache_key == key:
                message = f"still {watch.status} after {self.timeout:g} s; {resume}"
                return ExtractJob(id=job_id, status=watch.status, error_message=message)
        message = f"no job created yet after {self.timeout:g} s; {resume}"
        return ExtractJob(id="", status="PENDING", error_message=message)

    # --- starting documents ----------------------------------------------------------

    def _spawn(self, doc: BatchFile) -> None:
        self._starting += 1
        task = asyncio.create_task(self._start(doc))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _start(self, doc: BatchFile) -> None:
        key = self.keys[doc.sha256]
        try:
            async with self._slots:
                await self._resume_or_submit(key, doc)
        except _FATAL as exc:
            self._fatal = exc
        except (LlamaExtractError, OSError) as exc:
            self._finish(key, doc, _unstarted_job(str(exc)))
        except Exception as exc:  # a bug: stop the batch and show it, the ledger keeps the state
            self._fatal = exc
        finally:
            self._starting -= 1
            self._wake.set()

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

    # --- watching jobs ---------------------------------------------------------------

    def _watch(self, job_id: str, key: str, doc: BatchFile, status: str) -> None:
        self.watching[job_id] = _Watch(key, doc, status)
        self._wake.set()
        self._refresh()

    def _finish(self, key: str, doc: BatchFile, job: ExtractJob) -> None:
        self.outcomes[key] = job
        outcome = "COMPLETED" if job.status == "COMPLETED" else "failed"
        self._counts[outcome] += self.weight[doc.sha256]
        self._refresh()

    async def _poll(self) -> None:
        interval = POLL_FIRST
        while True:
            if self._fatal is not None:
                raise self._fatal
            if not self.watching:
                if self._starting == 0:
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
        for start in range(0, len(ids), POLL_CHUNK):
            chunk = ids[start : start + POLL_CHUNK]
            seen: set[str] = set()
            token: str | None = None
            while True:
                page = await self.client.jobs.list_page(
                    job_ids=chunk,
                    expand="extract_metadata",
                    page_size=len(chunk),
                    page_token=token,
                )
                for job in page.items:
                    seen.add(job.id)
                    changed |= self._observe(job)
                token = page.next_page_token or None
                if token is None:
                    break
            for job_id in set(chunk) - seen:
                changed |= await self._check_missing(job_id)
        self._refresh()
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
            self._finish(watch.cache_key, watch.doc, job)
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
            self._spawn(watch.doc)
            return True
        return self._observe(job)

    def _refresh(self) -> None:
        self._bar.update(
            done=self._counts["COMPLETED"],
            failed=self._counts["failed"],
            running=sum(self.weight[w.doc.sha256] for w in self.watching.values()),
        )


# --- helpers -----------------------------------------------------------------------------


async def _settle(sent_at: float) -> None:
    """Wait until a request sent at ``sent_at`` (epoch seconds) had :data:`SETTLE` s to land."""
    remaining = sent_at + SETTLE - time.time()
    if remaining > 0:
        await asyncio.sleep(remaining)


def _check_timeout(timeout: object) -> None:
    if timeout is None:
        return
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        raise TypeError(
            f"timeout must be a number of seconds or None (got {type(timeout).__name__})"
        )
    if not 0 < timeout < math.inf:
        raise ValueError(
            f"timeout must be a positive number of seconds, or None to wait until every job "
            f"ends (got {timeout!r})"
        )


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


def _run_to_completion(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` to its end from sync code, also when an event loop already runs here."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    outcome: list[T] = []
    failure: list[BaseException] = []
    loop = asyncio.new_event_loop()
    task_holder: list[asyncio.Task[T]] = []

    def worker() -> None:
        asyncio.set_event_loop(loop)
        task = loop.create_task(coroutine)
        task_holder.append(task)
        try:
            outcome.append(loop.run_until_complete(task))
        except BaseException as exc:
            failure.append(exc)
        finally:
            loop.close()

    thread = threading.Thread(target=worker, name="llamaextract-batch", daemon=True)
    thread.start()
    try:
        while thread.is_alive():
            thread.join(0.1)
    except KeyboardInterrupt:
        if task_holder:
            loop.call_soon_threadsafe(task_holder[0].cancel)
        thread.join(30)
        raise
    if failure:
        raise failure[0]
    return outcome[0]


__all__ = ["aextract_many", "extract_many"]
