"""The data directory is checked before a server starts on it.

A damaged database would otherwise start and answer 500 on every data route, and a lost one
would start empty beside the uploads it no longer knows. :func:`data_dir_problem` says what
is wrong, where, and what to do, in one line; :func:`move_aside` puts the old data in a
dated folder so a fresh start loses nothing.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from llamaextract_nb.local.store.db import SCHEMA_VERSION

RESET_HINT = "restore it from a backup, or start with --reset-corrupt to move the old data aside"
_SQLITE_HEADER = b"SQLite format 3\x00"


class DataDirCorrupt(RuntimeError):
    """The data directory cannot be served as it is; the message says why and what to do."""


def data_dir_problem(db: Path, blob_dir: Path) -> str:
    """What is wrong with the database ``db`` beside the uploads in ``blob_dir``, or ``""``
    when it can be served."""
    blobs = _blob_count(blob_dir)
    if not db.exists():
        if blobs:
            return (
                f"{db} is missing but {blob_dir} holds {blobs} uploaded file(s): "
                f"the database was lost; {RESET_HINT}"
            )
        return ""
    if db.stat().st_size == 0:
        if blobs:
            return (
                f"{db} is empty (0 bytes) but {blob_dir} holds {blobs} uploaded "
                f"file(s): the database was truncated; {RESET_HINT}"
            )
        return ""
    with db.open("rb") as handle:
        if handle.read(len(_SQLITE_HEADER)) != _SQLITE_HEADER:
            return f"{db} is not a SQLite database (its header is damaged); {RESET_HINT}"
    try:
        connection = sqlite3.connect(db, timeout=30)
        try:
            (version,) = connection.execute("PRAGMA user_version").fetchone()
            result = [row[0] for row in connection.execute("PRAGMA quick_check(3)")]
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        return f"{db} cannot be read ({exc}); {RESET_HINT}"
    if result != ["ok"]:
        found = " ".join(" ".join(map(str, result)).split())  # one line
        return f"{db} is damaged (SQLite integrity check: {found[:300]}); {RESET_HINT}"
    if version > SCHEMA_VERSION:
        return (
            f"{db} was written by a newer llamaextract-nb (schema version {version}, this one "
            f"reads up to {SCHEMA_VERSION}); upgrade llamaextract-nb or use another --data-dir"
        )
    return ""


def move_aside(db: Path, blob_dir: Path) -> Path:
    """Move the database (with its WAL files) and the uploads into ``corrupt-<UTC time>/``
    beside the database; return that folder."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    target = db.parent / f"corrupt-{stamp}"
    target.mkdir(mode=0o700)
    for source in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm"), blob_dir):
        if source.exists():
            source.rename(target / source.name)
    return target


def _blob_count(blob_dir: Path) -> int:
    """Uploaded files under ``blob_dir`` (partial uploads in ``tmp/`` do not count)."""
    if not blob_dir.is_dir():
        return 0
    return sum(
        1
        for shard in blob_dir.iterdir()
        if shard.is_dir() and shard.name != "tmp"
        for blob in shard.iterdir()
        if blob.is_file()
    )
