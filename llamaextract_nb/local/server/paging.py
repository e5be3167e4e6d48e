"""Opaque cursor tokens for ``page_token`` / ``next_page_token``."""

from __future__ import annotations

import base64
import json
from typing import Any

from fastapi import HTTPException


def encode(cursor: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(cursor).encode()).decode().rstrip("=")


def decode(token: str, kind: str) -> dict[str, Any]:
    """The cursor in ``token``; 400 when the token is not one this server issued for ``kind``."""
    try:
        cursor = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except ValueError:
        cursor = None
    if not isinstance(cursor, dict) or cursor.get("kind") != kind:
        raise HTTPException(
            400, "invalid page_token: pass the next_page_token of the previous page unchanged"
        )
    return cursor
