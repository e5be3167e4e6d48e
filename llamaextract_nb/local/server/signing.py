"""Signed, expiring download links for ``GET /api/v1/beta/files/{id}/content``."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time


class LinkSigner:
    """Issues and checks ``<payload>.<signature>`` tokens carrying a file id and an expiry."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _sign(self, payload: str) -> str:
        return hmac.new(self._secret, payload.encode(), hashlib.sha256).hexdigest()[:32]

    def issue(self, file_id: str, expires_at: float) -> str:
        payload = base64.urlsafe_b64encode(
            json.dumps({"f": file_id, "e": int(expires_at)}).encode()
        ).decode()
        return f"{payload}.{self._sign(payload)}"

    def check(self, token: str, now: float | None = None) -> str:
        """The file id in ``token``; ``ValueError`` saying why when it is forged or expired."""
        payload, _, signature = token.partition(".")
        if not hmac.compare_digest(signature.encode(), self._sign(payload).encode()):
            raise ValueError("this download link is not valid")
        claims = json.loads(base64.urlsafe_b64decode(payload))
        if (now if now is not None else time.time()) > claims["e"]:
            raise ValueError("this download link has expired; request a new one")
        return str(claims["f"])
