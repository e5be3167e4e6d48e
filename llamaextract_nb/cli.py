"""``llamaextract-nb`` command line: ``llamaextract-nb serve [options]``."""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import sys
from pathlib import Path

from llamaextract_nb.local.jobs import DEFAULT_ENGINE, EngineSpecError, load_engine
from llamaextract_nb.local.jobs.memory import DEFAULT_WORKER_MEMORY_MB
from llamaextract_nb.local.server.runner import DataDirBusy, serve_forever
from llamaextract_nb.local.server.settings import (
    DEFAULT_JOB_TIMEOUT,
    MAX_UPLOAD_BYTES,
    ServerSettings,
    default_data_dir,
    default_workers,
)
from llamaextract_nb.local.store.integrity import DataDirCorrupt

API_KEY_ENV = "LLAMAEXTRACT_NB_API_KEY"
ENGINE_ENV = "LLAMAEXTRACT_NB_ENGINE"
MIN_WORKER_MEMORY_MB = 512  # a worker with the engine loaded holds ~130 MB of data


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="llamaextract-nb", description="Notebook workbench for LlamaExtract v2."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser(
        "serve",
        help="run the local server (the LlamaExtract v2 REST API, offline)",
        description="Run the local server: the LlamaExtract v2 REST API backed by SQLite, "
        "a pool of worker processes and the local extraction engine.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8765, help="port (0 = any free port)")
    serve.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help=f"database and uploaded files (default {default_data_dir()})",
    )
    key = serve.add_mutually_exclusive_group()
    key.add_argument(
        "--api-key-file",
        type=Path,
        default=None,
        help="file holding the bearer token clients must send (default: "
        f"${API_KEY_ENV}, else a random one printed at start)",
    )
    key.add_argument(
        "--api-key",
        default=None,
        help="the bearer token itself; visible to every local user in the process list, so "
        f"prefer ${API_KEY_ENV} or --api-key-file",
    )
    serve.add_argument(
        "--workers", type=int, default=default_workers(), help="extraction worker processes"
    )
    serve.add_argument(
        "--engine",
        default=os.environ.get(ENGINE_ENV, DEFAULT_ENGINE),
        help=f"extraction engine as module:callable (default: ${ENGINE_ENV}, else "
        f"{DEFAULT_ENGINE})",
    )
    serve.add_argument(
        "--max-upload-mb",
        type=int,
        default=MAX_UPLOAD_BYTES // (1024 * 1024),
        help="largest accepted upload in MB (default 100)",
    )
    serve.add_argument(
        "--job-timeout",
        type=float,
        default=DEFAULT_JOB_TIMEOUT,
        help="seconds a job may run before it fails (0 = no limit; default 600)",
    )
    serve.add_argument(
        "--worker-memory-mb",
        type=int,
        default=DEFAULT_WORKER_MEMORY_MB,
        help="memory each worker process may use; a job needing more ends FAILED "
        f"(0 = no limit; default {DEFAULT_WORKER_MEMORY_MB})",
    )
    serve.add_argument(
        "--reset-corrupt",
        action="store_true",
        help="when the database is damaged or lost, move it and the uploads aside "
        "(to <data-dir>/corrupt-<time>) and start empty, instead of refusing to start",
    )
    serve.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    return parser


def _api_key(args: argparse.Namespace) -> str | None:
    """The token from ``--api-key-file``, ``--api-key`` (with a warning) or the environment;
    ``ValueError`` when the file cannot be used."""
    if args.api_key_file is not None:
        path = args.api_key_file.expanduser()
        try:
            key = path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise ValueError(f"cannot read --api-key-file {path}: {exc}") from None
        if not key:
            raise ValueError(f"--api-key-file {path} is empty; write the token into it")
        if hasattr(os, "getuid") and path.stat().st_mode & 0o077:
            print(
                f"warning: {path} can be read by other users; chmod 600 it",
                file=sys.stderr,
                flush=True,
            )
        return key
    if args.api_key:
        print(
            "warning: --api-key on the command line is visible to every local user in the "
            f"process list; set ${API_KEY_ENV} or use --api-key-file instead",
            file=sys.stderr,
            flush=True,
        )
        return str(args.api_key)
    return os.environ.get(API_KEY_ENV) or None


def serve(args: argparse.Namespace) -> int:
    if args.workers < 1:
        print("error: --workers must be at least 1", file=sys.stderr)
        return 2
    if 0 < args.worker_memory_mb < MIN_WORKER_MEMORY_MB:
        print(
            f"error: --worker-memory-mb must be 0 (no limit) or at least {MIN_WORKER_MEMORY_MB}",
            file=sys.stderr,
        )
        return 2
    try:
        load_engine(args.engine)
    except EngineSpecError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        api_key = _api_key(args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    generated = not api_key
    settings = ServerSettings(
        data_dir=(args.data_dir or default_data_dir()).expanduser().resolve(),
        api_key=api_key or "llx-local-" + secrets.token_urlsafe(24),
        workers=args.workers,
        engine=args.engine,
        max_upload_bytes=args.max_upload_mb * 1024 * 1024,
        job_timeout=args.job_timeout if args.job_timeout > 0 else None,
        worker_memory_mb=args.worker_memory_mb if args.worker_memory_mb > 0 else None,
        reset_corrupt=args.reset_corrupt,
    )

    def announce(base_url: str) -> None:
        print(f"llamaextract-nb local server: serving on {base_url}", flush=True)
        if args.host not in ("127.0.0.1", "localhost", "::1"):
            print(
                f"  warning: bound to {args.host}, so other machines can reach this server; "
                "anyone holding the api key can read every uploaded document",
                flush=True,
            )
        print(f"  data directory: {settings.data_dir}", flush=True)
        memory = f"{settings.worker_memory_mb:,} MB" if settings.worker_memory_mb else "no limit"
        print(
            f"  workers: {settings.workers} ({memory} each), engine: {settings.engine}",
            flush=True,
        )
        if generated:
            # The operator needs the generated token to connect; it is shown once, here.
            print(f"  api key (generated): {settings.api_key}", flush=True)
        print(f"  connect with: Client(base_url={base_url!r}, api_key=...)", flush=True)

    logging.basicConfig(format="%(levelname)-9s %(name)s: %(message)s")
    logging.getLogger("llamaextract_nb").setLevel(args.log_level.upper())
    try:
        serve_forever(settings, args.host, args.port, announce, args.log_level)
    except (DataDirBusy, DataDirCorrupt) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        return serve(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
