"""Error answers in the service's shapes: ``{"detail": str}`` and FastAPI's 422 list."""

from __future__ import annotations

import logging
import uuid
from typing import Any, NoReturn

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

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


def install(app: FastAPI) -> None:
    """Register the handlers: overflowing input is a 400, anything else unexpected a logged
    500."""
    app.add_exception_handler(OverflowError, _overflow)
    app.add_exception_handler(Exception, _unexpected)
