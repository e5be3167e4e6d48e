"""Opaque cursor tokens for ``page_token`` / ``next_page_token``."""

from __future__ import annotations

import base64
import json
from typing import Any

from fastapi import HTTPException


def encode(cursor: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(cursor).encode()).decode().rstrip("=")


def invalid_token() -> HTTPException:
    return HTTPException(
        400, "invalid page_token: pass the next_page_token of the previous page unchanged"
    )


def decode(token: str, kind: str) -> dict[str, Any]:
    """The cursor in ``token``; 400 when the token is not one this server issued for ``kind``."""
    try:
        cursor = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except ValueError:
        cursor = None
    if not isinstance(cursor, dict) or cursor.get("kind") != kind:
        raise invalid_token()
    return cursor


def decode_seq(token: str, kind: str) -> int:
    """The row number a ``kind`` token continues after."""
    seq = decode(token, kind).get("seq")
    if not isinstance(seq, int) or isinstance(seq, bool):
        raise invalid_token()
    return seq


def decode_key(token: str, kind: str) -> tuple[Any, int]:
    """The ``(sort value, row number)`` a ``kind`` token continues after."""
    key = decode(token, kind).get("key")
    if not (
        isinstance(key, list)
        and len(key) == 2
        and isinstance(key[0], (str, int))
        and isinstance(key[1], int)
    ):
        raise invalid_token()
    return key[0], key[1]
