"""The Studio's Review tab in a real JupyterLab, driven by headless Chromium: a correction typed
and saved, the kernel restarted, the review resumed with that correction in place.

Screenshots of each step go to ``artifacts/review/``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import nbformat
import pytest
from browsers import (
    ARTIFACTS,
    JupyterLab,
    open_page,
    run_all_cells,
    wait_for,
    wait_idle,
    wait_kernel_ready,
)
from nbformat.v4 import new_code_cell, new_notebook

pytestmark = [pytest.mark.slow, pytest.mark.browser]

SHOTS = ARTIFACTS / "review"
CORRECTED = "Harbor Analytics, Inc."
CELLS = [
    """import llamaextract_nb as lx

client = lx.connect()
studio = lx.Studio(client)
studio.add_sample("invoice.pdf")
studio.options = {"cite_sources": True, "confidence_scores": True}
studio""",
    "results = await studio.run()\nprint('ran', len(results), 'document')",
]


def _notebook(root: Path) -> str:
    notebook = new_notebook(cells=[new_code_cell(source) for source in CELLS])
    notebook.metadata["kernelspec"] = {
        "display_name": "Python 3",
        "language": "python",
        "name": "python3",
    }
    nbformat.write(notebook, root / "review.ipynb")
    return "review.ipynb"


def test_review_tab_correction_survives_a_kernel_restart(
    jupyterlab: JupyterLab, browser: Any
) -> None:
    name = _notebook(jupyterlab.root)
    with open_page(browser, SHOTS, height=1200) as page:
        _drive(page, jupyterlab, name)


def _shot(page: Any, name: str, focus: Any = None) -> None:
    if focus is not None:
        focus.scroll_into_view_if_needed()
        page.wait_for_timeout(300)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def _run_notebook(page: Any) -> Any:
    run_all_cells(page)
    studio = page.locator(".lxnb-studio").first
    studio.wait_for(state="visible", timeout=120_000)
    wait_idle(page, "the notebook did not finish running")
    wait_for(
        lambda: page.locator(".jp-OutputArea-output", has_text="ran 1 document").count() == 1,
        "the Studio's run did not finish",
        120,
    )
    return studio


def _start_review(page: Any, studio: Any) -> Any:
    studio.locator(".lm-TabBar-tab", has_text="Review").click()
    tab = studio.locator(".lxnb-review-tab")
    threshold = tab.locator(".lxnb-review-threshold input")
    threshold.fill("0.9")
    threshold.press("Enter")
    tab.locator("button.lxnb-review-start").click()
    progress = tab.locator(".lxnb-review-progress")
    progress.wait_for(state="visible")
    return tab


def _drive(page: Any, lab: JupyterLab, name: str) -> None:
    page.set_default_timeout(60_000)
    page.goto(lab.url(name))
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", state="visible")
    wait_kernel_ready(page)
    studio = _run_notebook(page)
    tab = _start_review(page, studio)
    progress = tab.locator(".lxnb-review-progress")
    wait_for(lambda: "0 of 7 checked" in progress.inner_text(), "the queue did not show")
    assert "buyer.name" in tab.inner_text()
    evidence = tab.locator(".lxnb-review-evidence img")
    evidence.wait_for(state="visible")  # the cited region of the PDF page, boxed
    _shot(page, "01_queue_with_evidence", tab)

    # Type a correction and press Enter: it is saved at once.
    value = tab.locator(".lxnb-review-input input")
    value.fill(CORRECTED)
    value.press("Enter")
    wait_for(lambda: "1 of 7 checked" in progress.inner_text(), "the correction was not saved")
    gold = lab.root / "gold" / "invoice.json"
    assert json.loads(gold.read_text())["buyer"]["name"] == CORRECTED
    _shot(page, "02_correction_saved", tab)

    # The shortcut box: "a" accepts the next value (buyer.address).
    keys = tab.locator(".lxnb-review-keys input")
    keys.click()
    keys.type("a")
    wait_for(lambda: "2 of 7 checked" in progress.inner_text(), "the shortcut did not accept")

    # A correction that does not fit the field's type is refused, nothing written.
    tab.locator("button.lxnb-review-skip").click()  # invoice_number: later
    wait_for(lambda: "line_items[0].quantity" in tab.inner_text(), "skip did not move on")
    value.fill("twelve")
    tab.locator("button.lxnb-review-correct").click()
    message = tab.locator(".lxnb-review-message")
    wait_for(lambda: "not a number" in message.inner_text(), "bad input gave no message")
    assert "nothing was saved" in message.inner_text()
    assert "line_items" not in json.loads(gold.read_text())
    _shot(page, "03_bad_input_refused", tab)

    # Restart the kernel and run everything again: the review resumes from the gold folder.
    page.get_by_role("menuitem", name="Kernel", exact=True).click()
    page.locator(".lm-Menu-itemLabel").get_by_text(re.compile(r"^Restart Kernel…$")).click()
    page.locator(".jp-Dialog button.jp-mod-accept").click()
    wait_kernel_ready(page)
    page.wait_for_timeout(1000)
    studio = _run_notebook(page)
    tab = _start_review(page, studio)
    progress = tab.locator(".lxnb-review-progress")
    wait_for(lambda: "2 of 7 checked" in progress.inner_text(), "the review did not resume")
    assert "line_items[0].quantity" in tab.inner_text()  # the skipped value comes back last
    recent = tab.locator(".lxnb-review-recent")
    wait_for(lambda: CORRECTED in recent.inner_text(), "the correction is not listed")
    assert json.loads(gold.read_text())["buyer"]["name"] == CORRECTED
    _shot(page, "04_resumed_after_restart", tab)
