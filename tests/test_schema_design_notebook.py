"""notebooks/schema_design.ipynb runs top to bottom on the embedded local server: two schema
versions extracted from the shipped sample sets, evaluated, compared, calibrated."""

from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "schema_design.ipynb"


@pytest.mark.slow
def test_schema_design_notebook_shows_v2_beating_v1(tmp_path: Path) -> None:
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
    text = "\n".join(
        out.get("text", "") or out.get("data", {}).get("text/plain", "") for out in outputs
    )
    html = "\n".join(out.get("data", {}).get("text/html", "") for out in outputs)
    accuracy = re.search(r"\{'v1': ([\d.]+), 'v2': ([\d.]+)\}", text)
    assert accuracy, "the comparison's accuracy per run was not printed"
    assert float(accuracy[2]) > float(accuracy[1]) + 0.05  # v2 is better, by a margin
    assert html.count('class="lx-scoreboard"') >= 2  # both evaluations displayed
    assert "lx-reliability" in html and "<svg" in html and "<script" not in html
    assert 'class="lx-improved"' in html and "Comparison v1 → v2" in html
    assert "invoices/invoice-01.pdf" in html  # short file names
    assert re.search(r"threshold 0\.\d+: [\d.]+% of values go to review", text)
    assert any("image/png" in out.get("data", {}) for out in outputs)  # the trade-off plot
