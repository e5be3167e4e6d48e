"""The Studio in a real JupyterLab, driven by headless Chromium (the distribution's package).

Starts JupyterLab on a loopback port with a token and a temporary root holding a copy of the
quickstart, runs the notebook, then works the Studio as a person would: picks a sample, adds
a field in the schema editor, clicks Run, waits for COMPLETED and reads the result table and a
citation. Screenshots of each step go to ``artifacts/studio/``.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from browsers import JupyterLab, open_page, run_all_cells, wait_for, wait_idle, wait_kernel_ready

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[1]
QUICKSTART = ROOT / "notebooks" / "quickstart.ipynb"
SHOTS = ROOT / "artifacts" / "studio"
NEW_FIELD = "document_note"


def _sample_path(name: str) -> Path:
    from llamaextract_nb import samples

    return samples.path(name)


def _sample_label() -> str:
    """The Dropdown label of the sample the test picks: the one-page PDF invoice."""
    from llamaextract_nb import samples
    from llamaextract_nb.widgets.files import sample_label

    for sample in samples.list():
        if sample.name == "invoice.pdf":
            return sample_label(sample)
    pytest.fail(f"no PDF invoice among the samples: {[s.name for s in samples.list()]}")


def test_studio_in_jupyterlab(jupyterlab: JupyterLab, browser: Any) -> None:
    label = _sample_label()
    shutil.copy(QUICKSTART, jupyterlab.root / "quickstart.ipynb")
    with open_page(browser, SHOTS) as page:
        _drive(page, jupyterlab.url("quickstart.ipynb"), label)


def _shot(page: Any, name: str, focus: Any = None) -> None:
    """Save a screenshot of the window, with ``focus`` scrolled into view first."""
    if focus is not None:
        focus.scroll_into_view_if_needed()
        page.wait_for_timeout(300)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def _drive(page: Any, url: str, label: str) -> None:
    page.set_default_timeout(60_000)
    page.goto(url)
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", state="visible")
    wait_kernel_ready(page)
    _shot(page, "01_opened")

    # Run the whole quickstart (it connects, opens the Studio and runs it from code).
    run_all_cells(page)
    studio = page.locator(".lxnb-studio").first
    studio.wait_for(state="visible", timeout=120_000)
    wait_idle(page, "the quickstart did not finish running")
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    tracebacks = [t for t in errors.all_inner_texts() if "Traceback" in t or "Error" in t]
    assert not tracebacks, f"the quickstart printed errors: {tracebacks[:2]}"
    _shot(page, "02_quickstart_ran", studio)

    # Upload a file through the browser: it reaches the kernel and is listed with its pages.
    studio.locator(".lm-TabBar-tab", has_text="Documents").click()
    files = studio.locator(".lxnb-files")
    files.get_by_role("button", name="Clear").click()
    with page.expect_file_chooser() as chooser:
        files.locator(".widget-upload").click()
    chooser.value.set_files(str(_sample_path("receipt.pdf")))
    table = files.locator(".lxnb-file-table")
    wait_for(lambda: "receipt.pdf" in table.inner_text(), "the uploaded file was not listed")
    assert "PDF" in table.inner_text()
    _shot(page, "03_file_uploaded", files)

    # Pick a sample instead.
    files.get_by_role("button", name="Clear").click()
    files.locator("select").select_option(label=label)
    files.get_by_role("button", name="Add sample").click()
    wait_for(lambda: "invoice.pdf" in table.inner_text(), "the sample was not listed")
    assert "receipt.pdf" not in table.inner_text()
    _shot(page, "04_sample_picked", files)

    # Add a field in the schema editor; the JSON view follows.
    studio.locator(".lm-TabBar-tab", has_text="Schema").click()
    editor = studio.locator(".lxnb-schema-editor")
    rows_before = editor.locator(".lxnb-field-row").count()
    editor.get_by_role("button", name="Add field").click()
    rows = editor.locator(".lxnb-field-row")
    wait_for(lambda: rows.count() == rows_before + 1, "the new field row did not appear")
    name_box = rows.last.locator("input[placeholder='name']")
    name_box.fill(NEW_FIELD)
    rows.last.locator("input[placeholder='description']").fill("Any note printed on the document")
    json_view = editor.locator(".lxnb-json textarea")
    wait_for(lambda: NEW_FIELD in json_view.input_value(), "the JSON view did not follow the rows")
    _shot(page, "05_field_added", rows.last)

    # Run and wait for COMPLETED.
    run = studio.locator(".lxnb-run")
    run.locator("button.lxnb-run-button").click()
    statuses = run.locator(".lxnb-job-row .lxnb-status")
    wait_for(lambda: statuses.count() == 1, "no job row appeared after clicking Run", 30)
    wait_for(
        lambda: statuses.first.inner_text().strip() in ("COMPLETED", "FAILED", "CANCELLED"),
        "the job did not finish",
        120,
    )
    _shot(page, "06_run_completed", run)
    assert statuses.first.inner_text().strip() == "COMPLETED", run.inner_text()

    # The result table and a citation are on the page.
    results = studio.locator(".lxnb-results")
    result_table = results.locator("table.lxnb-result-table")
    result_table.wait_for(state="visible")
    assert NEW_FIELD in result_table.inner_text(), "the added field is not a column"
    citation = results.locator(".lxnb-citation").first
    citation.wait_for(state="visible")
    assert citation.inner_text().strip(), "the citation is empty"
    _shot(page, "07_results_and_citation", citation)

    # The full view of the document (the results package's HTML) opens in place.
    results.get_by_text("Full view of this document").click()
    full_view = results.locator(".lm-AccordionPanel .widget-html-content, .widget-html").last
    wait_for(lambda: "invoice.pdf" in full_view.inner_text(), "the full view did not open", 30)
    _shot(page, "08_full_view", full_view)
