"""``/api/v2/extract``: create, get, list, cancel, delete jobs; validate schemas."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from llamaextract_nb.api.combinations import spreadsheet_input_problem
from llamaextract_nb.api.models import ExtractJob, KnownStatus, Page, SchemaValidation
from llamaextract_nb.local.server import paging
from llamaextract_nb.local.server.auth import require_token
from llamaextract_nb.local.server.bodies import ConfigurationIn, JobCreateIn, SchemaIn
from llamaextract_nb.local.server.context import Ctx, ProjectId, ServerContext
from llamaextract_nb.local.server.errors import conflict, invalid, not_found
from llamaextract_nb.local.server.ids import file_key, new_job_id
from llamaextract_nb.local.server.views import job_json
from llamaextract_nb.local.store import StateError, to_iso
from llamaextract_nb.local.store.db import Row
from llamaextract_nb.schema import SchemaError, check_limits, to_json_schema

router = APIRouter(
    prefix="/api/v2/extract", tags=["extract"], dependencies=[Depends(require_token)]
)

Expand = Annotated[
    list[str] | None,
    Query(description="configuration, extract_metadata, usage (others are ignored)"),
]


def normalise_schema(schema: Any) -> dict[str, Any]:
    """The schema with refs inlined, or 400 naming the path and the limit it breaks."""
    try:
        normalised = to_json_schema(schema)
    except SchemaError as exc:
        raise HTTPException(400, f"data_schema: {exc}") from None
    normalised.pop("$defs", None)
    normalised.pop("definitions", None)
    problems = check_limits(normalised)
    if problems:
        raise HTTPException(
            400, "data_schema is over the service's limits: " + "; ".join(map(str, problems))
        )
    return normalised


def _job(ctx: ServerContext, job_id: str) -> Row:
    row = ctx.store.get_job(job_id)
    if row is None:
        raise not_found("extraction job", job_id)
    return row


def _resolve_input(ctx: ServerContext, file_input: str) -> tuple[str, str]:
    """``(sha256, file name)`` of the document behind a file id or a local parse job id."""
    if file_input.startswith("pjb-"):
        parse_job = ctx.store.get_parse_job(file_input)
        if parse_job is None:
            raise not_found(
                "parse job",
                file_input,
                " (the local server knows the parse_job_id values reported in the "
                "extract_metadata of its own completed jobs)",
            )
        return parse_job["file_sha256"], parse_job["file_name"]
    row = ctx.store.get_file(file_key(file_input))
    if row is None:
        raise not_found("file", file_input)
    return row["sha256"], row["name"]


def _configuration(ctx: ServerContext, configuration: ConfigurationIn) -> dict[str, Any]:
    """The configuration as stored and echoed: defaults filled, version resolved to the
    local engine's."""
    config = configuration.model_dump(mode="json")
    config["data_schema"] = normalise_schema(config["data_schema"])
    # Whatever was asked for (latest, a date, a name), this is the pipeline that runs.
    config["version"] = ctx.engine_version
    return config


def _saved(ctx: ServerContext, config_id: str) -> ConfigurationIn:
    """The saved ``extract_v2`` configuration ``config_id``, checked like an inline one."""
    row = ctx.store.get_configuration(config_id)
    if row is None:
        raise not_found("configuration", config_id)
    if row["product_type"] != "extract_v2":
        raise HTTPException(
            400, f"configuration {config_id} is for {row['product_type']}, not extract_v2"
        )
    parameters = json.loads(row["parameters"])
    parameters.pop("product_type", None)
    try:
        return ConfigurationIn.model_validate(parameters)
    except ValidationError as exc:  # saved before the server checked what it checks now
        problems = "; ".join(error["msg"] for error in exc.errors())
        raise HTTPException(
            400, f"saved configuration {config_id} cannot be used: {problems}; update it"
        ) from None


@router.post("", response_model=ExtractJob, summary="Create an extraction job")
def create_job(
    body: JobCreateIn, ctx: Ctx, project_id: ProjectId = None, organization_id: ProjectId = None
) -> JSONResponse:
    if (body.configuration is None) == (body.configuration_id is None):
        raise HTTPException(
            400, "give exactly one of configuration (inline) or configuration_id (saved)"
        )
    if body.webhook_configurations or body.webhook_configuration_ids:
        raise HTTPException(400, "the local server does not deliver webhooks; poll the job instead")
    inline = body.configuration or _saved(ctx, str(body.configuration_id))
    config = _configuration(ctx, inline)
    sha256, name = _resolve_input(ctx, body.file_input)
    problem = spreadsheet_input_problem(config, name)
    if problem:
        raise HTTPException(400, problem)
    row = ctx.store.add_job(
        {
            "id": new_job_id(),
            "file_input": body.file_input,
            "file_sha256": sha256,
            "file_name": name,
            "configuration": config,
            "configuration_id": body.configuration_id,
        }
    )
    return JSONResponse(job_json(row, ctx.project_id, {"configuration"}))


