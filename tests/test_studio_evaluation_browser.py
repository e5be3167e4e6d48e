"""The Studio's Evaluation tab and a comparison of two runs in a real JupyterLab, driven by
headless Chromium: a notebook runs a vague schema and then the reference schema over a shipped
sample set with truth; the person opens the Evaluation tab and compares the runs in History.
Screenshots go to ``artifacts/evaluation/``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
import pytest
from browsers import ARTIFACTS, JupyterLab, run_all_cells, wait_for, wait_idle, wait_kernel_ready

pytestmark = [pytest.mark.slow, pytest.mark.browser]

SHOTS = ARTIFACTS / "evaluation"
CELLS = [
    "import llamaextract_nb as lx\n"
    "studio = lx.Studio()\n"
    'studio.add_sample_set("invoices")\n'
    'studio.options = {"cite_sources": True, "confidence_scores": True}\n'
    "reference = studio.schema\n"
    'studio.schema = {"type": "object", "properties": {\n'
    '    "invoice_number": {"type": "string", "description": "number"},\n'
    '    "total_amount": {"type": "string", "description": "amount"}}}\n'
    "studio",
    "first = await studio.run()",
    "studio.schema = reference\nsecond = await studio.run()",
    'print("accuracy", round(studio.evaluation.accuracy, 3))',
]


def _notebook(root: Path) -> str:
    book = nbformat.v4.new_notebook()
    book.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    book.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(book, root / "evaluation.ipynb")
    return "evaluation.ipynb"


def _shot(page: Any, name: str, focus: Any = None) -> None:
    if focus is not None:
        focus.scroll_into_view_if_needed()
        page.wait_for_timeout(300)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def test_evaluation_tab_and_comparison_in_jupyterlab(jupyterlab: JupyterLab, browser: Any) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1440, "height": 1200})
    page.set_default_timeout(60_000)
    try:
        page.goto(jupyterlab.url(_notebook(jupyterlab.root)))
        page.wait_for_selector(".jp-NotebookPanel .jp-Cell", state="visible")
        wait_kernel_ready(page)
        run_all_cells(page)
        studio = page.locator(".lxnb-studio").first
        studio.wait_for(state="visible", timeout=120_000)
        wait_idle(page, "the notebook did not finish running", 300)
        errors = page.locator(
            ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
        )
        assert not [t for t in errors.all_inner_texts() if "Traceback" in t]
        wait_for(lambda: "accuracy" in page.locator(".jp-OutputArea").last.inner_text(), "no print")

        # The Evaluation tab: the change since run #1, then the scoreboard.
        studio.locator(".lm-TabBar-tab", has_text="Evaluation").click()
        tab = studio.locator(".lxnb-evaluation")
        tab.wait_for(state="visible")
        wait_for(lambda: "Against run #1" in tab.inner_text(), "no delta against run #1")
        text = tab.inner_text()
        assert "total_amount" in text and "invoice_date" in text
        assert tab.locator("table.lx-delta tr.lx-delta-improved").count() >= 1
        assert tab.locator("table.lx-scoreboard").is_visible()
        assert tab.locator("svg").count() >= 1  # the reliability diagram
        _shot(page, "01_evaluation_tab", tab)

        # History: compare run #1 with run #2.
        studio.locator(".lm-TabBar-tab", has_text="History").click()
        history = studio.locator(".lxnb-history")
        history.get_by_role("button", name="Compare").click()
        wait_for(lambda: "#1" in history.inner_text() and "#2" in history.inner_text(), "compare")
        comparison = history.locator(".lxnb").last
        comparison.wait_for(state="visible")
        assert "accuracy" in comparison.inner_text().lower()
        _shot(page, "02_history_comparison", comparison)
    except Exception:
        page.screenshot(path=str(SHOTS / "failure.png"), full_page=True)
        raise
    finally:
        page.close()
