"""``/api/v1/beta/files``: upload, get, list, delete, content (a signed link served here)."""

from __future__ import annotations

import mimetypes
import time
from datetime import datetime, timezone
from pathlib import PurePath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, Field

from llamaextract_nb.api.models import FILE_PURPOSES, File, Page, PresignedURL
from llamaextract_nb.local.server import paging
from llamaextract_nb.local.server.auth import require_token
from llamaextract_nb.local.server.context import Ctx, ProjectId, ServerContext
from llamaextract_nb.local.server.errors import invalid, not_found
from llamaextract_nb.local.server.ids import file_key, new_file_id
from llamaextract_nb.local.server.upload import receive_upload
from llamaextract_nb.local.server.views import file_json
from llamaextract_nb.local.store import to_iso
from llamaextract_nb.local.store.blobs import BlobWriter
from llamaextract_nb.local.store.db import Row

router = APIRouter(
    prefix="/api/v1/beta/files", tags=["files"], dependencies=[Depends(require_token)]
)
downloads = APIRouter(tags=["files"])

DEFAULT_LINK_SECONDS = 3600

_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file", "purpose"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "purpose": {"type": "string", "enum": list(FILE_PURPOSES)},
                        "external_file_id": {"type": "string", "nullable": True},
                    },
                }
            }
        },
    }
}


def _download_url(
    request: Request, ctx: ServerContext, file_id: str, seconds: int
) -> dict[str, Any]:
    expires = time.time() + seconds
    token = ctx.signer.issue(file_id, expires)
    return {
        "url": str(request.url_for("download_file", token=token)),
        "expires_at": to_iso(datetime.fromtimestamp(expires, tz=timezone.utc)),
        "form_fields": None,
    }


def _get(ctx: ServerContext, file_id: str) -> Row:
    row = ctx.store.get_file(file_key(file_id))
    if row is None:
        raise not_found("file", file_id)
    return row


@router.post(
    "",
    status_code=201,
    response_model=File,
    openapi_extra=_UPLOAD_BODY,
    summary="Upload a file (multipart: file, purpose, external_file_id)",
)
async def upload_file(
    request: Request, ctx: Ctx, project_id: ProjectId = None, organization_id: ProjectId = None
) -> JSONResponse:
    upload = await receive_upload(request, ctx.blobs, ctx.settings.max_upload_bytes)
    try:
        if upload.writer is None:
            invalid(("body", "file"), "Field required", None, "missing")
        purpose = upload.fields.get("purpose")
        if purpose is None:
            invalid(("body", "purpose"), "Field required", None, "missing")
        elif purpose not in FILE_PURPOSES:
            invalid(
                ("body", "purpose"),
                "Input should be " + ", ".join(repr(p) for p in FILE_PURPOSES),
                purpose,
                "enum",
            )
    except BaseException:
        upload.discard()
        raise
    assert upload.writer is not None
    name = PurePath((upload.filename or "upload").replace("\\", "/")).name or "upload"
    record = {
        "id": new_file_id(),
        "name": name,
        "file_type": PurePath(name).suffix.lstrip(".").lower() or None,
        "purpose": purpose,
        "external_file_id": upload.fields.get("external_file_id") or None,
        "size": upload.writer.size,
    }
    row = await run_in_threadpool(_file_upload, ctx, upload.writer, record)
    return JSONResponse(file_json(row, ctx.project_id), status_code=201)


def _file_upload(ctx: ServerContext, writer: BlobWriter, record: Row) -> Row:
    """Move the bytes to their content address and record the file (off the event loop)."""
    with ctx.blob_lock:
        return ctx.store.add_file({**record, "sha256": writer.finish()})


def _page(
    request: Request,
    ctx: ServerContext,
    *,
    file_ids: list[str],
    file_name: str | None,
    external_file_id: str | None,
    order: str,
    expand: list[str],
    page_size: int,
    page_token: str | None,
) -> JSONResponse:
    """One cursor page of files matching the filters."""
    kind = f"files:{order}"
    rows = ctx.store.list_files(
        file_ids=[file_key(f) for f in file_ids],
        file_name=file_name,
        external_file_id=external_file_id,
        order_by=order,
        after=paging.decode_key(page_token, kind) if page_token else None,
        limit=page_size + 1,
    )
    more = len(rows) > page_size
    rows = rows[:page_size]
    with_link = "download_url" in expand
    items = [
        file_json(
            r,
            ctx.project_id,
            _download_url(request, ctx, r["id"], DEFAULT_LINK_SECONDS) if with_link else None,
        )
        for r in rows
    ]
    token = None
    if more:
        last = rows[-1]
        key = [last["seq"] if order == "created_at" else last[order], last["seq"]]
        token = paging.encode({"kind": kind, "key": key})
    return JSONResponse({"items": items, "next_page_token": token, "total_size": None})


