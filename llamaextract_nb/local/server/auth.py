"""Bearer-token check answering exactly as the service does."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

_bearer = HTTPBearer(auto_error=False, description="The server's API key as a bearer token.")
_CHALLENGE = {"WWW-Authenticate": "Bearer"}


def require_token(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> None:
    """401 ``Not authenticated`` without a bearer token, ``Invalid authentication token`` when
    it is wrong."""
    if credentials is None or not credentials.credentials:
        raise HTTPException(401, "Not authenticated", headers=_CHALLENGE)
    expected: str = request.app.state.ctx.settings.api_key
    if not hmac.compare_digest(credentials.credentials.encode(), expected.encode()):
        raise HTTPException(401, "Invalid authentication token", headers=_CHALLENGE)
