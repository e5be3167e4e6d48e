"""The asynchronous client :class:`AsyncClient` with ``files`` and ``jobs``.

This file is the one source of both clients: ``sync_client.py`` (:class:`Client`, the same
methods blocking) is generated from it by ``scripts/unasync.py``, and a test keeps the two in
step. Edit this file, then run ``python scripts/unasync.py``.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Sequence
from functools import partial
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

import httpx
from typing_extensions import Unpack

from llamaextract_nb.api.models import (
    ExtractConfiguration,
    ExtractionTarget,
    ExtractJob,
    File,
    Page,
    ParseTier,
    PresignedURL,
    Tier,
)
from llamaextract_nb.client import _timing, create_once, endpoints, suggest
from llamaextract_nb.client.base import ClientBase, result_source
from llamaextract_nb.client.callbacks import anotify
from llamaextract_nb.client.configuration import build_configuration, given_options
from llamaextract_nb.client.endpoints import Expand, FileFilters, JobFilters
from llamaextract_nb.client.polling import (
    DEFAULT_MAX_INTERVAL,
    DEFAULT_POLL_INTERVAL,
    DEFAULT_WAIT_TIMEOUT,
    Poller,
    StatusCallback,
    outcome,
)
from llamaextract_nb.client.request import Call, Done, Retry
from llamaextract_nb.client.settings import (
    DEFAULT_CONCURRENCY,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    Settings,
)
from llamaextract_nb.client.uploads import open_upload
from llamaextract_nb.schema.suggestion import SchemaSuggestion

if TYPE_CHECKING:
    from llamaextract_nb.client.ledger import Ledger
    from llamaextract_nb.results import BatchResult, ExtractResult

T = TypeVar("T")


class AsyncFiles:
    """``/api/v1/beta/files``: upload, get, list, delete, content URL."""

    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    async def upload(
        self,
        file: Any,
        *,
        purpose: str = "extract",
        external_file_id: str | None = None,
        filename: str | None = None,
    ) -> File:
        """Upload a path, bytes, a binary file object (sent from its start) or a FileUpload
        value; files are streamed in 64 KiB chunks, never read whole."""
        with open_upload(file, filename) as source:
            call = endpoints.upload_file(source, purpose=purpose, external_file_id=external_file_id)
            return await self._client._send(call)

    async def get(self, file_id: str, *, expand: Expand = None) -> File:
        """One file's metadata (``expand="download_url"`` adds a presigned URL)."""
        return await self._client._send(endpoints.get_file(file_id, expand=expand))

    def list(self, **filters: Unpack[FileFilters]) -> AsyncIterator[File]:
        """Every file matching ``filters``, fetching further pages as the iteration goes."""
        return self._client._paginate(partial(endpoints.list_files, **filters))

    async def list_page(
        self, *, page_token: str | None = None, **filters: Unpack[FileFilters]
    ) -> Page:
        """One page of files (``items`` are :class:`File`)."""
        return await self._client._send(endpoints.list_files(page_token=page_token, **filters))

    async def delete(self, file_id: str) -> None:
        """Delete a file."""
        await self._client._send(endpoints.delete_file(file_id))

    async def content_url(
        self, file_id: str, expires_at_seconds: int | None = None
    ) -> PresignedURL:
        """A presigned URL to download the file's content."""
        call = endpoints.file_content_url(file_id, expires_at_seconds=expires_at_seconds)
        return await self._client._send(call)


class AsyncJobs:
    """``/api/v2/extract``: create, get, list, cancel, delete, schema validation."""

    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    async def create(
        self,
        file_input: str | File,
        configuration: ExtractConfiguration | dict[str, Any] | None = None,
        *,
        configuration_id: str | None = None,
        webhook_configurations: Sequence[Any] | None = None,
    ) -> ExtractJob:
        """Start a job on a ``dfl-`` file id or completed ``pjb-`` parse job id.

        Pass exactly one of ``configuration`` (inline, e.g. from :func:`build_configuration`)
        and ``configuration_id`` (a saved ``cfg-`` configuration).
        """
        call = endpoints.create_job(
            file_input,
            configuration,
            configuration_id=configuration_id,
            webhook_configurations=webhook_configurations,
        )
        return await self._client._send(call)

    async def get(self, job_id: str | ExtractJob, expand: Expand = None) -> ExtractJob:
        """One job; ``expand`` adds configuration, extract_metadata, usage and/or metadata."""
        return await self._client._send(endpoints.get_job(job_id, expand=expand))

    def list(self, **filters: Unpack[JobFilters]) -> AsyncIterator[ExtractJob]:
        """Every job matching ``filters`` (newest first), fetching pages as needed."""
        return self._client._paginate(partial(endpoints.list_jobs, **filters))

    async def list_page(
        self, *, page_token: str | None = None, **filters: Unpack[JobFilters]
    ) -> Page:
        """One page of jobs (``items`` are :class:`ExtractJob`)."""
        return await self._client._send(endpoints.list_jobs(page_token=page_token, **filters))

    async def cancel(self, job_id: str | ExtractJob) -> ExtractJob:
        """Cancel a job that has not finished."""
        return await self._client._send(endpoints.cancel_job(job_id))

    async def delete(self, job_id: str | ExtractJob, force: bool = False) -> None:
        """Delete a finished job and its results (``force=True`` also for unfinished ones)."""
        await self._client._send(endpoints.delete_job(job_id, force=force))

    async def validate_schema(self, schema: Any) -> dict[str, Any]:
        """Ask the service to check ``schema``; returns the schema ready for use."""
        return await self._client._send(endpoints.validate_schema(schema))