@router.get("", response_model=Page, summary="List files (cursor pages)")
def list_files(
    request: Request,
    ctx: Ctx,
    file_ids: Annotated[list[str] | None, Query()] = None,
    file_name: str | None = None,
    external_file_id: str | None = None,
    order_by: Literal["created_at", "name", "id"] | None = None,
    expand: Annotated[list[str] | None, Query()] = None,
    page_size: Annotated[int, Query(ge=1, le=1000)] = 50,
    page_token: str | None = None,
    project_id: ProjectId = None,
    organization_id: ProjectId = None,
) -> JSONResponse:
    return _page(
        request,
        ctx,
        file_ids=file_ids or [],
        file_name=file_name,
        external_file_id=external_file_id,
        order=order_by or "created_at",
        expand=expand or [],
        page_size=page_size,
        page_token=page_token,
    )


class QueryFilter(BaseModel):
    file_ids: list[str] | None = Field(default=None, max_length=1000)
    file_name: str | None = None
    external_file_id: str | None = None


class FileQuery(BaseModel):
    """Body of the deprecated ``POST /api/v1/beta/files/query``."""

    filter: QueryFilter | None = None
    order_by: str | None = None
    page_size: int = Field(default=50, ge=1)
    page_token: str | None = None


_QUERY_ORDERS = {
    "": "created_at",
    "created_at": "created_at",
    "created_at desc": "created_at",
    "name": "name",
    "id": "id",
}


@router.post("/query", response_model=Page, summary="Search files (deprecated: use GET /files)")
def query_files(
    request: Request,
    body: FileQuery,
    ctx: Ctx,
    project_id: ProjectId = None,
    organization_id: ProjectId = None,
) -> JSONResponse:
    wanted = " ".join((body.order_by or "").lower().split()).removesuffix(" asc")
    order = _QUERY_ORDERS.get(wanted)
    if order is None:
        raise HTTPException(400, "order_by must be 'name', 'id' or 'created_at desc'")
    found = body.filter or QueryFilter()
    return _page(
        request,
        ctx,
        file_ids=found.file_ids or [],
        file_name=found.file_name,
        external_file_id=found.external_file_id,
        order=order,
        expand=[],
        page_size=min(body.page_size, 1000),  # the service coerces larger sizes
        page_token=body.page_token,
    )


@router.get("/{file_id}", response_model=File, summary="Get a file's metadata")
def get_file(
    request: Request,
    ctx: Ctx,
    file_id: str,
    expand: Annotated[list[str] | None, Query()] = None,
    project_id: ProjectId = None,
    organization_id: ProjectId = None,
) -> JSONResponse:
    row = _get(ctx, file_id)
    link = None
    if "download_url" in (expand or []):
        link = _download_url(request, ctx, row["id"], DEFAULT_LINK_SECONDS)
    return JSONResponse(file_json(row, ctx.project_id, link))


@router.delete("/{file_id}", status_code=204, summary="Delete a file")
def delete_file(
    ctx: Ctx, file_id: str, project_id: ProjectId = None, organization_id: ProjectId = None
) -> Response:
    with ctx.blob_lock:
        row = ctx.store.delete_file(file_key(file_id))
        if row is None:
            raise not_found("file", file_id)
        if not ctx.store.blob_in_use(row["sha256"]):
            ctx.blobs.delete(row["sha256"])
    return Response(status_code=204)


@router.get("/{file_id}/content", response_model=PresignedURL, summary="A signed download link")
def file_content(
    request: Request,
    ctx: Ctx,
    file_id: str,
    expires_at_seconds: Annotated[int | None, Query(ge=1, le=7 * 24 * 3600)] = None,
    project_id: ProjectId = None,
    organization_id: ProjectId = None,
) -> JSONResponse:
    row = _get(ctx, file_id)
    seconds = expires_at_seconds or DEFAULT_LINK_SECONDS
    return JSONResponse(_download_url(request, ctx, row["id"], seconds))


@downloads.get(
    "/local/downloads/{token}",
    name="download_file",
    summary="The bytes behind a signed link (no bearer token needed)",
    response_class=FileResponse,
)
def download_file(ctx: Ctx, token: str) -> FileResponse:
    try:
        file_id = ctx.signer.check(token)
    except ValueError as exc:
        raise HTTPException(403, str(exc)) from None
    row = ctx.store.get_file(file_id)
    if row is None:
        raise not_found("file", file_id)
    media_type = mimetypes.guess_type(row["name"])[0] or "application/octet-stream"
    # an attachment, never rendered: an uploaded HTML page must not run on this origin
    return FileResponse(
        ctx.blobs.path(row["sha256"]),
        media_type=media_type,
        filename=row["name"],
        headers={"X-Content-Type-Options": "nosniff"},
    )
