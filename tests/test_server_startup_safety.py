"""A server refuses a damaged or lost database in one clear line, or moves it aside when
told to (issue 12, item 7), and takes its token without showing it in the process list
(item 8). Real ``llamaextract-nb serve`` processes, real SQLite files."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from servers import TESTS_DIR, ServerProcess, start_server

pytestmark = pytest.mark.slow

SCHEMA = {
    "type": "object",
    "properties": {"total": {"type": "number", "description": "the amount due " * 200}},
}


def fill(server: ServerProcess, files: int = 40) -> None:
    """Uploads and jobs, so the database spans many pages."""
    headers = {"Authorization": f"Bearer {server.api_key}"}
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=30) as http:
        for index in range(files):
            file = http.post(
                "/api/v1/beta/files",
                files={"file": (f"doc{index}.txt", f"Total: {index}.50\n".encode() * 40)},
                data={"purpose": "extract", "external_file_id": "x" * 200 + str(index)},
            ).json()
            body = {"file_input": file["id"], "configuration": {"data_schema": SCHEMA}}
            assert http.post("/api/v2/extract", json=body).status_code == 200


def serve(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``serve`` expecting it to stop at once (it refuses the data directory)."""
    env = {**os.environ, "LLAMAEXTRACT_NB_API_KEY": "llx-test"}
    command = [sys.executable, "-m", "llamaextract_nb.cli", "serve", "--port", "0"]
    return subprocess.run(
        [*command, "--data-dir", str(data_dir), "--workers", "1", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


@pytest.fixture
def filled(tmp_path: Path) -> Path:
    data_dir = tmp_path / "data"
    server = start_server(data_dir, workers=1)
    try:
        fill(server)
    finally:
        server.stop()
    db = data_dir / "server.sqlite3"
    with sqlite3.connect(db) as connection:  # fold the WAL into the database file
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    assert db.stat().st_size > 100_000 and not (data_dir / "server.sqlite3-wal").exists()
    return data_dir


def corrupt_the_middle(db: Path) -> None:
    size = db.stat().st_size
    with db.open("r+b") as handle:
        for offset in range(size // 3, 2 * size // 3, 4096):
            handle.seek(offset + 100)
            handle.write(b"\xde\xad\xbe\xef" * 200)


def test_a_database_damaged_in_the_middle_is_refused_in_one_line(filled: Path) -> None:
    corrupt_the_middle(filled / "server.sqlite3")
    refused = serve(filled)
    assert refused.returncode == 1
    (line,) = [line for line in refused.stderr.splitlines() if line.startswith("error:")]
    assert str(filled / "server.sqlite3") in line and "is damaged" in line
    assert "restore it from a backup, or start with --reset-corrupt" in line
    assert "Traceback" not in refused.stderr


def test_reset_corrupt_moves_the_old_data_aside_and_starts_empty(filled: Path) -> None:
    corrupt_the_middle(filled / "server.sqlite3")
    server = start_server(filled, workers=1, extra_args=["--reset-corrupt"])
    try:
        (aside,) = filled.glob("corrupt-*")
        assert (aside / "server.sqlite3").exists() and any((aside / "blobs").iterdir())
        assert any(str(aside) in line for line in server.output)  # said where
        headers = {"Authorization": f"Bearer {server.api_key}"}
        for path in ("/api/v2/extract", "/api/v1/beta/files", "/api/v1/beta/configurations"):
            answer = httpx.get(server.base_url + path, headers=headers)
            assert answer.status_code == 200 and answer.json()["items"] == []
        fill(server, files=1)
    finally:
        server.stop()


@pytest.mark.parametrize("loss", ["empty", "missing"])
def test_a_lost_database_beside_its_uploads_is_refused(filled: Path, loss: str) -> None:
    db = filled / "server.sqlite3"
    if loss == "empty":
        db.write_bytes(b"")
    else:
        db.unlink()
    refused = serve(filled)
    assert refused.returncode == 1
    (line,) = [line for line in refused.stderr.splitlines() if line.startswith("error:")]
    said = "is empty (0 bytes)" if loss == "empty" else "is missing"
    assert f"{db} {said} but {filled / 'blobs'} holds 40 uploaded file(s)" in line
    assert "--reset-corrupt" in line


def test_a_database_from_a_newer_version_is_refused(filled: Path) -> None:
    with sqlite3.connect(filled / "server.sqlite3") as db:
        db.execute("PRAGMA user_version = 99")
    refused = serve(filled)
    assert refused.returncode == 1 and "written by a newer llamaextract-nb" in refused.stderr


def cmdlines(pid: int) -> list[str]:
    """The command lines of ``pid`` and its children (the worker processes)."""
    pids = [pid]
    for task in Path(f"/proc/{pid}/task").iterdir():
        pids += [int(child) for child in (task / "children").read_text().split()]
    return [Path(f"/proc/{p}/cmdline").read_bytes().decode() for p in pids]


def test_the_token_can_come_from_a_file_and_stays_out_of_the_process_list(
    tmp_path: Path,
) -> None:
    key_file = tmp_path / "token"
    key_file.write_text("llx-from-the-file\n")
    key_file.chmod(0o600)
    server = start_server(
        tmp_path / "data",
        api_key="llx-from-the-environment",
        workers=1,
        extra_args=["--api-key-file", str(key_file)],
    )
    try:
        lines = cmdlines(server.process.pid)
        assert len(lines) == 2 and all("llx-from" not in line for line in lines)
        url = server.base_url + "/api/v2/extract"
        ok = httpx.get(url, headers={"Authorization": "Bearer llx-from-the-file"})
        env = httpx.get(url, headers={"Authorization": "Bearer llx-from-the-environment"})
        assert ok.status_code == 200 and env.status_code == 401
        assert not any("warning" in line for line in server.output)
    finally:
        server.stop()


def test_a_token_on_the_command_line_is_warned_about(tmp_path: Path) -> None:
    server = start_server(tmp_path / "data", workers=1, extra_args=["--api-key", "llx-argv"])
    try:
        assert any("visible to every local user" in line for line in server.output)
        answer = httpx.get(
            server.base_url + "/api/v2/extract", headers={"Authorization": "Bearer llx-argv"}
        )
        assert answer.status_code == 200
    finally:
        server.stop()


def test_connect_keeps_its_token_out_of_every_process_list(tmp_path: Path) -> None:
    script = (
        "import sys, llamaextract_nb as lx\n"
        "from llamaextract_nb.backend import local_server\n"
        f"client = lx.connect(data_dir={str(tmp_path / 'data')!r}, workers=2)\n"
        "print(local_server().api_key, flush=True)\n"
        "sys.stdin.readline()\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("LLAMA_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(TESTS_DIR), env.get("PYTHONPATH")]))
    process = subprocess.Popen(
        [sys.executable, "-c", script],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None and process.stdin is not None
        key = process.stdout.readline().strip()
        assert key.startswith("llx-local-")
        lines = cmdlines(process.pid)
        assert len(lines) == 3 and all(key not in line for line in lines)
        process.stdin.write("\n")
        process.stdin.flush()
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
