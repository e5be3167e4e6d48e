"""The batch progress bar: counts beside the bar, and a silent no-op when disabled."""

from __future__ import annotations

import pytest

from llamaextract_nb.client.progress import BatchProgress


def test_bar_shows_finished_documents_and_the_three_counts(
    capsys: pytest.CaptureFixture[str],
) -> None:
    bar = BatchProgress(["a", "b", "c", "d", "e"], desc="extract")
    bar.update(done=0, failed=0, running=2)
    bar.update(done=3, failed=1, running=1)
    bar.close()
    err = capsys.readouterr().err
    assert "4/5" in err and "done=3, failed=1, running=1" in err


def test_disabled_bar_prints_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    bar = BatchProgress(["a"] * 5, enabled=False)
    bar.update(done=5, failed=0, running=0)
    bar.close()
    assert capsys.readouterr() == ("", "")
