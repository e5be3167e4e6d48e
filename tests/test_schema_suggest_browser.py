"""Suggest from documents in a real JupyterLab (headless Chromium): suggest, accept two
fields, run. Screenshots go to ``artifacts/suggest/``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
import pytest
from browsers import JupyterLab, open_page, run_all_cells, wait_for, wait_idle, wait_kernel_ready

pytestmark = [pytest.mark.slow, pytest.mark.browser]

SHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "suggest"
SOURCE = """import llamaextract_nb as lx
studio = lx.Studio(lx.connect(), schema=lx.Schema([]))
studio.load_sample_schema.value = False
studio.add_sample("invoice.pdf")
studio.steps.selected_index = 1
studio"""
ACCEPTED = ("invoice_number", "total")


def test_suggest_accept_two_fields_and_run(jupyterlab: JupyterLab, browser: Any) -> None:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(SOURCE)])
    nbformat.write(notebook, jupyterlab.root / "suggest.ipynb")
    with open_page(browser, SHOTS) as page:
        _drive(page, jupyterlab.url("suggest.ipynb"))


def _drive(page: Any, url: str) -> None:
    page.set_default_timeout(60_000)
    page.goto(url)
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", state="visible")
    wait_kernel_ready(page)
    run_all_cells(page)
    studio = page.locator(".lxnb-studio").first
    studio.wait_for(state="visible", timeout=120_000)
    wait_idle(page, "the notebook did not finish running")

    panel = studio.locator(".lxnb-schema-suggest")
    panel.locator("button.lxnb-suggest").click()
    rows = panel.locator(".lxnb-suggest-row")
    wait_for(lambda: rows.count() >= 8, "no suggestions were listed", 90)
    assert "invoice.pdf p.1" in panel.inner_text()
    page.screenshot(path=str(SHOTS / "01_suggested.png"), full_page=True)

    for index in range(rows.count()):
        row = rows.nth(index)
        name = row.locator("code").first.inner_text().strip()
        box = row.locator("input[type=checkbox]")
        if box.is_checked() != (name in ACCEPTED):
            box.click()
    panel.locator("button.lxnb-suggest-add-selected").click()
    editor = studio.locator(".lxnb-schema-editor")
    json_view = editor.locator(".lxnb-json textarea")
    wait_for(
        lambda: all(name in json_view.input_value() for name in ACCEPTED),
        "the accepted fields did not reach the schema",
    )
    assert "line_items" not in json_view.input_value()
    page.screenshot(path=str(SHOTS / "02_two_accepted.png"), full_page=True)

    run = studio.locator(".lxnb-run")
    run.locator("button.lxnb-run-button").click()
    statuses = run.locator(".lxnb-job-row .lxnb-status")
    wait_for(lambda: statuses.count() == 1, "no job row appeared after clicking Run", 30)
    wait_for(
        lambda: statuses.first.inner_text().strip() in ("COMPLETED", "FAILED", "CANCELLED"),
        "the job did not finish",
        120,
    )
    assert statuses.first.inner_text().strip() == "COMPLETED", run.inner_text()
    table = studio.locator(".lxnb-results table.lxnb-result-table")
    table.wait_for(state="visible")
    wait_for(lambda: "INV-2024-0317" in table.inner_text(), "the result lacks the invoice number")
    page.screenshot(path=str(SHOTS / "03_run_completed.png"), full_page=True)
