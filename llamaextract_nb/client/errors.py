"""The client's exception family: every failure says what happened, where, and what to do."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from llamaextract_nb.api.models import ValidationErrorItem
from llamaextract_nb.errors import LlamaExtractError as LlamaExtractError

if TYPE_CHECKING:
    from llamaextract_nb.api.models import ExtractJob

_LOC_PREFIXES_DROPPED = ("body",)
_MAX_TEXT = 500


class APIConnectionError(LlamaExtractError):
    """The service could not be reached (or did not answer in time) after all retries."""

    def __init__(self, method: str, path: str, reason: str, *, attempts: int = 1) -> None:
        self.method = method
        self.path = path
        self.reason = reason
        self.attempts = attempts
        tries = f" after {attempts} attempts" if attempts > 1 else ""
        super().__init__(
            f"could not reach the service for {method} {path}{tries}: {reason}\n"
            "Hint: check base_url and your network connection."
        )


class APIStatusError(LlamaExtractError):
    """The service answered with an error status; ``detail`` is its explanation."""

    status_code: int = 0

    def __init__(
        self,
        status_code: int,
        detail: Any,
        *,
        method: str,
        path: str,
        hint: str | None = None,
        body: Any = None,
        retry_after: float | None = None,
    ) -> None:
        self.status_code = status_code
        self.retry_after = retry_after  # seconds the server asked to wait, if it said
        self.detail = detail
        self.method = method
        self.path = path
        self.hint = hint
        self.body = body
        message = f"{status_code} from {method} {path}: {render_detail(detail)}"
        if hint:
            message += f"\nHint: {hint}"
        super().__init__(message)


class BadRequestError(APIStatusError):
    """400: the request was understood but refused."""

    status_code = 400


class AuthenticationError(APIStatusError):
    """401: the API key is missing, wrong, revoked or for another region."""

    status_code = 401


class PaymentRequiredError(APIStatusError):
    """402: the organisation has no credits left."""

    status_code = 402


class PermissionDeniedError(APIStatusError):
    """403: the key may not touch this project or resource."""

    status_code = 403


class NotFoundError(APIStatusError):
    """404: the job, file or configuration does not exist (for this project)."""

    status_code = 404


class ConflictError(APIStatusError):
    """409: the resource is in the wrong state for this operation."""

    status_code = 409


class PayloadTooLargeError(APIStatusError):
    """413: the upload is larger than the service accepts."""

    status_code = 413


class RequestValidationError(APIStatusError):
    """422: the request body or parameters failed validation; see :attr:`errors`."""

    status_code = 422

    @property
    def errors(self) -> list[ValidationErrorItem]:
        """The individual problems, each with its location and message."""
        return validation_items(self.detail)

    @property
    def field_paths(self) -> list[str]:
        """Readable locations such as ``configuration.data_schema.properties.x``."""
        return [loc_path(item.loc) for item in self.errors]


class RateLimitError(APIStatusError):
    """429: too many requests; retried already, still limited."""

    status_code = 429


class InternalServerError(APIStatusError):
    """5xx: the service failed; retried already."""

    status_code = 500


class JobFailedError(LlamaExtractError):
    """An extraction job ended FAILED or CANCELLED; the job is in :attr:`job`."""

    def __init__(self, job: ExtractJob) -> None:
        self.job = job
        if job.status == "CANCELLED":
            message = f"extraction job {job.id} was cancelled"
        else:
            reason = job.error_message or "the service gave no error message"
            message = f"extraction job {job.id} ended {job.status}: {reason}"
        super().__init__(message)


class WaitTimeout(LlamaExtractError, TimeoutError):
    """``wait()`` gave up before the job finished; the job keeps running on the service."""

    def __init__(self, job_id: str, last_status: str, timeout: float) -> None:
        self.job_id = job_id
        self.last_status = last_status
        self.timeout = timeout
        super().__init__(
            f"extraction job {job_id} is still {last_status} after waiting {timeout:g} s. "
            f"It keeps running on the service: call wait({job_id!r}) again with a longer "
            f"timeout, or jobs.cancel({job_id!r}) to stop it."
        )


_STATUS_CLASSES: dict[int, type[APIStatusError]] = {
    cls.status_code: cls
    for cls in (
        BadRequestError,
        AuthenticationError,
        PaymentRequiredError,
        PermissionDeniedError,
        NotFoundError,
        ConflictError,
        PayloadTooLargeError,
        RequestValidationError,
        RateLimitError,
    )
}


def error_class(status_code: int) -> type[APIStatusError]:
    """The most specific exception class for ``status_code``."""
    if status_code >= 500:
        return InternalServerError
    return _STATUS_CLASSES.get(status_code, APIStatusError)


def validation_items(detail: Any) -> list[ValidationErrorItem]:
    """The entries of a FastAPI 422 ``detail`` list (empty when ``detail`` is not one)."""
    if not isinstance(detail, list):
        return []
    return [ValidationErrorItem.model_validate(d) for d in detail if isinstance(d, dict)]


def loc_path(loc: Sequence[str | int]) -> str:
    """``["body", "configuration", "tier"]`` -> ``configuration.tier``; list indexes as ``[i]``."""
    parts = list(loc)
    if parts and parts[0] in _LOC_PREFIXES_DROPPED:
        parts = parts[1:]
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "<request>"


def render_detail(detail: Any) -> str:
    """The server's ``detail`` as text: a string as is, a 422 list one ``path: msg`` per line."""
    items = validation_items(detail)
    if items:
        return "\n" + "\n".join(f"  {loc_path(i.loc)}: {i.msg}" for i in items)
    if isinstance(detail, str):
        return _shorten(detail)
    if detail is None:
        return "(no detail given)"
    return _shorten(json.dumps(detail, default=str))


def _shorten(text: str) -> str:
    return text if len(text) <= _MAX_TEXT else text[:_MAX_TEXT] + "…"


def hint_for(
    status_code: int,
    *,
    subject: str | None = None,
    project_id: str | None = None,
    base_url: str = "",
    attempts: int = 1,
) -> str | None:
    """What a person should do about ``status_code`` (``subject`` names the id a 404 is about)."""
    if status_code == 401:
        region = (
            " EU keys work only with base_url='https://api.cloud.eu.llamaindex.ai'."
            if "llamaindex.ai" in base_url
            else ""
        )
        return f"check the API key (api_key=... or LLAMA_CLOUD_API_KEY).{region}"
    if status_code == 402:
        return "the organisation is out of credits: add credits or upgrade the plan, then retry."
    if status_code == 403:
        scope = f"project {project_id}" if project_id else "the key's default project"
        return (
            f"the key may not access this resource in {scope}: check project_id / "
            "organization_id (LLAMA_CLOUD_PROJECT_ID) and the key's role."
        )
    if status_code == 404:
        what = subject or "the resource"
        return f"{what} was not found in this project: check the id and project_id."
    if status_code == 409:
        return (
            "the resource is in the wrong state: a job must be finished to be deleted "
            "(or pass force=True) and unfinished to be cancelled."
        )
    if status_code == 413:
        return (
            "the file is too large: extraction accepts up to 100 MB per file "
            "(uploads up to 512 MB); split the document or use target_pages."
        )
    if status_code == 429:
        return (
            f"rate limited (gave up after {attempts} attempts): send fewer requests at once "
            "(lower concurrency) or raise max_retries."
        )
    if status_code == 422:
        return "fix the fields listed above (paths are relative to the request body)."
    return None
