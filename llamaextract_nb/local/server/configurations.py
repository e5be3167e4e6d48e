"""``/api/v1/beta/configurations``: saved configurations, usable as ``configuration_id``."""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from llamaextract_nb.api.models import Page
from llamaextract_nb.local.server import paging
from llamaextract_nb.local.server.auth import require_token
from llamaextract_nb.local.server.bodies import SCHEMA_LIMIT, ConfigurationIn, bounded_schema
from llamaextract_nb.local.server.context import Ctx, ProjectId, ServerContext
from llamaextract_nb.local.server.errors import conflict, not_found
from llamaextract_nb.local.server.extract import normalise_schema
from llamaextract_nb.local.store.db import NameTaken, Row
from llamaextract_nb.schema.refs import MAX_NESTING, nesting

router = APIRouter(
    prefix="/api/v1/beta/configurations",
    tags=["configurations"],
    dependencies=[Depends(require_token)],
)

ProductType = Literal[
    "classify_v2", "extract_v2", "parse_v2", "split_v1", "spreadsheet_v1", "unknown"
]


class Parameters(BaseModel):
    """Product parameters; ``extract_v2`` ones are checked like an inline configuration."""

    model_config = ConfigDict(extra="allow")

    product_type: ProductType

    @model_validator(mode="after")
    def _bounded(self) -> Parameters:
        extra = self.model_extra or {}
        if isinstance(extra.get("data_schema"), dict):
            bounded_schema(extra["data_schema"])
        depth = nesting(extra)
        if depth > MAX_NESTING:
            raise PydanticCustomError(
                SCHEMA_LIMIT,
                f"the parameters nest {depth} levels of JSON objects and arrays; at most "
                f"{MAX_NESTING} are accepted",
            )
        return self


class ConfigurationCreate(BaseModel):
    name: str = Field(min_length=1, max_length=255)
    parameters: Parameters


class ConfigurationUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=255)
    parameters: Parameters | None = None


def checked(parameters: Parameters) -> dict[str, Any]:
    """The parameters to store; for ``extract_v2`` with the defaults filled in (422 if bad)."""
    raw = parameters.model_dump(mode="json")
    if parameters.product_type != "extract_v2":
        return raw
    try:
        config = ConfigurationIn.model_validate(raw)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("body", "parameters", *e["loc"])} for e in exc.errors()]
        ) from None
    stored = config.model_dump(mode="json")
    stored["data_schema"] = normalise_schema(stored["data_schema"])
    return {"product_type": "extract_v2", **stored}


def configuration_json(row: Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "parameters": json.loads(row["parameters"]),
        "product_type": row["product_type"],
        "version": row["updated_at"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def _get(ctx: ServerContext, config_id: str) -> Row:
    row = ctx.store.get_configuration(config_id)
    if row is None:
        raise not_found("configuration", config_id)
    return row


@router.post("", status_code=201, summary="Create or update (by name and product) a configuration")
def save_configuration(
    body: ConfigurationCreate,
    ctx: Ctx,
    project_id: ProjectId = None,
    organization_id: ProjectId = None,
) -> JSONResponse:
    parameters = checked(body.parameters)
    row = ctx.store.save_configuration(
        f"cfg-{uuid.uuid4()}", body.name, body.parameters.product_type, parameters
    )
    return JSONResponse(configuration_json(row), status_code=201)


@router.get("", response_model=Page, summary="List configurations, newest first")
def list_configurations(
    ctx: Ctx,
    product_type: Annotated[list[ProductType] | None, Query()] = None,
    name: str | None = None,
    latest_only: bool = False,
    page_size: Annotated[int, Query(ge=1, le=1000)] = 50,
    page_token: str | None = None,
    project_id: ProjectId = None,
    organization_id: ProjectId = None,
) -> JSONResponse:
    # One version is kept per name and product, so latest_only changes nothing here.
    rows = ctx.store.list_configurations(
        product_types=product_type or [],
        name=name,
        before_seq=paging.decode_seq(page_token, "configurations") if page_token else None,
        limit=page_size + 1,
    )
    more = len(rows) > page_size
    rows = rows[:page_size]
    token = paging.encode({"kind": "configurations", "seq": rows[-1]["seq"]}) if more else None
    items = [configuration_json(row) for row in rows]
    return JSONResponse({"items": items, "next_page_token": token, "total_size": None})


@router.get("/{config_id}", summary="Get a configuration")
def get_configuration(
    ctx: Ctx, config_id: str, project_id: ProjectId = None, organization_id: ProjectId = None
) -> JSONResponse:
    return JSONResponse(configuration_json(_get(ctx, config_id)))


@router.put("/{config_id}", summary="Rename a configuration or replace its parameters")
def update_configuration(
    body: ConfigurationUpdate,
    ctx: Ctx,
    config_id: str,
    project_id: ProjectId = None,
    organization_id: ProjectId = None,
) -> JSONResponse:
    current = _get(ctx, config_id)
    parameters = None
    if body.parameters is not None:
        if body.parameters.product_type != current["product_type"]:
            raise HTTPException(
                400,
                f"configuration {config_id} is a {current['product_type']} configuration; "
                "its product_type cannot change",
            )
        parameters = checked(body.parameters)
    try:
        row = ctx.store.update_configuration(config_id, body.name, parameters)
    except NameTaken:
        raise conflict(
            f"another {current['product_type']} configuration is already named {body.name!r}"
        ) from None
    if row is None:
        raise not_found("configuration", config_id)
    return JSONResponse(configuration_json(row))


@router.delete("/{config_id}", status_code=204, summary="Delete a configuration")
def delete_configuration(
    ctx: Ctx, config_id: str, project_id: ProjectId = None, organization_id: ProjectId = None
) -> Response:
    if not ctx.store.delete_configuration(config_id):
        raise not_found("configuration", config_id)
    return Response(status_code=204)
