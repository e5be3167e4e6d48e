"""The run ledger: intents before requests, attempts, the result cache, durability on disk."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from llamaextract_nb.client.ledger import (
    DEFAULT_LEDGER_NAME,
    INTENT,
    LOST,
    SCHEMA_VERSION,
    Ledger,
)

SERVER = "http://127.0.0.1:1|project=|org="
LEDGER_V1 = """
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
"""The tables as the first ledger version wrote them (no schema_version, no runs)."""


def begin(ledger: Ledger, key: str = "k1", file_id: str = "dfl-1") -> int:
    record = ledger.begin_job(
        SERVER,
        key,
        batch_key="b",
        sha256="s" * 64,
        schema_hash="h",
        config_hash="c",
        file_id=file_id,
        name="a.pdf",
    )
    return record.attempt


def test_default_path_is_in_the_working_directory(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    with Ledger() as ledger:
        assert ledger.path == tmp_path / DEFAULT_LEDGER_NAME
    assert (tmp_path / DEFAULT_LEDGER_NAME).is_file()


def test_uses_wal_journaling(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.sqlite"):
        mode = sqlite3.connect(tmp_path / "l.sqlite").execute("PRAGMA journal_mode").fetchone()
    assert mode == ("wal",)


def test_a_directory_is_refused_with_a_hint(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="is a directory"):
        Ledger(tmp_path)


def test_upload_intent_then_file_id_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite"
    with Ledger(path) as ledger:
        ledger.begin_upload(SERVER, "s1", 10, "a.pdf", "ext-s1")
        pending = ledger.upload(SERVER, "s1")
        assert pending is not None and pending.file_id is None
        ledger.finish_upload(SERVER, "s1", "dfl-9")
    with Ledger(path) as again:
        done = again.upload(SERVER, "s1")
        assert done is not None and done.file_id == "dfl-9" and done.external_file_id == "ext-s1"
        assert again.upload("http://other|project=|org=", "s1") is None  # scoped by server
        again.forget_upload(SERVER, "s1")
        assert again.upload(SERVER, "s1") is None


def test_job_attempts_move_from_intent_to_terminal_with_json(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.sqlite") as ledger:
        attempt = begin(ledger)
        record = ledger.job(SERVER, "k1")
        assert record is not None and record.is_intent and record.status == INTENT
        ledger.set_job_id(SERVER, "k1", attempt, "ext-1", "PENDING")
        ledger.update_job(SERVER, "ext-1", "RUNNING")
        job = {"id": "ext-1", "status": "COMPLETED", "extract_result": {"a": 1}}
        ledger.update_job(SERVER, "ext-1", "COMPLETED", job_json=job)
        record = ledger.job(SERVER, "k1")
        assert record is not None
        assert (record.job_id, record.status, record.job_json) == ("ext-1", "COMPLETED", job)
        assert ledger.known_job_ids(SERVER, "dfl-1") == {"ext-1"}


def test_a_new_attempt_becomes_the_current_one(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.sqlite") as ledger:
        first = begin(ledger)
        ledger.end_attempt(SERVER, "k1", first, LOST, "file gone")
        second = begin(ledger, file_id="dfl-2")
        assert second == first + 1
        record = ledger.job(SERVER, "k1")
        assert record is not None and record.attempt == second and record.file_id == "dfl-2"
        assert [r.status for r in ledger.jobs(SERVER)] == [LOST, INTENT]


def test_a_job_id_is_recorded_once_per_server(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.sqlite") as ledger:
        ledger.set_job_id(SERVER, "k1", begin(ledger, "k1"), "ext-1", "PENDING")
        with pytest.raises(sqlite3.IntegrityError):
            ledger.set_job_id(SERVER, "k2", begin(ledger, "k2"), "ext-1", "PENDING")


def test_open_intents_count_only_unresolved_attempts_on_a_file(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.sqlite") as ledger:
        first = begin(ledger, "k1")
        begin(ledger, "k2")
        begin(ledger, "k3", file_id="dfl-other")
        assert ledger.open_intents(SERVER, "dfl-1") == 2
        ledger.set_job_id(SERVER, "k1", first, "ext-1", "PENDING")
        assert ledger.open_intents(SERVER, "dfl-1") == 1


def test_runs_are_recorded_and_an_unfinished_fresh_one_is_resumable(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.sqlite") as ledger:
        assert ledger.resumable_run("b") is None
        run = ledger.begin_run("b", fresh=True)
        ledger.begin_run("other", fresh=True)
        assert ledger.resumable_run("b") == run and run.finished_at is None
        record = ledger.begin_job(
            SERVER,
            "k1",
            batch_key="b",
            sha256="s" * 64,
            schema_hash="h",
            config_hash="c",
            file_id="dfl-1",
            name="a.pdf",
            run_id=run.run_id,
        )
        assert record.run_id == run.run_id == ledger.jobs()[0].run_id
        cached = ledger.begin_run("b", fresh=False)  # killed too: the fresh run is still open
        assert ledger.resumable_run("b") == run
        ledger.finish_run(cached.run_id)  # a later run saw the batch through
        assert ledger.resumable_run("b") is None
        again = ledger.begin_run("b", fresh=True)
        ledger.finish_run(again.run_id)
        assert ledger.resumable_run("b") is None
        assert ledger.resumable_run("other") is not None


def test_a_ledger_from_before_runs_is_migrated_keeping_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as db:
        db.executescript(LEDGER_V1)
        db.execute("INSERT INTO meta VALUES ('ledger_id', 'abc123')")
        db.execute(
            "INSERT INTO uploads VALUES (?,?,?,?,?,?,?,?)",
            (SERVER, "s1", 3, "a.pdf", "x", "dfl-1", 1.0, 2.0),
        )
        db.execute(
            "INSERT INTO jobs VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                SERVER,
                "k1",
                1,
                "b",
                "s1",
                "h",
                "c",
                "dfl-1",
                "a.pdf",
                "ext-1",
                "COMPLETED",
                None,
                '{"id": "ext-1", "status": "COMPLETED"}',
                1.0,
                2.0,
            ),
        )
    with Ledger(path) as ledger:
        assert ledger.ledger_id == "abc123"
        upload = ledger.upload(SERVER, "s1")
        assert upload is not None and upload.file_id == "dfl-1"
        (record,) = ledger.jobs()
        assert (record.job_id, record.status, record.run_id) == ("ext-1", "COMPLETED", None)
        assert record.job_json == {"id": "ext-1", "status": "COMPLETED"}
        assert ledger.begin_run("b", fresh=True).run_id == 1
    with Ledger(path) as again:  # opening a current file changes nothing
        assert len(again.jobs()) == 1 and again.resumable_run("b") is not None
    version = sqlite3.connect(path).execute("SELECT value FROM meta WHERE key='schema_version'")
    assert version.fetchone() == (str(SCHEMA_VERSION),)


def test_a_ledger_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite"
    Ledger(path).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value='99' WHERE key='schema_version'")
    with pytest.raises(ValueError, match="written by a newer llamaextract-nb"):
        Ledger(path)


def test_the_latest_attempts_of_many_keys_are_read_at_once(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.sqlite") as ledger:
        for n in range(1200):  # more keys than one query takes
            begin(ledger, f"k{n}", file_id=f"dfl-{n}")
        second = begin(ledger, "k7", file_id="dfl-7")
        begin(ledger, "other")
        latest = ledger.latest_jobs(SERVER, [f"k{n}" for n in range(1200)] + ["missing"])
        assert len(latest) == 1200 and "other" not in latest and "missing" not in latest
        assert latest["k7"].attempt == second == 2 and latest["k1199"].attempt == 1
        assert latest == {key: ledger.job(SERVER, key) for key in latest}


def test_jobs_are_indexed_by_file_for_the_look_ups_after_an_ambiguous_create(
    tmp_path: Path,
) -> None:
    with Ledger(tmp_path / "l.sqlite") as ledger:
        plan = ledger._read(
            "EXPLAIN QUERY PLAN SELECT COUNT(*) FROM jobs WHERE server=? AND file_id=?",
            (SERVER, "dfl-1"),
        )
    assert "jobs_by_file" in " ".join(str(tuple(row)) for row in plan)
