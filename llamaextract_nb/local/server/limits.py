"""Request-size limits: a cap on JSON bodies (413) and on the system prompt (422).

Uploads have their own streaming limit (``--max-upload-mb``, see :mod:`.upload`); every other
body is JSON and is refused past :data:`MAX_JSON_BODY_BYTES` before it is parsed.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

MAX_JSON_BODY_BYTES = 8 * 1024 * 1024
"""Largest JSON request body: room for the biggest schema the service accepts (120,000
characters of text over 5,000 properties) many times over."""

MAX_SYSTEM_PROMPT_CHARS = 50_000
"""Longest ``system_prompt``: extra instructions, not a document."""

UPLOAD_PATH = "/api/v1/beta/files"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def too_large_detail(limit: int) -> str:
    return (
        f"the request body is larger than the local server's limit of {limit // (1024 * 1024)} "
        "MB for JSON bodies; send a smaller schema or system prompt"
    )


class BodyLimit:
    """ASGI middleware: 413 for a JSON body over ``limit`` bytes (uploads pass through).

    A declared ``Content-Length`` is judged at once; a chunked body is read up to the limit
    and then handed on, so nothing larger is ever buffered.
    """

    def __init__(self, app: ASGIApp, limit: int = MAX_JSON_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        if scope["path"].rstrip("/") == UPLOAD_PATH:
            await self.app(scope, receive, send)  # streamed to disk under its own limit
            return
        length = _content_length(scope)
        if length is not None:
            if length > self.limit:
                await self._refuse(send)
                return
            await self.app(scope, receive, send)  # the server holds the body to that length
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            body += message.get("body", b"")
            if len(body) > self.limit:
                await self._refuse(send)
                return
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}

        await self.app(scope, replay, send)

    async def _refuse(self, send: Send) -> None:
        payload = json.dumps({"detail": too_large_detail(self.limit)}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(payload)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() and len(text) < 19 else None
    return None
