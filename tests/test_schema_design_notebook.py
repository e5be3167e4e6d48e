"""notebooks/schema_design.ipynb runs top to bottom on the embedded local server: two schema
versions extracted from the shipped sample sets, evaluated, compared, calibrated."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from notebook_runs import execute


@pytest.mark.slow
def test_schema_design_notebook_shows_v2_beating_v1(tmp_path: Path) -> None:
    run = execute("schema_design.ipynb", tmp_path)
    assert not run.errors
    accuracy = re.search(r"\{'v1': ([\d.]+), 'v2': ([\d.]+)\}", run.text)
    assert accuracy, "the comparison's accuracy per run was not printed"
    assert float(accuracy[2]) > float(accuracy[1]) + 0.05  # v2 is better, by a margin
    html = run.html
    assert html.count('class="lx-scoreboard"') >= 2  # both evaluations displayed
    assert "lx-reliability" in html and "<svg" in html and "<script" not in html
    assert 'class="lx-improved"' in html and "Comparison v1 → v2" in html
    assert "invoices/invoice-01.pdf" in html  # short file names
    assert re.search(r"threshold 0\.\d+: [\d.]+% of values go to review", run.text)
    assert run.has("image/png")  # the trade-off plot
