"""The run ledger: a small SQLite file that remembers every upload and every job of a batch.

Every write happens *before* the work it describes is waited on, so a batch killed at any
point (kernel restart, SIGKILL, lost network) can be resumed without uploading or creating
anything twice:

* an upload is recorded as an intent (with the ``external_file_id`` it is sent under) before
  the request goes out, and completed with the file id afterwards;
* a job is recorded as an intent (file id, configuration hash, time) before the create request,
  then gets its job id, then its status, and finally the completed job JSON, which doubles as
  the result cache keyed by (file sha256, schema, configuration).

Every call of a batch is a *run* (batch key, fresh flag, started, finished), and each job
attempt names the run that made it: a ``fresh=True`` call that was killed can be resumed
without redoing what it had already done.

Rows are scoped by *server* (base URL + project) so ids from one server are never reused
against another. The file uses WAL journaling: readers never block the writer, and a committed
row survives the process being killed. Files written by older versions are migrated in place
when opened (:data:`SCHEMA_VERSION`), keeping every row.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_LEDGER_NAME = ".llamaextract-ledger.sqlite"

INTENT = "INTENT"
"""Status of a job row whose create request may or may not have reached the server."""
LOST = "LOST"
"""Status of a job the server no longer knows (deleted, or another server): start it again."""

SCHEMA_VERSION = 3
"""1: uploads and jobs; 2: runs, and the run of each job attempt; 3: jobs indexed by file."""
_KEYS_PER_QUERY = 500
"""Cache keys per query when many are read at once (SQLite allows 999 parameters)."""

_SCHEMA_V1 = """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS uploads (
    server           TEXT NOT NULL,
    sha256           TEXT NOT NULL,
    size             INTEGER NOT NULL,
    name             TEXT NOT NULL,
    external_file_id TEXT NOT NULL,
    file_id          TEXT,
    started_at       REAL NOT NULL,
    finished_at      REAL,
    PRIMARY KEY (server, sha256)
);
CREATE TABLE IF NOT EXISTS jobs (
    server        TEXT NOT NULL,
    cache_key     TEXT NOT NULL,
    attempt       INTEGER NOT NULL,
    batch_key     TEXT NOT NULL,
    sha256        TEXT NOT NULL,
    schema_hash   TEXT NOT NULL,
    config_hash   TEXT NOT NULL,
    file_id       TEXT NOT NULL,
    name          TEXT NOT NULL,
    job_id        TEXT,
    status        TEXT NOT NULL,
    error_message TEXT,
    job_json      TEXT,
    intent_at     REAL NOT NULL,
    updated_at    REAL NOT NULL,
    PRIMARY KEY (server, cache_key, attempt)
);
CREATE UNIQUE INDEX IF NOT EXISTS jobs_by_id ON jobs (server, job_id) WHERE job_id IS NOT NULL;
"""
_MIGRATIONS: dict[int, tuple[str, ...]] = {
    2: (
        """CREATE TABLE runs (
            run_id      INTEGER PRIMARY KEY AUTOINCREMENT,
            batch_key   TEXT NOT NULL,
            fresh       INTEGER NOT NULL,
            started_at  REAL NOT NULL,
            finished_at REAL
        )""",
        "CREATE INDEX runs_by_batch ON runs (batch_key, run_id)",
        "ALTER TABLE jobs ADD COLUMN run_id INTEGER",
    ),
    3: ("CREATE INDEX jobs_by_file ON jobs (server, file_id)",),
}
"""Statements that bring a file from the version before each key to that version."""


@dataclass(frozen=True)
class UploadRecord:
    """One file's upload on one server; ``file_id`` is None while the upload is in flight."""

    server: str
    sha256: str
    size: int
    name: str
    external_file_id: str
    file_id: str | None
    started_at: float


@dataclass(frozen=True)
class JobRecord:
    """One attempt at extracting one file with one schema and configuration."""

    server: str
    cache_key: str
    attempt: int
    batch_key: str
    sha256: str
    file_id: str
    name: str
    job_id: str | None
    status: str
    error_message: str | None
    job_json: dict[str, Any] | None
    intent_at: float
    run_id: int | None = None
    """The run that made this attempt (None for attempts from before runs were recorded)."""

    @property
    def is_intent(self) -> bool:
        """True while the create request's outcome is unknown (no job id recorded yet)."""
        return self.job_id is None


@dataclass(frozen=True)
class RunRecord:
    """One call of a batch: ``finished_at`` is None until it ended (not killed, not timed out)."""

    run_id: int
    batch_key: str
    fresh: bool
    started_at: float
    finished_at: float | None


