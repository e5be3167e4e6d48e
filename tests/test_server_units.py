"""Fast unit tests of the server's parts: ids, links, cursors, the store's job state machine."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import HTTPException

from llamaextract_nb.local.jobs import EngineSpecError, load_engine
from llamaextract_nb.local.jobs.pool import describe_exit
from llamaextract_nb.local.server import paging
from llamaextract_nb.local.server.ids import file_key, new_file_id, new_job_id
from llamaextract_nb.local.server.settings import ServerSettings
from llamaextract_nb.local.server.signing import LinkSigner
from llamaextract_nb.local.store import BlobStore, StateError, Store, TooLarge
from llamaextract_nb.local.store.db import MAX_ATTEMPTS


def test_ids_have_the_service_formats() -> None:
    file_id, job_id = new_file_id(), new_job_id()
    assert file_id.startswith("dfl-") and len(file_id) == 40
    assert job_id.startswith("ext-") and len(job_id) == 40
    assert file_key(file_id.removeprefix("dfl-")) == file_id
    assert file_key(file_id) == file_id and file_key("whatever") == "whatever"


def test_signed_links_expire_and_resist_forgery() -> None:
    signer = LinkSigner(b"k" * 32)
    token = signer.issue("dfl-1", expires_at=1000)
    assert signer.check(token, now=999) == "dfl-1"
    with pytest.raises(ValueError, match="expired"):
        signer.check(token, now=1001)
    for forged in (
        token[:-1] + "x",
        "nonsense",
        "abc.é",
        LinkSigner(b"x" * 32).issue("dfl-1", 1e12),
    ):
        with pytest.raises(ValueError, match="not valid"):
            signer.check(forged, now=0)


def test_page_tokens_round_trip_and_reject_strangers() -> None:
    token = paging.encode({"kind": "jobs", "seq": 7})
    assert paging.decode(token, "jobs") == {"kind": "jobs", "seq": 7}
    for bad in ("garbage!", paging.encode({"kind": "files:name", "key": [1, 2]})):
        with pytest.raises(HTTPException) as info:
            paging.decode(bad, "jobs")
        assert info.value.status_code == 400


def test_settings_never_show_the_key(tmp_path: Path) -> None:
    settings = ServerSettings(data_dir=tmp_path, api_key="llx-secret")
    assert "llx-secret" not in repr(settings)


def test_engine_specs_are_checked() -> None:
    assert callable(load_engine("llamaextract_nb.local.engine:extract"))
    for bad in ("no-colon", "missing.module.here:f", "llamaextract_nb.local.engine:nothing"):
        with pytest.raises(EngineSpecError):
            load_engine(bad)
    assert describe_exit(-9) == "signal SIGKILL" and describe_exit(3) == "exit code 3"


def test_blobs_are_stored_once_and_limited(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path, clean=True)
    shas = []
    for _ in range(2):
        writer = blobs.writer(limit=10)
        writer.write(b"hello")
        shas.append(writer.finish())
    assert shas[0] == shas[1] and blobs.read(shas[0]) == b"hello"
    assert len([p for p in tmp_path.rglob("*") if p.is_file()]) == 1
    writer = blobs.writer(limit=10)
    writer.write(b"x" * 10)
    with pytest.raises(TooLarge):
        writer.write(b"y")
    assert list(blobs.tmp_dir.iterdir()) == []


def add_job(store: Store, job_id: str, sha: str = "s" * 64) -> None:
    store.add_job(
        {
            "id": job_id,
            "file_input": "dfl-x",
            "file_sha256": sha,
            "file_name": "a.txt",
            "configuration": {"data_schema": {}},
            "configuration_id": None,
        }
    )


def test_job_state_machine(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    add_job(store, "ext-1")
    add_job(store, "ext-2")
    first = store.claim_next(worker_pid=11, claim="c1")
    assert first is not None and first["id"] == "ext-1" and first["status"] == "RUNNING"
    assert store.complete_job("ext-1", "c1", {"a": 1}, {"m": 1}, {"u": 1}, "pjb-1")
    assert not store.complete_job("ext-1", "c1", {}, {}, {}, "pjb-2")  # only once
    done = store.get_job("ext-1")
    assert (
        done is not None and done["status"] == "COMPLETED" and done["extract_result"] == '{"a": 1}'
    )
    assert store.get_parse_job("pjb-1")["file_name"] == "a.txt"  # type: ignore[index]

    second = store.claim_next(worker_pid=12, claim="c2")
    assert second is not None
    cancelled = store.cancel_job("ext-2")
    assert cancelled is not None and cancelled["status"] == "CANCELLED"
    assert not store.complete_job("ext-2", "c2", {}, {}, {}, "pjb-3")  # result of a cancelled job
    with pytest.raises(StateError):
        store.cancel_job("ext-2")
    assert store.claim_next(worker_pid=12, claim="c3") is None
    assert store.cancel_job("ext-404") is None


def test_crashed_workers_and_restarts(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    add_job(store, "ext-1")
    add_job(store, "ext-2")
    store.claim_next(worker_pid=21, claim="a")
    store.claim_next(worker_pid=22, claim="b")
    assert store.fail_jobs_of_worker(21, "worker died") == ["ext-1"]
    assert store.get_job("ext-1")["error_message"] == "worker died"  # type: ignore[index]
    assert store.requeue_interrupted() == 1  # ext-2 was RUNNING when the "server" stopped
    assert store.get_job("ext-2")["status"] == "PENDING"  # type: ignore[index]
    assert not store.fail_job("ext-2", "b", "late answer of the old worker")
    for attempt in range(MAX_ATTEMPTS - 1):
        store.claim_next(worker_pid=30 + attempt, claim=f"r{attempt}")
        store.requeue_interrupted()
    job = store.get_job("ext-2")
    assert job is not None and job["status"] == "FAILED" and "giving up" in job["error_message"]


def test_delete_rules_and_blob_use(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    sha = "b" * 64
    store.add_file({"id": "dfl-1", "name": "a.txt", "sha256": sha, "size": 1})
    add_job(store, "ext-1", sha)
    assert store.delete_file("dfl-1") is not None
    assert store.blob_in_use(sha)  # the queued job still needs the bytes
    with pytest.raises(StateError):
        store.delete_job("ext-1", force=False)
    assert store.delete_job("ext-1", force=True) is not None
    assert not store.blob_in_use(sha)
    assert store.delete_job("ext-1", force=True) is None


def test_output_that_is_not_json_is_refused_whole(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    add_job(store, "ext-1")
    store.claim_next(worker_pid=1, claim="c")
    with pytest.raises(ValueError):
        store.complete_job("ext-1", "c", {"x": float("nan")}, {}, {}, "pjb-1")
    assert store.get_job("ext-1")["status"] == "RUNNING"  # type: ignore[index]
    assert store.get_parse_job("pjb-1") is None
