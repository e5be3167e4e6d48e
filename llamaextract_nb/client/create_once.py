"""Upload a file or create a job at most once, over a network that may lose answers.

An upload or a create is not idempotent: sent again after a lost answer it makes a second
file or a second (billed) job. So these requests go out with no automatic retry, and after a
failure that may have reached the server (connection lost, 408, 409, 429, 5xx) the server is
asked whether the work was done before anything is sent again:

* a file by the ``external_file_id`` it was uploaded under (:func:`new_external_file_id`);
* a job by ``file_input``, creation time (send time minus :data:`CLOCK_SKEW`) and its
  configuration (:class:`JobMatcher`), never one another create of this process received
  or took (:mod:`.create_registry`).

:func:`upload_once` / :func:`create_job_once` (async) and their ``_sync`` twins are what the
batch uses; :func:`start_extraction` and its twin are the first half of ``extract()``.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Awaitable, Callable, Collection, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from llamaextract_nb.api.models import ExtractConfiguration, ExtractJob, File
from llamaextract_nb.client import _timing, endpoints
from llamaextract_nb.client.create_registry import (
    CREATES,
    SIBLING_POLL,
    SIBLING_WAIT,
    FileCreates,
)
from llamaextract_nb.client.endpoints import FileFilters, JobFilters
from llamaextract_nb.client.errors import (
    APIConnectionError,
    APIStatusError,
    LlamaExtractError,
    RateLimitError,
)
from llamaextract_nb.client.retry import backoff, is_retryable_status
from llamaextract_nb.client.uploads import existing_file_id, open_upload

if TYPE_CHECKING:
    from llamaextract_nb.client.async_client import AsyncClient
    from llamaextract_nb.client.sync_client import Client

T = TypeVar("T")

POST_ATTEMPTS = 10
"""Attempts (sends and look-ups) at one upload or one create before giving up."""
CLOCK_SKEW = 300.0
"""Seconds subtracted from our clock when looking a job up by its creation time."""
EXTERNAL_ID_PREFIX = "llamaextract-nb:"
_FAILURES = (APIConnectionError, APIStatusError)


def new_external_file_id() -> str:
    """A fresh ``external_file_id`` that finds one upload again: ``llamaextract-nb:<uuid4>``."""
    return f"{EXTERNAL_ID_PREFIX}{uuid.uuid4()}"


def transient(error: LlamaExtractError) -> bool:
    """Failures worth another try (after a look-up): lost connections, 408, 409, 429, 5xx."""
    if isinstance(error, APIConnectionError):
        return True
    if isinstance(error, APIStatusError):
        return is_retryable_status(error.status_code) or error.status_code == 409
    return False


def retry_delay(retry_index: int, error: LlamaExtractError | None) -> float:
    """The server's ``Retry-After`` when it gave one, else jittered backoff (>= 1 s on 429)."""
    if isinstance(error, APIStatusError) and error.retry_after is not None:
        return error.retry_after
    delay = backoff(min(retry_index, 4))
    return max(delay, 1.0) if isinstance(error, RateLimitError) else delay


class Withdrawn(LlamaExtractError):
    """Not sent again: the caller withdrew the request, and it had not taken effect."""

    def __init__(self) -> None:
        super().__init__("withdrawn: the request had not reached the service")


