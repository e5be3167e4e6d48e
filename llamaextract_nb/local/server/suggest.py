"""``POST /api/v2/extract/schema/generate``: a schema suggested from documents.

The v2 body (``prompt``, ``file_id``, ``data_schema``, ``name``, all optional) plus one
local extension, ``file_ids`` (several documents in one request, so that fields are
ranked and typed over all of them). The answer has the v2 shape ``{"name", "parameters":
{"product_type": "extract_v2", "data_schema"}}``; ``parameters`` also carries
``field_sources`` (per dotted field path: file_id, document, page, label, value),
``file_ids`` (the documents read) and ``notes``. With ``data_schema`` the suggestion is
merged into it: the given fields stay as written, new ones are added after them.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from llamaextract_nb.local.engine import DocumentError
from llamaextract_nb.local.engine.suggest import suggest_schema
from llamaextract_nb.local.server.auth import require_token
from llamaextract_nb.local.server.context import Ctx, ProjectId, ServerContext
from llamaextract_nb.local.server.errors import not_found
from llamaextract_nb.local.server.extract import normalise_schema
from llamaextract_nb.local.server.ids import file_key
from llamaextract_nb.schema import Schema, SchemaError
from llamaextract_nb.schema.suggestion import SOURCES_KEY, merge

MAX_FILES = 20
MAX_TOTAL_BYTES = 50 << 20
"""Documents one suggestion reads, together: they are parsed in the server's own process."""

router = APIRouter(
    prefix="/api/v2/extract", tags=["extract"], dependencies=[Depends(require_token)]
)


class GenerateIn(BaseModel):
    """Body of ``schema/generate``; unknown keys are ignored."""

    model_config = ConfigDict(extra="ignore")

    prompt: str | None = Field(default=None, max_length=4000)
    file_id: str | None = Field(default=None, max_length=200)
    file_ids: list[str] | None = Field(
        default=None, max_length=MAX_FILES, description="Local extension: several documents."
    )
    data_schema: dict[str, Any] | None = None
    name: str | None = Field(default=None, max_length=255)


def _documents(ctx: ServerContext, file_ids: list[str]) -> list[tuple[str, str, bytes]]:
    """``(file id, name, content)`` of each file, 404 for an unknown one; 400 before anything
    is read when together they are larger than :data:`MAX_TOTAL_BYTES`."""
    rows = []
    for file_id in file_ids:
        row = ctx.store.get_file(file_key(file_id))
        if row is None:
            raise not_found("file", file_id)
        rows.append((file_id, row))
    total = sum(int(row["size"]) for _, row in rows)
    if total > MAX_TOTAL_BYTES:
        raise HTTPException(
            400,
            f"the documents add up to {total / (1 << 20):.1f} MB; a suggestion reads at most "
            f"{MAX_TOTAL_BYTES >> 20} MB of documents: suggest from fewer or smaller samples",
        )
    return [(fid, str(row["name"]), ctx.blobs.read(row["sha256"])) for fid, row in rows]


@router.post("/schema/generate", summary="Suggest a schema from documents (and a prompt)")
def generate_schema(
    body: GenerateIn, ctx: Ctx, project_id: ProjectId = None, organization_id: ProjectId = None
) -> JSONResponse:
    file_ids = list(
        dict.fromkeys([*([body.file_id] if body.file_id else []), *(body.file_ids or [])])
    )
    if not file_ids:
        raise HTTPException(
            400,
            "give a file_id (or file_ids): the local server suggests a schema from the fields "
            "it finds in documents; a prompt alone needs LlamaCloud's language model",
        )
    if len(file_ids) > MAX_FILES:
        raise HTTPException(400, f"at most {MAX_FILES} files per request (got {len(file_ids)})")
    existing = normalise_schema(body.data_schema) if body.data_schema is not None else None
    documents = _documents(ctx, file_ids)
    try:
        suggestion = suggest_schema(documents, body.prompt)
    except DocumentError as exc:
        raise HTTPException(400, str(exc)) from None
    names = {fid: name for fid, name, _ in documents}
    schema = suggestion.data_schema()
    if existing is not None:
        try:
            schema = merge(Schema.from_dict(existing), Schema.from_dict(schema)).to_json_schema()
        except SchemaError as exc:
            raise HTTPException(400, f"data_schema: {exc}") from None
    sources = {
        path: [{"file_id": s["document"], **s, "document": names[s["document"]]} for s in found]
        for path, found in suggestion.sources().items()
    }
    first = names[file_ids[0]]
    parameters = {
        "product_type": "extract_v2",
        "data_schema": normalise_schema(schema),
        SOURCES_KEY: sources,
        "file_ids": file_ids,
        "notes": suggestion.notes,
    }
    name = body.name or f"Suggested from {first}" + (
        f" and {len(file_ids) - 1} more" if len(file_ids) > 1 else ""
    )
    return JSONResponse({"name": name[:255], "parameters": parameters})
