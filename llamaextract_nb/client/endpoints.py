"""Every v2 operation as a :class:`~llamaextract_nb.client.request.Call`: paths, parameters
and answer types live here once, for both clients."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar
from urllib.parse import quote

from pydantic import BaseModel
from typing_extensions import TypedDict, Unpack

from llamaextract_nb.api.models import (
    EXPAND_VALUES,
    ExtractConfiguration,
    ExtractJob,
    File,
    Page,
    PresignedURL,
    SchemaValidation,
    WebhookConfiguration,
)
from llamaextract_nb.client.configuration import coerce_configuration, configuration_body
from llamaextract_nb.client.errors import LlamaExtractError
from llamaextract_nb.client.request import Call
from llamaextract_nb.client.uploads import UploadSource
from llamaextract_nb.schema import to_json_schema

FILES = "/api/v1/beta/files"
EXTRACT = "/api/v2/extract"
SCHEMA_VALIDATION = "/api/v2/extract/schema/validation"
SCHEMA_GENERATE = "/api/v2/extract/schema/generate"

FULL_EXPAND: tuple[str, ...] = EXPAND_VALUES
"""What ``extract()`` asks for on the finished job: configuration, metadata, usage."""

M = TypeVar("M", bound=BaseModel)
Expand = Sequence[str] | str | None


def _segment(value: str, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise TypeError(f"{what} must be a non-empty string id (got {value!r})")
    return quote(value, safe="")


def _expand(expand: Expand) -> list[str] | None:
    if expand is None:
        return None
    return [expand] if isinstance(expand, str) else list(expand)


def _filters(filters: Mapping[str, Any], spec: type, where: str) -> dict[str, Any]:
    valid = tuple(spec.__annotations__)
    unknown = sorted(set(filters) - set(valid))
    if unknown:
        raise TypeError(
            f"{where}() got unknown filter {', '.join(map(repr, unknown))}; "
            f"valid filters are: {', '.join(valid)}"
        )
    params = dict(filters)
    if "expand" in params:
        params["expand"] = _expand(params["expand"])
    return params


def _model(cls: type[M]) -> Callable[[Any], M]:
    return cls.model_validate


def _page_of(cls: type[M]) -> Callable[[Any], Page]:
    def parse(data: Any) -> Page:
        page = Page.model_validate(data)
        page.items = [cls.model_validate(item) for item in page.items]
        return page

    return parse


def _none(_: Any) -> None:
    return None


def _job_id(job: ExtractJob | str) -> str:
    return job.id if isinstance(job, ExtractJob) else job


# --- files ---------------------------------------------------------------------------


def upload_file(
    source: UploadSource, *, purpose: str = "extract", external_file_id: str | None = None
) -> Call[File]:
    form = {"purpose": purpose}
    if external_file_id is not None:
        form["external_file_id"] = external_file_id
    return Call("POST", FILES, _model(File), form=form, upload=source)


def get_file(file_id: str, *, expand: Expand = None) -> Call[File]:
    path = f"{FILES}/{_segment(file_id, 'file_id')}"
    return Call(
        "GET", path, _model(File), params={"expand": _expand(expand)}, subject=f"file {file_id!r}"
    )


class FileFilters(TypedDict, total=False):
    """Filters of ``GET /api/v1/beta/files``."""

    page_size: int
    file_ids: Sequence[str]
    file_name: str
    external_file_id: str
    order_by: str
    expand: Sequence[str] | str


def list_files(*, page_token: str | None = None, **filters: Unpack[FileFilters]) -> Call[Page]:
    params = _filters(filters, FileFilters, "files.list")
    return Call("GET", FILES, _page_of(File), params={**params, "page_token": page_token})


def delete_file(file_id: str) -> Call[None]:
    path = f"{FILES}/{_segment(file_id, 'file_id')}"
    return Call("DELETE", path, _none, subject=f"file {file_id!r}")


def file_content_url(file_id: str, *, expires_at_seconds: int | None = None) -> Call[PresignedURL]:
    path = f"{FILES}/{_segment(file_id, 'file_id')}/content"
    return Call(
        "GET",
        path,
        _model(PresignedURL),
        params={"expires_at_seconds": expires_at_seconds},
        subject=f"file {file_id!r}",
    )


# --- extraction jobs -----------------------------------------------------------------


def create_job(
    file_input: str | File,
    configuration: ExtractConfiguration | dict[str, Any] | None = None,
    *,
    configuration_id: str | None = None,
    webhook_configurations: Sequence[WebhookConfiguration | dict[str, Any]] | None = None,
) -> Call[ExtractJob]:
    file_id = file_input.id if isinstance(file_input, File) else file_input
    if not isinstance(file_id, str) or not file_id:
        raise TypeError(
            "file_input must be a 'dfl-' file id, a 'pjb-' parse job id or a File "
            f"(got {file_input!r})"
        )
    if (configuration is None) == (configuration_id is None):
        raise TypeError("pass exactly one of configuration=... or configuration_id=...")
    body: dict[str, Any] = {"file_input": file_id}
    if configuration is not None:
        body["configuration"] = configuration_body(coerce_configuration(configuration))
    else:
        body["configuration_id"] = configuration_id
    if webhook_configurations is not None:
        body["webhook_configurations"] = [
            WebhookConfiguration.model_validate(w).model_dump(mode="json", exclude_none=True)
            for w in webhook_configurations
        ]
    subject = f"file_input {file_id!r}" + (
        f" or configuration {configuration_id!r}" if configuration_id else ""
    )
    return Call("POST", EXTRACT, _model(ExtractJob), json=body, subject=subject)


def get_job(job: ExtractJob | str, *, expand: Expand = None) -> Call[ExtractJob]:
    job_id = _job_id(job)
    return Call(
        "GET",
        f"{EXTRACT}/{_segment(job_id, 'job_id')}",
        _model(ExtractJob),
        params={"expand": _expand(expand)},
        subject=f"extraction job {job_id!r}",
    )


class JobFilters(TypedDict, total=False):
    """Filters of ``GET /api/v2/extract`` (spec 2.2); datetimes may be ISO strings."""

    status: str
    job_ids: Sequence[str]
    file_input: str
    configuration_id: str
    document_input_type: str
    created_at_on_or_after: dt.datetime | str
    created_at_on_or_before: dt.datetime | str
    expand: Sequence[str] | str
    page_size: int


def list_jobs(*, page_token: str | None = None, **filters: Unpack[JobFilters]) -> Call[Page]:
    params = _filters(filters, JobFilters, "jobs.list")
    return Call("GET", EXTRACT, _page_of(ExtractJob), params={**params, "page_token": page_token})


def next_page_token(page: Page, previous: str | None) -> str | None:
    """The token of the following page, None after the last; refuses a token that repeats."""
    token = page.next_page_token or None
    if token is not None and token == previous:
        raise LlamaExtractError(
            f"the service returned the same next_page_token twice ({token!r}); stopping"
        )
    return token


def cancel_job(job: ExtractJob | str) -> Call[ExtractJob]:
    job_id = _job_id(job)
    return Call(
        "POST",
        f"{EXTRACT}/{_segment(job_id, 'job_id')}/cancel",
        _model(ExtractJob),
        subject=f"extraction job {job_id!r}",
    )


def delete_job(job: ExtractJob | str, *, force: bool = False) -> Call[None]:
    job_id = _job_id(job)
    return Call(
        "DELETE",
        f"{EXTRACT}/{_segment(job_id, 'job_id')}",
        _none,
        params={"force": True if force else None},
        subject=f"extraction job {job_id!r}",
    )


def validate_schema(schema: Any) -> Call[dict[str, Any]]:
    def parse(data: Any) -> dict[str, Any]:
        return SchemaValidation.model_validate(data).data_schema

    body = {"data_schema": to_json_schema(schema)}
    return Call("POST", SCHEMA_VALIDATION, parse, json=body, scoped=False)


def generate_schema(
    file_id: str | None = None,
    *,
    file_ids: Sequence[str] | None = None,
    prompt: str | None = None,
    data_schema: Any = None,
    name: str | None = None,
) -> Call[dict[str, Any]]:
    """``schema/generate``; ``file_ids`` is the local server's several-documents extension."""
    body: dict[str, Any] = {"file_id": file_id, "prompt": prompt, "name": name}
    if data_schema is not None:
        body["data_schema"] = to_json_schema(data_schema)
    if file_ids:
        body["file_ids"] = list(file_ids)

    def parse(data: Any) -> dict[str, Any]:
        if not isinstance(data, dict) or not isinstance(data.get("parameters"), dict):
            raise LlamaExtractError(f"schema/generate answered without parameters: {data!r}"[:300])
        return data

    body = {key: value for key, value in body.items() if value is not None}
    return Call("POST", SCHEMA_GENERATE, parse, json=body, subject=f"file {file_id!r}")