def _time_bound(name: str, moment: datetime | None) -> str | None:
    """A list filter's time in the store's form; 422 when it has no UTC equivalent."""
    if moment is None:
        return None
    try:
        return to_iso(moment)
    except OverflowError:
        invalid(
            ("query", name),
            "the time is outside the years 1-9999 once converted to UTC",
            moment.isoformat(),
        )


@router.get("", response_model=Page, summary="List extraction jobs, newest first")
def list_jobs(
    ctx: Ctx,
    job_ids: Annotated[list[str] | None, Query()] = None,
    status: KnownStatus | None = None,
    file_input: str | None = None,
    document_input_value: Annotated[str | None, Query(deprecated=True)] = None,
    document_input_type: Annotated[str | None, Query(description="file_id or parse_job_id")] = None,
    configuration_id: str | None = None,
    created_at_on_or_after: datetime | None = None,
    created_at_on_or_before: datetime | None = None,
    expand: Expand = None,
    page_size: Annotated[int, Query(ge=1, le=1000)] = 50,
    page_token: str | None = None,
    project_id: ProjectId = None,
    organization_id: ProjectId = None,
) -> JSONResponse:
    prefixes = {"file_id": "dfl-", "parse_job_id": "pjb-"}
    if document_input_type is not None and document_input_type not in prefixes:
        raise HTTPException(400, "document_input_type must be 'file_id' or 'parse_job_id'")
    before = paging.decode_seq(page_token, "jobs") if page_token else None
    rows = ctx.store.list_jobs(
        job_ids=job_ids or [],
        status=status,
        file_input=file_input or document_input_value,
        input_prefix=prefixes.get(document_input_type or ""),
        configuration_id=configuration_id,
        created_from=_time_bound("created_at_on_or_after", created_at_on_or_after),
        created_to=_time_bound("created_at_on_or_before", created_at_on_or_before),
        before_seq=before,
        limit=page_size + 1,
    )
    more = len(rows) > page_size
    rows = rows[:page_size]
    show = set(expand or []) - {"usage"}
    items = [job_json(row, ctx.project_id, show) for row in rows]
    token = paging.encode({"kind": "jobs", "seq": rows[-1]["seq"]}) if more else None
    return JSONResponse({"items": items, "next_page_token": token, "total_size": None})


@router.get("/{job_id}", response_model=ExtractJob, summary="Get an extraction job")
def get_job(
    ctx: Ctx,
    job_id: str,
    expand: Expand = None,
    project_id: ProjectId = None,
    organization_id: ProjectId = None,
) -> JSONResponse:
    return JSONResponse(job_json(_job(ctx, job_id), ctx.project_id, set(expand or [])))


@router.post(
    "/{job_id}/cancel", response_model=ExtractJob, summary="Cancel a queued or running job"
)
def cancel_job(
    ctx: Ctx, job_id: str, project_id: ProjectId = None, organization_id: ProjectId = None
) -> JSONResponse:
    try:
        row = ctx.store.cancel_job(job_id)
    except StateError as exc:
        raise conflict(
            f"extraction job {job_id} is already {exc.status}; only PENDING or "
            "RUNNING jobs can be cancelled"
        ) from None
    if row is None:
        raise not_found("extraction job", job_id)
    return JSONResponse(job_json(row, ctx.project_id, ()))


@router.delete("/{job_id}", summary="Delete a job and its result")
def delete_job(
    ctx: Ctx,
    job_id: str,
    force: bool = False,
    project_id: ProjectId = None,
    organization_id: ProjectId = None,
) -> JSONResponse:
    with ctx.blob_lock:
        try:
            row = ctx.store.delete_job(job_id, force=force)
        except StateError as exc:
            raise conflict(
                f"extraction job {job_id} is {exc.status}; cancel it first or delete with "
                "force=true"
            ) from None
        if row is None:
            raise not_found("extraction job", job_id)
        if not ctx.store.blob_in_use(row["file_sha256"]):
            ctx.blobs.delete(row["file_sha256"])
    return JSONResponse({})


@router.post(
    "/schema/validation", response_model=SchemaValidation, summary="Validate and normalise a schema"
)
def validate_schema(body: SchemaIn) -> JSONResponse:
    return JSONResponse({"data_schema": normalise_schema(body.data_schema)})
