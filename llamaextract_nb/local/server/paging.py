"""Opaque cursor tokens for ``page_token`` / ``next_page_token``."""

from __future__ import annotations

import base64
import json
from typing import Any, TypeGuard

from fastapi import HTTPException

MAX_SEQ = 2**63 - 1
"""Row numbers are SQLite integers: a token naming a larger one was not issued here."""


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
    except (ValueError, RecursionError):  # not base64/JSON, or nested past the parser
        cursor = None
    if not isinstance(cursor, dict) or cursor.get("kind") != kind:
        raise invalid_token()
    return cursor


def decode_seq(token: str, kind: str) -> int:
    """The row number a ``kind`` token continues after."""
    seq = decode(token, kind).get("seq")
    if not _row_number(seq):
        raise invalid_token()
    return seq


def decode_key(token: str, kind: str) -> tuple[Any, int]:
    """The ``(sort value, row number)`` a ``kind`` token continues after."""
    key = decode(token, kind).get("key")
    if not (
        isinstance(key, list)
        and len(key) == 2
        and (isinstance(key[0], str) or _row_number(key[0]))
        and _row_number(key[1])
    ):
        raise invalid_token()
    return key[0], key[1]


def _row_number(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_SEQ
