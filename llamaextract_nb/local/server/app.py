"""The FastAPI application of the local server."""

from __future__ import annotations

import logging
import secrets
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from llamaextract_nb import __version__
from llamaextract_nb.local.jobs import WorkerPool
from llamaextract_nb.local.server import configurations, errors, extract, files, suggest
from llamaextract_nb.local.server.context import ServerContext
from llamaextract_nb.local.server.limits import BodyLimit
from llamaextract_nb.local.server.settings import ServerSettings
from llamaextract_nb.local.server.signing import LinkSigner
from llamaextract_nb.local.store import BlobStore, Store

log = logging.getLogger("llamaextract_nb.server")


def open_context(settings: ServerSettings) -> ServerContext:
    """Open (or create) the data directory: database, blobs, persistent ids and secrets."""
    settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # private: documents
    store = Store(settings.db_path)
    return ServerContext(
        settings=settings,
        store=store,
        blobs=BlobStore(settings.blob_dir, clean=True),
        signer=LinkSigner(bytes.fromhex(store.meta("link_secret", secrets.token_hex(32)))),
        project_id=store.meta("project_id", str(uuid.uuid4())),
        engine_version=f"local-{__version__}",
    )


def create_app(settings: ServerSettings) -> FastAPI:
    """The app; on startup it requeues interrupted jobs and starts the worker pool."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        ctx = open_context(settings)
        requeued = ctx.store.requeue_interrupted()
        if requeued:
            log.info("requeued %d job(s) interrupted by the previous shutdown", requeued)
        pool = WorkerPool(
            ctx.store,
            settings.blob_dir,
            settings.engine,
            settings.workers,
            settings.job_timeout,
            settings.worker_memory_mb,
        )
        pool.start()
        app.state.ctx = ctx
        app.state.pool = pool
        try:
            yield
        finally:
            pool.stop()

    app = FastAPI(
        title="llamaextract-nb local server",
        version=__version__,
        description="The LlamaExtract v2 REST API, served offline by the local engine.",
        lifespan=lifespan,
    )
    errors.install(app)
    app.add_middleware(BodyLimit)
    app.include_router(files.router)
    app.include_router(files.downloads)
    app.include_router(suggest.router)
    app.include_router(extract.router)
    app.include_router(configurations.router)
    return app
