"""``connect()``: LlamaCloud with a key; otherwise the embedded server, started once."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import llamaextract_nb.backend as connect_module
from llamaextract_nb.backend import connect, local_server
from llamaextract_nb.client import DEFAULT_BASE_URL
from llamaextract_nb.local.server.runner import DataDirBusy, lock_data_dir

KEY_VARS = ("LLAMA_CLOUD_API_KEY", "LLAMA_PARSE_API_KEY", "LLAMA_CLOUD_BASE_URL")


@pytest.fixture
def no_cloud_key(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in KEY_VARS:
        monkeypatch.delenv(name, raising=False)
    yield
    server = connect_module._server
    if server is not None:
        server.stop()


def _connect_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    lines = [r.getMessage() for r in caplog.records if r.name == "llamaextract_nb"]
    caplog.clear()
    return lines


def test_a_key_selects_llamacloud(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="llamaextract_nb")
    monkeypatch.delenv("LLAMA_CLOUD_BASE_URL", raising=False)
    monkeypatch.setenv("LLAMA_CLOUD_API_KEY", "llx-very-secret")
    client = connect()
    (line,) = _connect_lines(caplog)
    assert client.base_url == DEFAULT_BASE_URL
    assert "LlamaCloud" in line and "llx-very-secret" not in line
    mine = connect(base_url="http://127.0.0.1:8765", api_key="llx-also-secret")
    (line,) = _connect_lines(caplog)
    assert mine.base_url == "http://127.0.0.1:8765"
    assert "using the server at http://127.0.0.1:8765" in line and "llx-also-secret" not in line
    assert capsys.readouterr().out == ""  # logged, not printed


@pytest.mark.slow
def test_without_a_key_the_local_server_runs_in_process(
    no_cloud_key: None, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="llamaextract_nb")
    data_dir = tmp_path / "cache"
    held = lock_data_dir(data_dir)  # as if another kernel served this directory
    try:
        client = connect(data_dir=data_dir, workers=1)
    finally:
        if held is not None:
            held.close()
    server = local_server()
    (line,) = _connect_lines(caplog)
    assert "local server" in line and server.base_url in line
    assert server.api_key not in line and server.api_key not in repr(server)
    assert server.data_dir == (data_dir / f"process-{os.getpid()}").resolve()
    assert client.base_url == server.base_url.rstrip("/")
    with pytest.raises(DataDirBusy):
        lock_data_dir(server.data_dir)

    schema = {"type": "object", "properties": {"invoice_number": {"type": "string"}}}
    file = client.files.upload(b"Invoice Number: INV-55\n", filename="a.txt")
    job = client.wait(client.jobs.create(file.id, {"data_schema": schema}), poll_interval=0.05)
    assert job.extract_result == {"invoice_number": "INV-55"}

    again = connect()
    assert again.base_url == client.base_url  # the same server, reused
    assert len(_connect_lines(caplog)) == 1
    server.stop()
    assert not server.running


def test_package_connect_stays_the_function_after_the_module_is_imported() -> None:
    import llamaextract_nb as lx

    assert callable(lx.connect)
    assert lx.connect is connect


@pytest.mark.slow
def test_a_plain_script_without_a_main_guard_runs_once(tmp_path: Path) -> None:
    # Worker processes must not re-import the user's __main__ (multiprocessing's spawn would
    # re-run this whole script, connect() included, in every worker).
    script = tmp_path / "extract_receipt.py"
    script.write_text(
        "import logging\n"
        "import llamaextract_nb as lx\n"
        "logging.basicConfig(level=logging.INFO)\n"
        f"client = lx.connect(data_dir={str(tmp_path / 'data')!r}, workers=2)\n"
        "sample = lx.samples.get('receipt.pdf')\n"
        "print('TOTAL', client.extract(sample.path, sample.schema).data['total'])\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in KEY_VARS}
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("using the local server") == 1, done.stderr
    assert "TOTAL 16.0" in done.stdout


@pytest.mark.slow
def test_a_private_data_folder_goes_with_its_server_and_stale_ones_are_swept(
    no_cloud_key: None, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="llamaextract_nb")
    data_dir = tmp_path / "cache"
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    stale = data_dir / f"process-{gone.pid}"  # left by a kernel that was killed
    (stale / "blobs").mkdir(parents=True)
    (stale / "server.sqlite3").write_bytes(b"")
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    living = data_dir / f"process-{sleeper.pid}"  # another kernel's, still running
    living.mkdir()
    held = lock_data_dir(data_dir)  # as if another kernel served this directory
    try:
        connect(data_dir=data_dir, workers=1)
    finally:
        if held is not None:
            held.close()
        sleeper.kill()
    server = local_server()
    private = server.data_dir
    assert private == (data_dir / f"process-{os.getpid()}").resolve() and private.is_dir()
    assert not stale.exists() and living.is_dir()
    swept, line = _connect_lines(caplog)
    assert "removed 1 data folder(s) left by stopped processes" in swept
    assert str(private) in line and "private to this process and removed when it stops" in line
    server.stop()
    assert not private.exists()
