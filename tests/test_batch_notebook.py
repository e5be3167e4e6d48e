"""notebooks/batch_to_dataframe.ipynb runs top to bottom on the embedded local server."""

from __future__ import annotations

from pathlib import Path

import pytest
from notebook_runs import execute


@pytest.mark.slow
def test_batch_notebook_executes_and_shows_frames_and_a_plot(tmp_path: Path) -> None:
    run = execute("batch_to_dataframe.ipynb", tmp_path)
    assert not run.errors
    html, text = run.html, run.text
    assert "INV-2024-0317" in html and "SLS-24-01187" in html  # the DataFrame of every document
    assert "line_items" in text or "lines" in html  # the per-array frame grouped by file
    assert run.has("image/png")  # the confidence plot
    assert "6 documents from the ledger" in text
    assert not (tmp_path / ".llamaextract-ledger.sqlite").exists()  # the notebook chose its own
