"""SQLite (WAL) persistence of files, jobs, results and parse jobs.

Every process (the API and each worker) opens its own :class:`Store`; each thread gets its
own connection. Statements are short: reads never block behind a running extraction.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from llamaextract_nb.api.models import UNFINISHED_STATUSES

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    file_type TEXT,
    purpose TEXT,
    external_file_id TEXT,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS files_sha256 ON files (sha256);
CREATE TABLE IF NOT EXISTS jobs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    file_input TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    file_name TEXT NOT NULL,
    configuration TEXT NOT NULL,
    configuration_id TEXT,
    error_message TEXT,
    worker_pid INTEGER,
    claim TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs (status, seq);
CREATE INDEX IF NOT EXISTS jobs_file_input ON jobs (file_input, seq);
CREATE INDEX IF NOT EXISTS jobs_file_sha256 ON jobs (file_sha256);
CREATE TABLE IF NOT EXISTS results (
    job_id TEXT PRIMARY KEY,
    extract_result TEXT,
    extract_metadata TEXT,
    usage TEXT
);
CREATE TABLE IF NOT EXISTS configurations (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    product_type TEXT NOT NULL,
    parameters TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (name, product_type)
);
CREATE TABLE IF NOT EXISTS parse_jobs (
    id TEXT PRIMARY KEY,
    job_id TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    file_name TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS parse_jobs_file_sha256 ON parse_jobs (file_sha256);
"""

SCHEMA_VERSION = 1
"""``PRAGMA user_version`` of a database this code writes (0: written before versions)."""

NON_TERMINAL = UNFINISHED_STATUSES
_NON_TERMINAL_SQL = "(" + ", ".join(f"'{status}'" for status in NON_TERMINAL) + ")"
MAX_ATTEMPTS = 3

Row = dict[str, Any]


def utc_now() -> str:
    """The current time as ISO-8601 UTC with microseconds and a ``Z``."""
    return to_iso(datetime.now(timezone.utc))


