"""``llamaextract-nb serve``: options and the errors it reports before serving."""

from __future__ import annotations

from pathlib import Path

import pytest

from llamaextract_nb.cli import build_parser, main
from llamaextract_nb.local.server.runner import lock_data_dir


def test_defaults_bind_loopback() -> None:
    args = build_parser().parse_args(["serve"])
    assert args.host == "127.0.0.1" and args.port == 8765 and args.workers >= 1
    assert args.engine == "llamaextract_nb.local.engine:extract"
    assert args.max_upload_mb == 100


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["serve", "--workers", "0"], "--workers must be at least 1"),
        (["serve", "--engine", "nowhere"], "must look like 'package.module:function'"),
        (["serve", "--engine", "json:nothing"], "has no callable named 'nothing'"),
    ],
)
def test_bad_options_are_explained(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_a_busy_data_dir_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    held = lock_data_dir(tmp_path)
    try:
        code = main(["serve", "--port", "0", "--data-dir", str(tmp_path), "--api-key", "k"])
    finally:
        if held is not None:
            held.close()
    assert code == 1
    assert "another llamaextract-nb server is using" in capsys.readouterr().err


def test_a_new_data_dir_is_private(tmp_path: Path) -> None:
    held = lock_data_dir(tmp_path / "fresh")
    if held is not None:
        held.close()
    assert (tmp_path / "fresh").stat().st_mode & 0o077 == 0
