"""Error answers in the service's shapes: ``{"detail": str}`` and FastAPI's 422 list."""

from __future__ import annotations

import logging
import uuid
from typing import Any, NoReturn

from fastapi import FastAPI, HTTPException, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from llamaextract_nb.local.server.bodies import SCHEMA_LIMIT
from llamaextract_nb.schema.refs import MAX_NESTING, nesting

log = logging.getLogger("llamaextract_nb.server")

NO_RETRY = {"x-should-retry": "false"}


def not_found(what: str, ident: str, hint: str = "") -> HTTPException:
    """404 naming the id, e.g. ``file dfl-… not found``."""
    return HTTPException(404, f"{what} {ident} not found{hint}")


def conflict(message: str) -> HTTPException:
    """409 that clients must not retry (the state will not change by itself)."""
    return HTTPException(409, message, headers=NO_RETRY)


def invalid(
    loc: tuple[str | int, ...], msg: str, value: Any, kind: str = "value_error"
) -> NoReturn:
    """Raise a 422 in FastAPI's list form for one field."""
    raise RequestValidationError([{"type": kind, "loc": loc, "msg": msg, "input": value}])


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    correlation = uuid.uuid4()
    log.error(
        "unexpected error on %s %s [%s]",
        request.method,
        request.url.path,
        correlation,
        exc_info=exc,
    )
    return JSONResponse(
        {
            "detail": "Oops! Something went wrong on the local server; see its log for "
            f"correlation ID: {correlation}"
        },
        status_code=500,
    )


async def _overflow(request: Request, exc: Exception) -> JSONResponse:
    """A number in the request past what the server can represent: the caller's to fix."""
    return JSONResponse(
        {"detail": f"a value in the request is out of range ({exc}); use smaller numbers"},
        status_code=400,
        headers=NO_RETRY,
    )


async def _invalid_request(request: Request, exc: Exception) -> JSONResponse:
    """A schema refused for its shape answers 400 with its reason; any other problem FastAPI's
    422 list, with an ``input`` too deeply nested to echo safely left out."""
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    refused = [e for e in errors if e.get("type") == SCHEMA_LIMIT]
    if refused:
        detail = "; ".join(f"{_where(e.get('loc', ()))}: {e.get('msg', '')}" for e in refused)
        return JSONResponse({"detail": detail}, status_code=400)
    return JSONResponse({"detail": jsonable_encoder([_echoable(e) for e in errors])}, 422)


def _where(loc: Any) -> str:
    return ".".join(str(part) for part in loc if part != "body") or "body"


def _echoable(error: Any) -> Any:
    if isinstance(error, dict) and nesting(error.get("input")) > MAX_NESTING:
        return {**error, "input": f"(not echoed: nested over {MAX_NESTING} levels)"}
    return error


async def _http_error(request: Request, exc: Exception) -> Response:
    """FastAPI's answer, naming the cause of a body too deeply nested to parse."""
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400 and isinstance(exc.__cause__, RecursionError):
        exc = HTTPException(
            400,
            "the JSON body nests too deeply to be read; a data_schema may nest at most "
            f"{MAX_NESTING} levels of objects and arrays (an extraction schema 7 levels of "
            "properties): flatten it",
        )
    return await http_exception_handler(request, exc)


def install(app: FastAPI) -> None:
    """Register the error answers: 400 for schemas refused for their shape and for overflowing
    input, a 422 that never echoes what it cannot serialise, a logged 500 for anything else."""
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(OverflowError, _overflow)
    app.add_exception_handler(Exception, _unexpected)