class Ledger:
    """SQLite run ledger (see the module docstring). Safe to share between threads."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else Path.cwd() / DEFAULT_LEDGER_NAME
        if self.path.is_dir():
            raise ValueError(
                f"ledger path {str(self.path)!r} is a directory; pass a file path such as "
                f"{str(self.path / DEFAULT_LEDGER_NAME)!r}"
            )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(
            self.path, timeout=30.0, check_same_thread=False, isolation_level=None
        )
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA_V1)
        with self._write() as db:
            db.execute(
                "INSERT OR IGNORE INTO meta VALUES ('ledger_id', ?)", (secrets.token_hex(8),)
            )
            self._migrate(db)
        # A random id of this ledger file; it marks the files this ledger uploads.
        rows = self._read("SELECT value FROM meta WHERE key='ledger_id'", ())
        self.ledger_id: str = str(rows[0]["value"])

    def __repr__(self) -> str:
        return f"Ledger({str(self.path)!r})"

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _migrate(self, db: sqlite3.Connection) -> None:
        """Bring the file to :data:`SCHEMA_VERSION` (inside the caller's transaction)."""
        row = db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        version = int(row["value"]) if row else 1
        if version > SCHEMA_VERSION:
            raise ValueError(
                f"ledger {str(self.path)!r} was written by a newer llamaextract-nb (ledger "
                f"version {version}, this one reads up to {SCHEMA_VERSION}): upgrade "
                "llamaextract-nb, or pass another ledger= path"
            )
        for target in range(version + 1, SCHEMA_VERSION + 1):
            for statement in _MIGRATIONS[target]:
                db.execute(statement)
        db.execute(
            "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
        )

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _read(self, sql: str, params: tuple[Any, ...]) -> list[sqlite3.Row]:
        with self._lock:
            return list(self._db.execute(sql, params))

    # --- uploads ---------------------------------------------------------------------

    def upload(self, server: str, sha256: str) -> UploadRecord | None:
        """The upload of this content on this server, finished or in flight."""
        rows = self._read("SELECT * FROM uploads WHERE server=? AND sha256=?", (server, sha256))
        return _upload(rows[0]) if rows else None

    def begin_upload(
        self, server: str, sha256: str, size: int, name: str, external_file_id: str
    ) -> None:
        """Record that an upload is about to be sent (replaces a forgotten earlier one)."""
        with self._write() as db:
            db.execute(
                "INSERT OR REPLACE INTO uploads VALUES (?,?,?,?,?,NULL,?,NULL)",
                (server, sha256, size, name, external_file_id, time.time()),
            )

    def finish_upload(self, server: str, sha256: str, file_id: str) -> None:
        """Record the file id the server gave the upload."""
        with self._write() as db:
            db.execute(
                "UPDATE uploads SET file_id=?, finished_at=? WHERE server=? AND sha256=?",
                (file_id, time.time(), server, sha256),
            )

    def forget_upload(self, server: str, sha256: str) -> None:
        """Drop an upload the server no longer has, so the next run uploads again."""
        with self._write() as db:
            db.execute("DELETE FROM uploads WHERE server=? AND sha256=?", (server, sha256))

    # --- runs ------------------------------------------------------------------------

    def resumable_run(self, batch_key: str) -> RunRecord | None:
        """The latest ``fresh`` run of this batch that did not finish, unless a run of the
        batch finished after it started (then its work has been seen through)."""
        rows = self._read(
            "SELECT * FROM runs AS r WHERE batch_key=? AND fresh=1 AND finished_at IS NULL "
            "AND NOT EXISTS (SELECT 1 FROM runs AS later WHERE later.batch_key=r.batch_key "
            "AND later.run_id > r.run_id AND later.finished_at IS NOT NULL) "
            "ORDER BY run_id DESC LIMIT 1",
            (batch_key,),
        )
        return _run(rows[0]) if rows else None

    def begin_run(self, batch_key: str, *, fresh: bool) -> RunRecord:
        """Record that a run of this batch starts."""
        now = time.time()
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO runs (batch_key, fresh, started_at) VALUES (?,?,?)",
                (batch_key, int(fresh), now),
            )
            run_id = cursor.lastrowid
        assert run_id is not None
        return RunRecord(run_id, batch_key, fresh, now, None)

    def finish_run(self, run_id: int) -> None:
        """Record that a run ended with an outcome for every document."""
        with self._write() as db:
            db.execute("UPDATE runs SET finished_at=? WHERE run_id=?", (time.time(), run_id))

    # --- jobs ------------------------------------------------------------------------

    def job(self, server: str, cache_key: str) -> JobRecord | None:
        """The latest attempt for this cache key on this server."""
        rows = self._read(
            "SELECT * FROM jobs WHERE server=? AND cache_key=? ORDER BY attempt DESC LIMIT 1",
            (server, cache_key),
        )
        return _job(rows[0]) if rows else None

    def latest_jobs(self, server: str, cache_keys: Collection[str]) -> dict[str, JobRecord]:
        """The latest attempt of each of ``cache_keys`` that has one, read in a few queries
        (a batch of thousands asks once rather than once per document)."""
        keys = list(cache_keys)
        found: dict[str, JobRecord] = {}
        for start in range(0, len(keys), _KEYS_PER_QUERY):
            chunk = keys[start : start + _KEYS_PER_QUERY]
            rows = self._read(
                f"SELECT * FROM jobs WHERE server=? AND cache_key IN ({','.join('?' * len(chunk))})"
                " ORDER BY attempt",
                (server, *chunk),
            )
            for row in rows:  # oldest attempt first: the latest one stays
                found[row["cache_key"]] = _job(row)
        return found

    def known_job_ids(self, server: str, file_id: str) -> set[str]:
        """Every job id this ledger has recorded for a file on a server."""
        rows = self._read(
            "SELECT job_id FROM jobs WHERE server=? AND file_id=? AND job_id IS NOT NULL",
            (server, file_id),
        )
        return {row["job_id"] for row in rows}

    def open_intents(self, server: str, file_id: str) -> int:
        """How many attempts on this file still wait to learn whether their create landed."""
        rows = self._read(
            "SELECT COUNT(*) AS n FROM jobs WHERE server=? AND file_id=? AND status=?",
            (server, file_id, INTENT),
        )
        return int(rows[0]["n"])

    def begin_job(
        self,
        server: str,
        cache_key: str,
        *,
        batch_key: str,
        sha256: str,
        schema_hash: str,
        config_hash: str,
        file_id: str,
        name: str,
        run_id: int | None = None,
    ) -> JobRecord:
        """Record the intent to create a job (a new attempt, made by run ``run_id``) before
        the request is sent."""
        now = time.time()
        with self._write() as db:
            (last,) = db.execute(
                "SELECT COALESCE(MAX(attempt), 0) FROM jobs WHERE server=? AND cache_key=?",
                (server, cache_key),
            ).fetchone()
            attempt = int(last) + 1
            db.execute(
                "INSERT INTO jobs (server, cache_key, attempt, batch_key, sha256, schema_hash, "
                "config_hash, file_id, name, status, intent_at, updated_at, run_id) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    server,
                    cache_key,
                    attempt,
                    batch_key,
                    sha256,
                    schema_hash,
                    config_hash,
                    file_id,
                    name,
                    INTENT,
                    now,
                    now,
                    run_id,
                ),
            )
        return JobRecord(
            server=server,
            cache_key=cache_key,
            attempt=attempt,
            batch_key=batch_key,
            sha256=sha256,
            file_id=file_id,
            name=name,
            job_id=None,
            status=INTENT,
            error_message=None,
            job_json=None,
            intent_at=now,
            run_id=run_id,
        )

    def set_job_id(
        self, server: str, cache_key: str, attempt: int, job_id: str, status: str
    ) -> None:
        """Record the id of the job an intent turned into."""
        with self._write() as db:
            db.execute(
                "UPDATE jobs SET job_id=?, status=?, updated_at=? "
                "WHERE server=? AND cache_key=? AND attempt=?",
                (job_id, status, time.time(), server, cache_key, attempt),
            )

    def end_attempt(
        self, server: str, cache_key: str, attempt: int, status: str, message: str
    ) -> None:
        """Close an attempt that never got a job: ``FAILED`` (the create was refused) or
        :data:`LOST` (its file is gone; the next attempt uploads again)."""
        with self._write() as db:
            db.execute(
                "UPDATE jobs SET status=?, error_message=?, updated_at=? "
                "WHERE server=? AND cache_key=? AND attempt=?",
                (status, message, time.time(), server, cache_key, attempt),
            )

    def update_job(
        self,
        server: str,
        job_id: str,
        status: str,
        *,
        error_message: str | None = None,
        job_json: dict[str, Any] | None = None,
    ) -> None:
        """Record a job's new status, and its full JSON once it is terminal."""
        payload = json.dumps(job_json, separators=(",", ":")) if job_json is not None else None
        with self._write() as db:
            db.execute(
                "UPDATE jobs SET status=?, error_message=?, job_json=COALESCE(?, job_json), "
                "updated_at=? WHERE server=? AND job_id=?",
                (status, error_message, payload, time.time(), server, job_id),
            )

    def jobs(self, server: str | None = None) -> list[JobRecord]:
        """Every job attempt recorded (optionally on one server), oldest first."""
        if server is None:
            rows = self._read("SELECT * FROM jobs ORDER BY intent_at", ())
        else:
            rows = self._read("SELECT * FROM jobs WHERE server=? ORDER BY intent_at", (server,))
        return [_job(row) for row in rows]


def _upload(row: sqlite3.Row) -> UploadRecord:
    return UploadRecord(
        server=row["server"],
        sha256=row["sha256"],
        size=row["size"],
        name=row["name"],
        external_file_id=row["external_file_id"],
        file_id=row["file_id"],
        started_at=row["started_at"],
    )


def _job(row: sqlite3.Row) -> JobRecord:
    return JobRecord(
        server=row["server"],
        cache_key=row["cache_key"],
        attempt=row["attempt"],
        batch_key=row["batch_key"],
        sha256=row["sha256"],
        file_id=row["file_id"],
        name=row["name"],
        job_id=row["job_id"],
        status=row["status"],
        error_message=row["error_message"],
        job_json=json.loads(row["job_json"]) if row["job_json"] else None,
        intent_at=row["intent_at"],
        run_id=row["run_id"],
    )


def _run(row: sqlite3.Row) -> RunRecord:
    return RunRecord(
        run_id=row["run_id"],
        batch_key=row["batch_key"],
        fresh=bool(row["fresh"]),
        started_at=row["started_at"],
        finished_at=row["finished_at"],
    )