class _Tries:
    """The failures of one upload or create so far."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError(f"attempts must be at least 1 (got {limit!r})")
        self.limit = limit
        self.count = 0

    def failed(self, error: APIConnectionError | APIStatusError) -> float:
        """Seconds to wait before looking up; re-raises ``error`` when it is final."""
        self.count += 1
        if not transient(error) or self.count >= self.limit:
            raise error
        return retry_delay(self.count - 1, error)


async def post_once(
    send: Callable[[], Awaitable[T]],
    look: Callable[[], Awaitable[T | None]],
    *,
    maybe_sent: bool = False,
    attempts: int = POST_ATTEMPTS,
    withdrawn: Callable[[], bool] = lambda: False,
) -> T:
    """``send`` a non-idempotent request; after a failure that may have reached the server,
    ``look`` for its effect before sending again (first of all when ``maybe_sent``). When
    ``withdrawn()`` holds once the look-up found nothing, raises :class:`Withdrawn` instead."""
    tries = _Tries(attempts)
    while True:
        if maybe_sent:
            try:
                found = await look()
            except _FAILURES as exc:
                await _timing.asleep(tries.failed(exc))
                continue
            if found is not None:
                return found
            if withdrawn():
                raise Withdrawn()
        try:
            return await send()
        except _FAILURES as exc:
            delay = tries.failed(exc)
        maybe_sent = True
        await _timing.asleep(delay)


def post_once_sync(
    send: Callable[[], T],
    look: Callable[[], T | None],
    *,
    maybe_sent: bool = False,
    attempts: int = POST_ATTEMPTS,
) -> T:
    """The blocking twin of :func:`post_once`."""
    tries = _Tries(attempts)
    while True:
        if maybe_sent:
            try:
                found = look()
            except _FAILURES as exc:
                _timing.sleep(tries.failed(exc))
                continue
            if found is not None:
                return found
        try:
            return send()
        except _FAILURES as exc:
            delay = tries.failed(exc)
        maybe_sent = True
        _timing.sleep(delay)


# --- files -----------------------------------------------------------------------------------


def _upload_filters(external_id: str) -> FileFilters:
    return {"external_file_id": external_id, "page_size": 10}


def _pick_upload(files: Iterable[File], external_id: str) -> str | None:
    for file in files:
        if file.external_file_id == external_id:
            return str(file.id)
    return None


async def find_upload(client: AsyncClient, external_id: str) -> str | None:
    """The id of the file uploaded under ``external_id``, if the server has one."""
    page = await client.files.list_page(**_upload_filters(external_id))
    return _pick_upload(page.items, external_id)


def find_upload_sync(client: Client, external_id: str) -> str | None:
    """The blocking twin of :func:`find_upload`."""
    page = client.files.list_page(**_upload_filters(external_id))
    return _pick_upload(page.items, external_id)


async def upload_once(
    client: AsyncClient,
    file: Any,
    external_id: str,
    *,
    filename: str | None = None,
    maybe_sent: bool = False,
    attempts: int = POST_ATTEMPTS,
) -> str:
    """Upload ``file`` under ``external_id`` at most once; its file id."""
    with open_upload(file, filename) as source:
        call = endpoints.upload_file(source, external_file_id=external_id)

        async def send() -> str:
            return (await client._send(call, retry=False)).id

        return await post_once(
            send, lambda: find_upload(client, external_id), maybe_sent=maybe_sent, attempts=attempts
        )


def upload_once_sync(
    client: Client,
    file: Any,
    external_id: str,
    *,
    filename: str | None = None,
    attempts: int = POST_ATTEMPTS,
) -> str:
    """The blocking twin of :func:`upload_once`."""
    with open_upload(file, filename) as source:
        call = endpoints.upload_file(source, external_file_id=external_id)
        return post_once_sync(
            lambda: client._send(call, retry=False).id,
            lambda: find_upload_sync(client, external_id),
            attempts=attempts,
        )


# --- jobs ------------------------------------------------------------------------------------


def comparable(configuration: ExtractConfiguration) -> dict[str, Any]:
    """The declared options but ``version`` (a server resolves ``latest`` to a release)."""
    options = configuration.model_dump(mode="json")
    return {k: options.get(k) for k in ExtractConfiguration.model_fields if k != "version"}


class JobMatcher:
    """Recognises, among the jobs on one file, the one a create request of ours made.

    A candidate was created on ``file_id`` no earlier than ``sent_at`` minus
    :data:`CLOCK_SKEW` and is not :meth:`excluded` (known to be another's). Of those, one
    whose configuration equals ours is taken; when :meth:`sole_create` holds (nobody else
    creates jobs on this file) any candidate is, since a server may echo the configuration
    normalised. Subclasses draw both answers from elsewhere (the batch: from its ledger).
    """

    def __init__(
        self,
        file_id: str,
        configuration: ExtractConfiguration,
        sent_at: float,
        *,
        excluded: Collection[str] = (),
        sole_create: bool = False,
    ) -> None:
        self.file_id = file_id
        self.configuration = configuration
        self.sent_at = sent_at
        self._excluded = frozenset(excluded)
        self._sole_create = sole_create

    def excluded(self) -> Collection[str]:
        """Ids of jobs on the file known not to come from our create."""
        return self._excluded

    def sole_create(self) -> bool:
        """True when every candidate job on the file can only come from our create."""
        return self._sole_create

    def filters(self) -> JobFilters:
        """The ``jobs.list`` filters that return the candidates (with their configuration)."""
        return {**_jobs_since(self.file_id, self.sent_at), "expand": "configuration"}

    def pick(self, jobs: Iterable[ExtractJob]) -> ExtractJob | None:
        """The earliest matching job among ``jobs``, or None."""
        excluded = self.excluded()
        unknown = [job for job in jobs if job.id not in excluded]
        wanted = comparable(self.configuration)
        same = [
            job
            for job in unknown
            if job.configuration is not None and comparable(job.configuration) == wanted
        ]
        if not same and self.sole_create():
            same = unknown
        return min(same, key=lambda job: job.created_at or "") if same else None


async def find_job(
    client: AsyncClient, matcher: JobMatcher, shared: FileCreates | None = None
) -> ExtractJob | None:
    """The job ``matcher`` recognises, if the server has one; with ``shared``, one no other
    create of this process claimed, listed once their requests on the file were answered."""
    if shared is None:
        return matcher.pick([job async for job in client.jobs.list(**matcher.filters())])
    deadline = _timing.monotonic() + SIBLING_WAIT
    while True:
        while shared.busy() and _timing.monotonic() < deadline:
            await _timing.asleep(SIBLING_POLL)
        jobs = [job async for job in client.jobs.list(**matcher.filters())]
        decided, job = shared.take(matcher, jobs, wait=_timing.monotonic() < deadline)
        if decided:
            return job


def find_job_sync(
    client: Client, matcher: JobMatcher, shared: FileCreates | None = None
) -> ExtractJob | None:
    """The blocking twin of :func:`find_job`."""
    if shared is None:
        return matcher.pick(client.jobs.list(**matcher.filters()))
    deadline = _timing.monotonic() + SIBLING_WAIT
    while True:
        while shared.busy() and _timing.monotonic() < deadline:
            _timing.sleep(SIBLING_POLL)
        jobs = list(client.jobs.list(**matcher.filters()))
        decided, job = shared.take(matcher, jobs, wait=_timing.monotonic() < deadline)
        if decided:
            return job


def _jobs_since(file_id: str, sent_at: float) -> JobFilters:
    since = dt.datetime.fromtimestamp(sent_at - CLOCK_SKEW, tz=dt.timezone.utc)
    return {"file_input": file_id, "created_at_on_or_after": since}


async def jobs_before(client: AsyncClient, file_id: str, sent_at: float) -> set[str]:
    """Ids of the jobs a :class:`JobMatcher` for a create sent at ``sent_at`` would consider,
    listed *before* sending it: on a file others may use too, these are not ours."""
    return {job.id async for job in client.jobs.list(**_jobs_since(file_id, sent_at))}


def jobs_before_sync(client: Client, file_id: str, sent_at: float) -> set[str]:
    """The blocking twin of :func:`jobs_before`."""
    return {job.id for job in client.jobs.list(**_jobs_since(file_id, sent_at))}


async def create_job_once(
    client: AsyncClient,
    configuration: ExtractConfiguration,
    matcher: JobMatcher,
    *,
    maybe_sent: bool = False,
    attempts: int = POST_ATTEMPTS,
    withdrawn: Callable[[], bool] = lambda: False,
) -> ExtractJob:
    """Create a job on ``matcher.file_id`` at most once (see the module docstring); no other
    create of this process on the file ends up with the same job (:mod:`.create_registry`).
    Raises :class:`Withdrawn` rather than send it again once ``withdrawn()`` holds."""
    call = endpoints.create_job(matcher.file_id, configuration)
    with CREATES.creating(client.settings.base_url, matcher.file_id) as shared:

        async def send() -> ExtractJob:
            with shared.sending():
                job = await client._send(call, retry=False)
                shared.claim(job)
            return job

        return await post_once(
            send,
            lambda: find_job(client, matcher, shared),
            maybe_sent=maybe_sent,
            attempts=attempts,
            withdrawn=withdrawn,
        )


def create_job_once_sync(
    client: Client,
    configuration: ExtractConfiguration,
    matcher: JobMatcher,
    *,
    attempts: int = POST_ATTEMPTS,
) -> ExtractJob:
    """The blocking twin of :func:`create_job_once`."""
    call = endpoints.create_job(matcher.file_id, configuration)
    with CREATES.creating(client.settings.base_url, matcher.file_id) as shared:

        def send() -> ExtractJob:
            with shared.sending():
                job = client._send(call, retry=False)
                shared.claim(job)
            return job

        return post_once_sync(
            send, lambda: find_job_sync(client, matcher, shared), attempts=attempts
        )


# --- extract() -------------------------------------------------------------------------------


async def start_extraction(
    client: AsyncClient, file: Any, configuration: ExtractConfiguration, filename: str | None
) -> ExtractJob:
    """Upload ``file`` (unless it is a File or ``dfl-``/``pjb-`` id) and create its job, each
    at most once, trying up to the client's ``max_retries`` + 1 times.

    Our own upload is tagged with a fresh external id, so any job on it is ours; on an
    existing file the jobs already there are listed first (one request), and excluded.

    Why list before every create on an existing file, not only after a failure: telling an
    older job from ours afterwards needs the server's time at our send, and a job carries no
    mark of ours. The ``Date`` header has whole seconds and may come from a proxy's clock
    rather than the one stamping ``created_at``; a v2 File has no ``created_at``; our own
    clock may be minutes off (:data:`CLOCK_SKEW`). A bound drawn from these either leaves the
    jobs of the last second or so adoptable or, set later, can exclude our own job and so
    create a second one. The listing is the server's own snapshot, taken before the send.
    Jobs made by other creates of this process are kept apart by :mod:`.create_registry`.
    """
    attempts = client.settings.max_retries + 1
    file_id = existing_file_id(file)
    own_file = file_id is None
    if file_id is None:
        file_id = await upload_once(
            client, file, new_external_file_id(), filename=filename, attempts=attempts
        )
    sent_at = time.time()
    before = () if own_file else await jobs_before(client, file_id, sent_at)
    matcher = JobMatcher(file_id, configuration, sent_at, excluded=before, sole_create=own_file)
    return await create_job_once(client, configuration, matcher, attempts=attempts)


def start_extraction_sync(
    client: Client, file: Any, configuration: ExtractConfiguration, filename: str | None
) -> ExtractJob:
    """The blocking twin of :func:`start_extraction`."""
    attempts = client.settings.max_retries + 1
    file_id = existing_file_id(file)
    own_file = file_id is None
    if file_id is None:
        file_id = upload_once_sync(
            client, file, new_external_file_id(), filename=filename, attempts=attempts
        )
    sent_at = time.time()
    before = () if own_file else jobs_before_sync(client, file_id, sent_at)
    matcher = JobMatcher(file_id, configuration, sent_at, excluded=before, sole_create=own_file)
    return create_job_once_sync(client, configuration, matcher, attempts=attempts)
