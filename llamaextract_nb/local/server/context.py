"""Everything a request handler needs, built once per server."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Query, Request

from llamaextract_nb.local.server.settings import ServerSettings
from llamaextract_nb.local.server.signing import LinkSigner
from llamaextract_nb.local.store import BlobStore, Store


@dataclass
class ServerContext:
    settings: ServerSettings
    store: Store
    blobs: BlobStore
    signer: LinkSigner
    project_id: str
    engine_version: str
    blob_lock: threading.Lock = field(default_factory=threading.Lock)
    """Held while a blob is filed with its row, or removed with its last row."""


def get_ctx(request: Request) -> ServerContext:
    ctx: ServerContext = request.app.state.ctx
    return ctx


Ctx = Annotated[ServerContext, Depends(get_ctx)]
"""The server context, as a route parameter."""

ProjectId = Annotated[str | None, Query(description="Ignored: the local server has one project.")]
"""``project_id`` / ``organization_id``: accepted on every route like the service does."""
