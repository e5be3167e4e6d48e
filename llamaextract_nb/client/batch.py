"""``extract_many``: many documents, one call, one DataFrame; resumable and fault tolerant.

How a batch runs:

1. The files are expanded and hashed (:mod:`.batch_sources`); identical content is one job.
2. The job runner (:mod:`.job_runner`, the Studio's too) resumes each document from the
   ledger (:mod:`.ledger`) or uploads and creates it, ``concurrency`` at a time, keyed as
   :mod:`.batch_keys` says, and polls every running job, many per request
   (:mod:`.job_poller`); a progress bar counts its events (:mod:`.progress`).

Uploads and creates are never retried blindly (:mod:`.create_once`): after a failure that may
have reached the server (connection lost, 5xx, 429) the file is looked up by its
``external_file_id``, and the job by what identifies its create (:mod:`.recovery`: file,
creation time, the options and schema as far as the echo shows them), before anything is sent
again. So a flaky network or a killed kernel never makes a second upload or a
second job.
"""

from __future__ import annotations

import asyncio
import math
import os
import time
from typing import Any

from typing_extensions import Unpack

from llamaextract_nb.api.models import ExtractConfiguration, ExtractJob
from llamaextract_nb.client.async_client import AsyncClient
from llamaextract_nb.client.batch_sources import BatchFile, collect_files
from llamaextract_nb.client.configuration import ExtractOptions, build_configuration
from llamaextract_nb.client.estimate import Estimate, check_credit_limit, estimate_documents
from llamaextract_nb.client.job_runner import JobRunner
from llamaextract_nb.client.ledger import Ledger
from llamaextract_nb.client.pricing import UnknownRateError
from llamaextract_nb.client.progress import BatchProgress
from llamaextract_nb.client.settings import DEFAULT_CONCURRENCY
from llamaextract_nb.client.sync_bridge import run_to_completion
from llamaextract_nb.gcpause import gc_paused
from llamaextract_nb.results import BatchResult, ExtractResult

RESUME_HINT = "call extract_many again with the same arguments to resume"


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

    return run_to_completion(main())


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
    max_credits: float | None = None,
    **options: Unpack[ExtractOptions],
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
    the same arguments resumes. ``max_credits``: refuse to start (``CreditLimitError``) when
    the cost estimate (:mod:`.estimate`, printed beside the progress bar) is above it; results
    already in the ledger are counted too. ``options`` are configuration options (``tier``,
    ``cite_sources``, ``extraction_target`` ...). The result's ``usage`` puts the estimate
    beside what the service reported.
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
    expected = await _estimate(documents, configuration, max_credits, progress)
    book = ledger if isinstance(ledger, Ledger) else Ledger(ledger)
    bar = BatchProgress([doc.sha256 for doc in documents], enabled=progress)
    try:
        runner = JobRunner(
            client,
            book,
            configuration,
            documents,
            concurrency=concurrency,
            fresh=fresh,
            retry_failed=retry_failed,
            timeout=timeout,
            on_event=bar.observe,
            resume_hint=RESUME_HINT,
        )
        outcomes = await runner.run(started)
    finally:
        bar.close()
        if book is not ledger:
            book.close()
    with gc_paused():  # thousands of results at once
        return _batch_result(documents, outcomes, configuration, expected)


def _batch_result(
    documents: list[BatchFile],
    outcomes: dict[str, ExtractJob],
    configuration: ExtractConfiguration,
    expected: Estimate | None,
) -> BatchResult:
    return BatchResult(
        (
            ExtractResult(
                outcomes[doc.sha256],
                source=doc.path if doc.path is not None else doc.content,
                name=doc.label,
                schema=configuration.data_schema,
                target=configuration.extraction_target,
            )
            for doc in documents
        ),
        estimate=expected.documents if expected is not None else None,
    )


async def _estimate(
    documents: list[BatchFile],
    configuration: ExtractConfiguration,
    max_credits: float | None,
    progress: bool,
) -> Estimate | None:
    """The batch's cost estimate, printed when ``progress``; raises when above ``max_credits``.
    A tier the rate table lacks leaves the batch without an estimate unless a limit is set."""
    try:
        expected = await asyncio.to_thread(estimate_documents, documents, configuration)
    except UnknownRateError as exc:
        if max_credits is not None:
            raise
        if progress:
            print(f"Estimate: not available ({exc})", flush=True)
        return None
    check_credit_limit(expected, max_credits)
    if progress:
        print(f"Estimate: {expected}", flush=True)
    return expected


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


__all__ = ["aextract_many", "extract_many"]
