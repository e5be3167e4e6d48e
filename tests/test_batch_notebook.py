"""notebooks/batch_to_dataframe.ipynb runs top to bottom on the embedded local server."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "batch_to_dataframe.ipynb"


@pytest.mark.slow
def test_batch_notebook_executes_and_shows_frames_and_a_plot(tmp_path: Path) -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("LLAMA_CLOUD_API_KEY", "LLAMA_PARSE_API_KEY")
    }
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")  # the embedded server's data dir
    NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute(env=env)

    outputs = [out for cell in notebook.cells if cell.cell_type == "code" for out in cell.outputs]
    assert not [out for out in outputs if out.output_type == "error"]
    html = "\n".join(out.get("data", {}).get("text/html", "") for out in outputs)
    text = "\n".join(
        out.get("text", "") or out.get("data", {}).get("text/plain", "") for out in outputs
    )
    assert "INV-2024-0317" in html and "SLS-24-01187" in html  # the DataFrame of every document
    assert "line_items" in text or "lines" in html  # the per-array frame grouped by file
    assert any("image/png" in out.get("data", {}) for out in outputs)  # the confidence plot
    assert "6 documents from the ledger" in text
    assert not (tmp_path / ".llamaextract-ledger.sqlite").exists()  # the notebook chose its own
