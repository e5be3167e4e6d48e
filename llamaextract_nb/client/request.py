"""The one request layer under both clients: building requests, reading answers, retry decisions.

The sync and async clients differ only in how they send a request and how they sleep; every
decision (URL, auth, query encoding, which answers are retried and after how long, which
exception an error becomes) is made here.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import httpx
import pydantic

from llamaextract_nb import __version__
from llamaextract_nb.client.errors import (
    APIConnectionError,
    APIStatusError,
    LlamaExtractError,
    error_class,
    hint_for,
)
from llamaextract_nb.client.retry import (
    RetryPolicy,
    is_retryable_error,
    is_retryable_status,
    parse_retry_after,
)
from llamaextract_nb.client.settings import Settings
from llamaextract_nb.client.uploads import UploadSource

T = TypeVar("T")
log = logging.getLogger("llamaextract_nb.client")

QueryValue = str | int | float | bool | dt.datetime | dt.date | None
QueryPairs = list[tuple[str, str | int | float | bool | None]]


@dataclass(frozen=True)
class Call(Generic[T]):
    """One API operation: what to send and how to read the answer."""

    method: str
    path: str
    parse: Callable[[Any], T]
    params: Mapping[str, Any] = field(default_factory=dict)
    json: Any = None
    form: Mapping[str, str] | None = None
    upload: UploadSource | None = None
    scoped: bool = True
    """Send ``project_id`` / ``organization_id`` (every route but schema validation)."""
    subject: str | None = None
    """What a 404 is about, e.g. ``extraction job 'ext-…'``."""


@dataclass(frozen=True)
class Retry:
    """Send the request again after ``delay`` seconds."""

    delay: float


@dataclass(frozen=True)
class Done(Generic[T]):
    """The parsed answer."""

    value: T


def encode_query(params: Mapping[str, Any]) -> QueryPairs:
    """Query pairs: lists as repeated keys, lower-case booleans, ISO 8601 datetimes, no Nones."""
    pairs: QueryPairs = []
    for key, value in params.items():
        values = value if isinstance(value, (list, tuple, set, frozenset)) else [value]
        pairs.extend((key, _query_text(v)) for v in values if v is not None)
    return pairs


def _query_text(value: QueryValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value)


class RequestLayer:
    """Builds requests from :class:`Call` objects and turns answers into values or errors."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.policy = RetryPolicy(settings.max_retries)
        self._headers = {
            "Authorization": f"Bearer {settings.api_key}",
            "Accept": "application/json",
            "User-Agent": f"llamaextract-nb/{__version__}",
        }
        self._timeout = httpx.Timeout(settings.timeout, connect=min(5.0, settings.timeout))

    def __repr__(self) -> str:
        return self.settings.repr_for(type(self).__name__)

    def build(self, http: httpx.Client | httpx.AsyncClient, call: Call[Any]) -> httpx.Request:
        """The httpx request for ``call`` (built afresh for every attempt)."""
        params = dict(call.params)
        if call.scoped:
            params["project_id"] = self.settings.project_id
            params["organization_id"] = self.settings.organization_id
        form = dict(call.form) if call.form else None
        files = call.upload.multipart() if call.upload else None
        content, headers = None, self._headers
        if call.upload is not None and isinstance(http, httpx.AsyncClient):
            # httpx would read the file inside the event loop: send it from a worker thread
            content = call.upload.async_body(form or {})
            headers = {**headers, **content.headers}
            form = files = None
        return http.build_request(
            call.method,
            self.settings.base_url + call.path,
            params=encode_query(params),
            content=content,
            json=call.json,
            data=form,
            files=files,
            headers=headers,
            timeout=self._timeout,
        )

    def after_response(
        self, call: Call[T], response: httpx.Response, retries: int
    ) -> Retry | Done[T]:
        """Parse a success, schedule a retry, or raise the matching :class:`APIStatusError`."""
        status = response.status_code
        if status < 400:
            return Done(self._parse(call, response))
        if is_retryable_status(status) and self.policy.allows(retries):
            delay = self.policy.delay(retries, response)
            self._log_retry(call, f"HTTP {status}", retries, delay)
            return Retry(delay)
        raise self._status_error(call, response, attempts=retries + 1)

    def after_error(self, call: Call[Any], error: Exception, retries: int) -> Retry:
        """Schedule a retry after a transport error, or raise :class:`APIConnectionError`."""
        reason = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
        if is_retryable_error(error) and self.policy.allows(retries):
            delay = self.policy.delay(retries, None)
            self._log_retry(call, reason, retries, delay)
            return Retry(delay)
        raise APIConnectionError(call.method, call.path, reason, attempts=retries + 1) from error

    def _log_retry(self, call: Call[Any], reason: str, retries: int, delay: float) -> None:
        log.info(
            "retrying %s %s in %.2f s after %s (retry %d of %d)",
            call.method,
            call.path,
            delay,
            reason,
            retries + 1,
            self.policy.max_retries,
        )

    def _parse(self, call: Call[T], response: httpx.Response) -> T:
        data: Any = None
        if response.status_code != 204 and response.content.strip():
            try:
                data = response.json()
            except ValueError:
                raise LlamaExtractError(
                    f"{call.method} {call.path} answered {response.status_code} with non-JSON "
                    f"content ({response.headers.get('content-type', 'no content type')}): "
                    "is base_url pointing at the LlamaExtract API?"
                ) from None
        try:
            return call.parse(data)
        except pydantic.ValidationError as exc:
            raise LlamaExtractError(
                f"unexpected answer to {call.method} {call.path}: {exc}"
            ) from None

    def _status_error(
        self, call: Call[Any], response: httpx.Response, *, attempts: int
    ) -> APIStatusError:
        body: Any
        try:
            body = response.json()
        except ValueError:
            body = response.text
        detail = body.get("detail") if isinstance(body, dict) and "detail" in body else body
        status = response.status_code
        hint = hint_for(
            status,
            subject=call.subject,
            project_id=self.settings.project_id,
            base_url=self.settings.base_url,
            attempts=attempts,
        )
        return error_class(status)(
            status,
            detail or None,
            method=call.method,
            path=call.path,
            hint=hint,
            body=body,
            retry_after=parse_retry_after(response.headers, time.time),
        )
