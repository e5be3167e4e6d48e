"""Upload a file or create a job at most once, over a network that may lose answers.

An upload or a create is not idempotent: sent again after a lost answer it makes a second
file or a second (billed) job. So these requests go out with no automatic retry, and after a
failure that may have reached the server (connection lost, 408, 409, 429, 5xx) the server is
asked whether the work was done before anything is sent again: a file by the
``external_file_id`` it was uploaded under, a job by what identifies its create
(:class:`~.recovery.JobMatcher`), never one another create of this process received or took
(:mod:`.create_registry`).

This file is the one source: :mod:`.create_once_sync` (the blocking functions of the same
names, used by :class:`~.sync_client.Client`) is generated from it by ``scripts/unasync.py``.
:func:`upload_once` / :func:`create_job_once` are what the job runner uses;
:func:`start_extraction` is the first half of ``extract()``.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from llamaextract_nb.api.models import ExtractConfiguration, ExtractJob
from llamaextract_nb.client import _timing, endpoints
from llamaextract_nb.client.create_registry import (
    CREATES,
    SIBLING_POLL,
    SIBLING_WAIT,
    FileCreates,
)
from llamaextract_nb.client.recovery import (
    CLOCK_SKEW,
    EXTERNAL_ID_PREFIX,
    FAILURES,
    POST_ATTEMPTS,
    JobMatcher,
    Tries,
    Withdrawn,
    jobs_since,
    new_external_file_id,
    pick_upload,
    retry_delay,
    transient,
    upload_filters,
)
from llamaextract_nb.client.uploads import existing_file_id, open_upload

if TYPE_CHECKING:
    from llamaextract_nb.client.async_client import AsyncClient

__all__ = [
    "CLOCK_SKEW",
    "EXTERNAL_ID_PREFIX",
    "POST_ATTEMPTS",
    "JobMatcher",
    "Withdrawn",
    "create_job_once",
    "find_job",
    "find_upload",
    "jobs_before",
    "new_external_file_id",
    "post_once",
    "retry_delay",
    "start_extraction",
    "transient",
    "upload_once",
]

T = TypeVar("T")


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
    tries = Tries(attempts)
    while True:
        if maybe_sent:
            try:
                found = await look()
            except FAILURES as exc:
                await _timing.asleep(tries.failed(exc))
                continue
            if found is not None:
                return found
            if withdrawn():
                raise Withdrawn()
        try:
            return await send()
        except FAILURES as exc:
            delay = tries.failed(exc)
        maybe_sent = True
        await _timing.asleep(delay)


# --- files -----------------------------------------------------------------------------------


async def find_upload(client: AsyncClient, external_id: str) -> str | None:
    """The id of the file uploaded under ``external_id``, if the server has one."""
    page = await client.files.list_page(**upload_filters(external_id))
    return pick_upload(page.items, external_id)


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

        async def look() -> str | None:
            return await find_upload(client, external_id)

        return await post_once(send, look, maybe_sent=maybe_sent, attempts=attempts)


# --- jobs ------------------------------------------------------------------------------------


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


async def jobs_before(client: AsyncClient, file_id: str, sent_at: float) -> set[str]:
    """Ids of the jobs a :class:`JobMatcher` for a create sent at ``sent_at`` would consider,
    listed *before* sending it: on a file others may use too, these are not ours."""
    return {job.id async for job in client.jobs.list(**jobs_since(file_id, sent_at))}


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

        async def look() -> ExtractJob | None:
            return await find_job(client, matcher, shared)

        return await post_once(
            send, look, maybe_sent=maybe_sent, attempts=attempts, withdrawn=withdrawn
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