class AsyncClient(ClientBase):
    """Asynchronous LlamaExtract v2 client.

    Settings come from the arguments, else from ``LLAMA_CLOUD_BASE_URL``,
    ``LLAMA_CLOUD_API_KEY`` and ``LLAMA_CLOUD_PROJECT_ID``. Requests are retried on connection
    errors, 408, 429 and 5xx (up to ``max_retries`` times, honouring ``Retry-After``).
    """

    def __init__(
        self,
        base_url: str | None = None,
        api_key: str | None = None,
        project_id: str | None = None,
        organization_id: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        settings = Settings.resolve(
            base_url=base_url,
            api_key=api_key,
            project_id=project_id,
            organization_id=organization_id,
            timeout=timeout,
            max_retries=max_retries,
        )
        self._configure(settings)
        self._owns_http = http_client is None
        self._http = (
            http_client if http_client is not None else httpx.AsyncClient(follow_redirects=True)
        )
        self.files = AsyncFiles(self)
        self.jobs = AsyncJobs(self)

    # --- transport -------------------------------------------------------------------

    async def _send(self, call: Call[T], *, retry: bool = True) -> T:
        """Send ``call``; ``retry=False`` sends it once (for non-idempotent requests)."""
        layer = self._layer if retry else self._single_attempt_layer
        retries = 0
        while True:
            request = layer.build(self._http, call)
            step: Retry | Done[T]
            try:
                response = await self._http.send(request)
            except httpx.TransportError as exc:
                step = layer.after_error(call, exc, retries)
            else:
                step = layer.after_response(call, response, retries)
            if isinstance(step, Done):
                return step.value
            await _timing.asleep(step.delay)
            retries += 1

    def _paginate(self, make_call: Callable[..., Call[Page]]) -> AsyncIterator[Any]:
        """Items of every page; the first call is built now so bad filters fail at once."""
        return self._items(make_call(page_token=None), make_call)

    async def _items(
        self, call: Call[Page], make_call: Callable[..., Call[Page]]
    ) -> AsyncIterator[Any]:
        token: str | None = None
        while True:
            page = await self._send(call)
            for item in page.items:
                yield item
            token = endpoints.next_page_token(page, token)
            if token is None:
                return
            call = make_call(page_token=token)

    # --- jobs end to end -------------------------------------------------------------

    async def wait(
        self,
        job_or_id: ExtractJob | str,
        *,
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        max_interval: float = DEFAULT_MAX_INTERVAL,
        on_status: StatusCallback | None = None,
        raise_on_failure: bool = True,
    ) -> ExtractJob:
        """Poll until the job is COMPLETED, FAILED or CANCELLED and return it.

        Polls start ``poll_interval`` apart and grow to ``max_interval``; ``on_status`` is called
        with the job at every status change (the async client awaits a coroutine function's
        result). Raises :class:`WaitTimeout` after ``timeout`` seconds and, unless
        ``raise_on_failure=False``, :class:`JobFailedError` when the job FAILED or was CANCELLED.
        """
        job_id = job_or_id.id if isinstance(job_or_id, ExtractJob) else job_or_id
        poller = Poller(
            job_id, timeout=timeout, poll_interval=poll_interval, max_interval=max_interval
        )
        job = job_or_id if isinstance(job_or_id, ExtractJob) else await self.jobs.get(job_id)
        while True:
            if poller.observe(job) and on_status is not None:
                await anotify(on_status, job)
            if poller.finished:
                return outcome(job, raise_on_failure=raise_on_failure)
            await _timing.asleep(poller.next_delay())
            job = await self.jobs.get(job_id)

    async def extract(
        self,
        file: Any,
        schema: Any,
        *,
        filename: str | None = None,
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        on_status: StatusCallback | None = None,
        tier: Tier | None = None,
        version: str | None = None,
        extraction_target: ExtractionTarget | None = None,
        cite_sources: bool | None = None,
        confidence_scores: bool | None = None,
        advanced_citations: bool | None = None,
        system_prompt: str | None = None,
        target_pages: str | None = None,
        max_pages: int | None = None,
        parse_tier: ParseTier | None = None,
        parse_config_id: str | None = None,
        disable_cache: bool | None = None,
        spreadsheet_mode: bool | None = None,
        sheet_names: list[str] | None = None,
    ) -> ExtractResult:
        """Upload ``file`` (unless it is already a File or ``dfl-``/``pjb-`` id), extract
        ``schema`` from it, wait, and return the result with metadata and usage.

        ``file``: a path, bytes, a binary file object, an ipywidgets ``FileUpload`` value, a
        :class:`File` or a file / parse job id. ``schema``: a dict, JSON text or path, pydantic
        model class or :class:`~llamaextract_nb.schema.Schema`. ``timeout`` and ``on_status``
        are :meth:`wait`'s.

        The configuration options (spec section 4; None, the default, leaves one to the
        service): ``tier`` (``cost_effective``, ``agentic``, ``agentic_plus``, ``turbo``),
        ``version``, ``extraction_target`` (``per_doc``, ``per_page``, ``per_table_row``),
        ``cite_sources``, ``confidence_scores``, ``advanced_citations``, ``system_prompt``,
        ``target_pages`` (``"1,3,5-7"``), ``max_pages``, ``parse_tier``, ``parse_config_id``,
        ``disable_cache``, ``spreadsheet_mode`` and ``sheet_names``.

        Never uploads or creates twice: after a failure that may have reached the server the
        file (tagged with a fresh ``external_file_id``) and the job are looked up before
        anything is sent again, up to ``max_retries`` times (:mod:`.create_once`). On an
        existing file id the jobs already on it are listed first (one request), so that none
        of them is taken for ours.
        """
        from llamaextract_nb.results import ExtractResult

        configuration = build_configuration(schema, **given_options(locals()))
        job = await create_once.start_extraction(self, file, configuration, filename)
        await self.wait(job, timeout=timeout, on_status=on_status)
        job = await self.jobs.get(job.id, expand=endpoints.FULL_EXPAND)
        return ExtractResult(job, source=result_source(file))

    async def extract_many(
        self,
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
        tier: Tier | None = None,
        version: str | None = None,
        extraction_target: ExtractionTarget | None = None,
        cite_sources: bool | None = None,
        confidence_scores: bool | None = None,
        advanced_citations: bool | None = None,
        system_prompt: str | None = None,
        target_pages: str | None = None,
        max_pages: int | None = None,
        parse_tier: ParseTier | None = None,
        parse_config_id: str | None = None,
        disable_cache: bool | None = None,
        spreadsheet_mode: bool | None = None,
        sheet_names: list[str] | None = None,
    ) -> BatchResult:
        """Extract ``schema`` from every document in ``files`` concurrently and resumably, into
        one :class:`~llamaextract_nb.results.BatchResult`; the batch arguments are described in
        :func:`~llamaextract_nb.client.batch.aextract_many`, the configuration options in
        :meth:`extract`."""
        from llamaextract_nb.client.batch import aextract_many

        return await aextract_many(
            self,
            files,
            schema,
            concurrency=concurrency,
            ledger=ledger,
            fresh=fresh,
            retry_failed=retry_failed,
            progress=progress,
            timeout=timeout,
            max_credits=max_credits,
            **given_options(locals()),
        )

    async def suggest_schema(
        self, files: Any, prompt: str | None = None, schema: Any = None, *, name: str | None = None
    ) -> SchemaSuggestion:
        """Suggest a schema from documents (uploaded unless already File objects or ids).

        ``prompt`` narrows the fields (e.g. "the parties and the dates"); ``schema`` is an
        existing schema to extend (its fields are kept as written). Several documents are
        read in one request by the local server, one after another (each refining the
        last answer) elsewhere; see :mod:`.suggest`.
        """
        ids = []
        for document in suggest.documents(files):
            if isinstance(document, str):
                ids.append(document)
            else:
                with document.open() as stream:
                    uploaded = await self.files.upload(stream, filename=document.name)
                    ids.append(uploaded.id)
        plan = suggest.SuggestPlan(ids, prompt, schema, name)
        call: Call[dict[str, Any]] | None = plan.first_call()
        while call is not None:
            call = plan.next_call(await self._send(call), suggest.sent_file_id(call))
        return plan.result()

    # --- lifecycle -------------------------------------------------------------------

    @classmethod
    def _from_settings(cls, settings: Settings) -> AsyncClient:
        return cls(
            base_url=settings.base_url,
            api_key=settings.api_key,
            project_id=settings.project_id,
            organization_id=settings.organization_id,
            timeout=settings.timeout,
            max_retries=settings.max_retries,
        )

    async def close(self) -> None:
        """Close the HTTP connections (a client passed in as ``http_client`` is left open)."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
