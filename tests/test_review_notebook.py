"""notebooks/review_to_gold.ipynb runs top to bottom on the embedded local server: extract,
review with scripted decisions into a gold folder, resume, evaluate against the gold folder."""

from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "review_to_gold.ipynb"


@pytest.mark.slow
def test_review_notebook_extracts_reviews_and_evaluates(tmp_path: Path) -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("LLAMA_CLOUD_API_KEY", "LLAMA_PARSE_API_KEY")
    }
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")  # the embedded server's data dir
    env["TMPDIR"] = str(tmp_path)  # the notebook's work folder (gold, ledger) lands here
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
    assert "Estimate(4 documents, 4 pages, about 100 credits" in text
    assert "Estimate: 4 documents, 4 pages, about 100 credits" in text
    queued = re.search(r"0 of (\d+) checked", text)
    assert queued and int(queued[1]) > 0
    total = queued[1]
    assert "refused:" in text and "is not a date; type it as YYYY-MM-DD" in text
    assert f"{total} of {total} checked {{'accepted':" in text
    assert f"{total} of {total} checked | next: None" in text  # a new Review resumed: done
    assert "_review_log.jsonl" in text and "invoice-01.json" in text
    graded = re.search(r"graded (\d+) reviewed values, accuracy ([0-9.]+)", text)
    assert graded and graded[1] == total
    rest = re.search(r"accept_rest wrote (\d+) values; graded (\d+)", text)
    assert rest and int(rest[2]) == int(total) + int(rest[1])
    gold = next(tmp_path.glob("review-to-gold-*/gold"))
    assert sorted(p.name for p in gold.iterdir())[:2] == ["_review_log.jsonl", "invoice-01.json"]