def to_iso(moment: datetime) -> str:
    """Render ``moment`` (naive = UTC) the way the store keeps timestamps (sortable text)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class StateError(Exception):
    """The job is in a state that does not allow the operation; ``status`` is that state."""

    def __init__(self, status: str) -> None:
        super().__init__(status)
        self.status = status


class NameTaken(ValueError):
    """Another saved configuration of the same product already has that name."""


class Store:
    """The server's database: one file, WAL journal, a connection per thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        db = self._db()
        db.executescript(SCHEMA)
        if db.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    # --- plumbing -------------------------------------------------------------------

    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA busy_timeout=30000")
            self._local.db = db
        return db

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One short write transaction (taken with the write lock up front)."""
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def _one(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Row | None:
        row = self._db().execute(sql, params).fetchone()
        return dict(row) if row is not None else None

    def _all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return [dict(row) for row in self._db().execute(sql, params).fetchall()]

    def meta(self, key: str, default: str) -> str:
        """A persistent setting, created with ``default`` the first time it is read."""
        with self._write() as db:
            db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", (key, default))
            row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row["value"])

    # --- files ----------------------------------------------------------------------

    def add_file(self, file: Row) -> Row:
        """Insert a file row (``id``, ``name``, ``sha256``, ``size`` ...) and return it."""
        file = {**file, "created_at": utc_now()}
        cols = ", ".join(file)
        marks = ", ".join("?" for _ in file)
        with self._write() as db:
            db.execute(f"INSERT INTO files ({cols}) VALUES ({marks})", tuple(file.values()))
        return self.get_file(file["id"]) or file

    def get_file(self, file_id: str) -> Row | None:
        return self._one("SELECT * FROM files WHERE id = ?", (file_id,))

    def list_files(
        self,
        *,
        file_ids: Sequence[str] = (),
        file_name: str | None = None,
        external_file_id: str | None = None,
        order_by: str = "created_at",
        after: tuple[Any, int] | None = None,
        limit: int = 50,
    ) -> list[Row]:
        """Files matching every given filter, ``limit`` at a time after the ``after`` key."""
        where: list[str] = []
        params: list[Any] = []
        if file_ids:
            where.append(f"id IN ({', '.join('?' for _ in file_ids)})")
            params += file_ids
        if file_name is not None:
            where.append("name = ?")
            params.append(file_name)
        if external_file_id is not None:
            where.append("external_file_id = ?")
            params.append(external_file_id)
        if order_by == "created_at":
            order = "seq DESC"
            if after is not None:
                where.append("seq < ?")
                params.append(after[1])
        else:  # "name" or "id", ascending, seq breaks ties
            order = f"{order_by} ASC, seq ASC"
            if after is not None:
                where.append(f"({order_by}, seq) > (?, ?)")
                params += after
        sql = "SELECT * FROM files"
        if where:
            sql += " WHERE " + " AND ".join(where)
        return self._all(f"{sql} ORDER BY {order} LIMIT ?", (*params, limit))

    def delete_file(self, file_id: str) -> Row | None:
        """Delete a file row; return it, or None when there was none."""
        with self._write() as db:
            row = db.execute("SELECT * FROM files WHERE id = ?", (file_id,)).fetchone()
            if row is not None:
                db.execute("DELETE FROM files WHERE id = ?", (file_id,))
        return dict(row) if row is not None else None

    def blob_in_use(self, sha256: str) -> bool:
        """True while a file, a job not yet finished or a parse job needs these bytes."""
        row = self._one(
            "SELECT EXISTS (SELECT 1 FROM files WHERE sha256 = :s)"
            " OR EXISTS (SELECT 1 FROM parse_jobs WHERE file_sha256 = :s)"
            " OR EXISTS (SELECT 1 FROM jobs WHERE file_sha256 = :s"
            f"            AND status IN {_NON_TERMINAL_SQL}) AS used",
            {"s": sha256},
        )
        return bool(row and row["used"])

    # --- saved configurations -------------------------------------------------------

    def save_configuration(
        self, new_id: str, name: str, product_type: str, parameters: dict[str, Any]
    ) -> Row:
        """Create the configuration ``name`` of ``product_type``, or update the existing one."""
        now = utc_now()
        with self._write() as db:
            row = db.execute(
                "INSERT INTO configurations"
                " (id, name, product_type, parameters, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (name, product_type) DO UPDATE SET"
                " parameters = excluded.parameters, updated_at = excluded.updated_at"
                " RETURNING *",
                (new_id, name, product_type, json.dumps(parameters), now, now),
            ).fetchone()
        return dict(row)

    def get_configuration(self, config_id: str) -> Row | None:
        return self._one("SELECT * FROM configurations WHERE id = ?", (config_id,))

    def update_configuration(
        self, config_id: str, name: str | None, parameters: dict[str, Any] | None
    ) -> Row | None:
        """Rename and/or replace the parameters; None when there is no such configuration,
        :class:`NameTaken` when the new name is in use."""
        encoded = json.dumps(parameters) if parameters is not None else None
        try:
            with self._write() as db:
                row = db.execute(
                    "UPDATE configurations SET name = coalesce(?, name),"
                    " parameters = coalesce(?, parameters), updated_at = ?"
                    " WHERE id = ? RETURNING *",
                    (name, encoded, utc_now(), config_id),
                ).fetchone()
        except sqlite3.IntegrityError:
            raise NameTaken(name) from None
        return dict(row) if row is not None else None

    def list_configurations(
        self,
        *,
        product_types: Sequence[str] = (),
        name: str | None = None,
        before_seq: int | None = None,
        limit: int = 50,
    ) -> list[Row]:
        """Configurations matching the filters, newest first."""
        where: list[str] = []
        params: list[Any] = []
        if product_types:
            where.append(f"product_type IN ({', '.join('?' for _ in product_types)})")
            params += product_types
        if name is not None:
            where.append("name = ?")
            params.append(name)
        if before_seq is not None:
            where.append("seq < ?")
            params.append(before_seq)
        sql = "SELECT * FROM configurations"
        if where:
            sql += " WHERE " + " AND ".join(where)
        return self._all(f"{sql} ORDER BY seq DESC LIMIT ?", (*params, limit))

    def delete_configuration(self, config_id: str) -> bool:
        with self._write() as db:
            cur = db.execute("DELETE FROM configurations WHERE id = ?", (config_id,))
        return cur.rowcount > 0

    # --- parse jobs -----------------------------------------------------------------

    def get_parse_job(self, parse_job_id: str) -> Row | None:
        return self._one("SELECT * FROM parse_jobs WHERE id = ?", (parse_job_id,))

    # --- jobs -----------------------------------------------------------------------

    def add_job(self, job: Row) -> Row:
        """Insert a PENDING job (``id``, ``file_input``, ``file_sha256``, ``file_name``,
        ``configuration`` dict, ``configuration_id``) and return it."""
        now = utc_now()
        values = {
            **job,
            "configuration": json.dumps(job["configuration"]),
            "status": "PENDING",
            "created_at": now,
            "updated_at": now,
        }
        cols = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        with self._write() as db:
            db.execute(f"INSERT INTO jobs ({cols}) VALUES ({marks})", tuple(values.values()))
        return self.get_job(job["id"]) or values

    def get_job(self, job_id: str) -> Row | None:
        """The job with its result columns (null until it completes)."""
        return self._one(
            "SELECT jobs.*, results.extract_result, results.extract_metadata, results.usage"
            " FROM jobs LEFT JOIN results ON results.job_id = jobs.id WHERE jobs.id = ?",
            (job_id,),
        )

    def list_jobs(
        self,
        *,
        job_ids: Sequence[str] = (),
        status: str | None = None,
        file_input: str | None = None,
        input_prefix: str | None = None,
        configuration_id: str | None = None,
        created_from: str | None = None,
        created_to: str | None = None,
        before_seq: int | None = None,
        limit: int = 50,
    ) -> list[Row]:
        """Jobs matching every given filter, newest first, ``limit`` at a time."""
        where: list[str] = []
        params: list[Any] = []
        if job_ids:
            where.append(f"jobs.id IN ({', '.join('?' for _ in job_ids)})")
            params += job_ids
        for clause, value in (
            ("jobs.status = ?", status),
            ("jobs.file_input = ?", file_input),
            ("jobs.configuration_id = ?", configuration_id),
            ("jobs.created_at >= ?", created_from),
            ("jobs.created_at <= ?", created_to),
            ("jobs.seq < ?", before_seq),
        ):
            if value is not None:
                where.append(clause)
                params.append(value)
        if input_prefix is not None:
            where.append("substr(jobs.file_input, 1, ?) = ?")
            params += [len(input_prefix), input_prefix]
        sql = (
            "SELECT jobs.*, results.extract_result, results.extract_metadata, results.usage"
            " FROM jobs LEFT JOIN results ON results.job_id = jobs.id"
        )
        if where:
            sql += " WHERE " + " AND ".join(where)
        return self._all(f"{sql} ORDER BY jobs.seq DESC LIMIT ?", (*params, limit))

    def cancel_job(self, job_id: str) -> Row | None:
        """Move a non-terminal job to CANCELLED; None if unknown, StateError if terminal."""
        with self._write() as db:
            row = db.execute("SELECT status FROM jobs WHERE id = ?", (job_id,)).fetchone()
            if row is None:
                return None
            if row["status"] not in NON_TERMINAL:
                raise StateError(row["status"])
            db.execute(
                "UPDATE jobs SET status = 'CANCELLED', claim = NULL, updated_at = ? WHERE id = ?",
                (utc_now(), job_id),
            )
        return self.get_job(job_id)

    def delete_job(self, job_id: str, *, force: bool) -> Row | None:
        """Delete a job and its result; None if unknown, StateError if running and not forced."""
        with self._write() as db:
            row = db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
            if row is None:
                return None
            if row["status"] in NON_TERMINAL and not force:
                raise StateError(row["status"])
            db.execute("DELETE FROM jobs WHERE id = ?", (job_id,))
            db.execute("DELETE FROM results WHERE job_id = ?", (job_id,))
            db.execute("DELETE FROM parse_jobs WHERE job_id = ?", (job_id,))
        return dict(row)

    # --- the worker side ------------------------------------------------------------

    def has_pending(self) -> bool:
        return self._one("SELECT 1 AS one FROM jobs WHERE status = 'PENDING' LIMIT 1") is not None

    def is_claimed(self, job_id: str, claim: str) -> bool:
        """True while the job is RUNNING under ``claim`` (not cancelled, deleted or failed)."""
        row = self._one(
            "SELECT 1 AS one FROM jobs WHERE id = ? AND claim = ? AND status = 'RUNNING'",
            (job_id, claim),
        )
        return row is not None

    def claim_next(self, worker_pid: int, claim: str) -> Row | None:
        """Atomically move the oldest PENDING job to RUNNING for this worker and return it."""
        with self._write() as db:
            row = db.execute(
                "UPDATE jobs SET status = 'RUNNING', worker_pid = ?, claim = ?,"
                " attempts = attempts + 1, updated_at = ?"
                " WHERE seq = (SELECT seq FROM jobs WHERE status = 'PENDING' ORDER BY seq LIMIT 1)"
                " RETURNING *",
                (worker_pid, claim, utc_now()),
            ).fetchone()
        return dict(row) if row is not None else None

    def complete_job(
        self, job_id: str, claim: str, result: Any, metadata: Any, usage: Any, parse_job_id: str
    ) -> bool:
        """Store the output of a claimed job and mark it COMPLETED (False if it was cancelled).

        Raises ``TypeError`` / ``ValueError`` (and stores nothing) when the output is not
        strict JSON (e.g. NaN)."""
        encoded = [json.dumps(part, allow_nan=False) for part in (result, metadata, usage)]
        with self._write() as db:
            row = db.execute(
                "UPDATE jobs SET status = 'COMPLETED', claim = NULL, updated_at = ?"
                " WHERE id = ? AND claim = ? AND status = 'RUNNING' RETURNING *",
                (utc_now(), job_id, claim),
            ).fetchone()
            if row is None:
                return False
            db.execute("INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?)", (job_id, *encoded))
            db.execute(
                "INSERT INTO parse_jobs VALUES (?, ?, ?, ?, ?)",
                (parse_job_id, job_id, row["file_sha256"], row["file_name"], utc_now()),
            )
        return True

    def fail_job(self, job_id: str, claim: str, message: str) -> bool:
        """Mark a claimed job FAILED with ``message`` (False if it was cancelled meanwhile)."""
        with self._write() as db:
            cur = db.execute(
                "UPDATE jobs SET status = 'FAILED', error_message = ?, claim = NULL,"
                " updated_at = ? WHERE id = ? AND claim = ? AND status = 'RUNNING'",
                (message, utc_now(), job_id, claim),
            )
        return cur.rowcount > 0

    def fail_jobs_of_worker(self, worker_pid: int, message: str) -> list[str]:
        """Mark FAILED every job a (dead) worker process was running; return their ids."""
        with self._write() as db:
            rows = db.execute(
                "UPDATE jobs SET status = 'FAILED', error_message = ?, claim = NULL,"
                " updated_at = ? WHERE worker_pid = ? AND status = 'RUNNING' RETURNING id",
                (message, utc_now(), worker_pid),
            ).fetchall()
        return [row["id"] for row in rows]

    def overdue_workers(self, limit: float) -> list[int]:
        """Workers whose current job has been RUNNING for more than ``limit`` seconds."""
        cutoff = to_iso(datetime.now(timezone.utc) - timedelta(seconds=limit))
        rows = self._all(
            "SELECT DISTINCT worker_pid FROM jobs WHERE status = 'RUNNING' AND updated_at < ?",
            (cutoff,),
        )
        return [row["worker_pid"] for row in rows]

    def requeue_interrupted(self) -> int:
        """On start: jobs a killed server left RUNNING go back to PENDING (or FAILED after
        :data:`MAX_ATTEMPTS` tries). Returns how many were requeued."""
        now = utc_now()
        with self._write() as db:
            db.execute(
                "UPDATE jobs SET status = 'FAILED', claim = NULL, updated_at = ?,"
                " error_message = 'the server stopped during each of the ' || attempts ||"
                " ' attempts to extract this document; giving up'"
                " WHERE status = 'RUNNING' AND attempts >= ?",
                (now, MAX_ATTEMPTS),
            )
            cur = db.execute(
                "UPDATE jobs SET status = 'PENDING', claim = NULL, worker_pid = NULL,"
                " updated_at = ? WHERE status = 'RUNNING'",
                (now,),
            )
        return cur.rowcount
