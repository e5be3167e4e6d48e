"""The Studio in a real JupyterLab, driven by headless Chromium (the distribution's package).

Starts JupyterLab on a loopback port with a token and a temporary root holding a copy of the
quickstart, runs the notebook, then works the Studio as a person would: picks a sample, adds
a field in the schema editor, clicks Run, waits for COMPLETED and reads the result table and a
citation. Screenshots of each step go to ``artifacts/studio/``.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, sync_playwright

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[1]
QUICKSTART = ROOT / "notebooks" / "quickstart.ipynb"
SHOTS = ROOT / "artifacts" / "studio"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
NEW_FIELD = "document_note"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _lab_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "LLAMA_CLOUD_API_KEY"}
    settings = home / "lab-settings"
    news = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    news.parent.mkdir(parents=True)
    news.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    # Keep every cell in the DOM (no virtual scrolling) so the Studio is always findable.
    tracker = settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True)
    tracker.write_text(json.dumps({"windowingMode": "none"}))
    env.update(
        XDG_CACHE_HOME=str(home / "cache"),  # the embedded server's data stays in the test
        JUPYTER_CONFIG_DIR=str(home / "jupyter-config"),
        JUPYTERLAB_SETTINGS_DIR=str(settings),
        JUPYTERLAB_WORKSPACES_DIR=str(home / "lab-workspaces"),
    )
    return env


@pytest.fixture
def jupyterlab(tmp_path: Path) -> Iterator[str]:
    """A JupyterLab on 127.0.0.1 serving a temporary root with the quickstart; yields its URL."""
    root = tmp_path / "root"
    root.mkdir()
    shutil.copy(QUICKSTART, root / "quickstart.ipynb")
    port, token = _free_port(), "lxnb-browser-test"
    log = (tmp_path / "lab.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyter",
            "lab",
            "--no-browser",
            "--ServerApp.open_browser=False",
            "--ServerApp.allow_root=True",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={root}",
            "--LabApp.extension_manager=readonly",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ],
        cwd=root,
        env=_lab_env(tmp_path),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail(
                        "JupyterLab did not start:\n" + (tmp_path / "lab.log").read_text()[-3000:]
                    )
                time.sleep(0.3)
        yield f"{base}/lab/tree/quickstart.ipynb?token={token}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()


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


def test_studio_in_jupyterlab(jupyterlab: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    label = _sample_label()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1100})
        try:
            _drive(page, jupyterlab, label)
        except Exception:
            page.screenshot(path=str(SHOTS / "failure.png"), full_page=True)
            raise
        finally:
            browser.close()


def _shot(page: Page, name: str, focus: Locator | None = None) -> None:
    """Save a screenshot of the window, with ``focus`` scrolled into view first."""
    if focus is not None:
        focus.scroll_into_view_if_needed()
        page.wait_for_timeout(300)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def _drive(page: Page, url: str, label: str) -> None:
    page.set_default_timeout(60_000)
    page.goto(url)
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", state="visible")
    _wait_kernel_ready(page)
    _shot(page, "01_opened")

    # Run the whole quickstart (it connects, opens the Studio and runs it from code).
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    studio = page.locator(".lxnb-studio").first
    studio.wait_for(state="visible", timeout=120_000)
    _wait_idle(page, "the quickstart did not finish running")
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
    _wait_for(lambda: "receipt.pdf" in table.inner_text(), "the uploaded file was not listed")
    assert "PDF" in table.inner_text()
    _shot(page, "03_file_uploaded", files)

    # Pick a sample instead.
    files.get_by_role("button", name="Clear").click()
    files.locator("select").select_option(label=label)
    files.get_by_role("button", name="Add sample").click()
    _wait_for(lambda: "invoice.pdf" in table.inner_text(), "the sample was not listed")
    assert "receipt.pdf" not in table.inner_text()
    _shot(page, "04_sample_picked", files)

    # Add a field in the schema editor; the JSON view follows.
    studio.locator(".lm-TabBar-tab", has_text="Schema").click()
    editor = studio.locator(".lxnb-schema-editor")
    rows_before = editor.locator(".lxnb-field-row").count()
    editor.get_by_role("button", name="Add field").click()
    rows = editor.locator(".lxnb-field-row")
    _wait_for(lambda: rows.count() == rows_before + 1, "the new field row did not appear")
    name_box = rows.last.locator("input[placeholder='name']")
    name_box.fill(NEW_FIELD)
    rows.last.locator("input[placeholder='description']").fill("Any note printed on the document")
    json_view = editor.locator(".lxnb-json textarea")
    _wait_for(lambda: NEW_FIELD in json_view.input_value(), "the JSON view did not follow the rows")
    _shot(page, "05_field_added", rows.last)

    # Run and wait for COMPLETED.
    run = studio.locator(".lxnb-run")
    run.locator("button.lxnb-run-button").click()
    statuses = run.locator(".lxnb-job-row .lxnb-status")
    _wait_for(lambda: statuses.count() == 1, "no job row appeared after clicking Run", 30)
    _wait_for(
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
    _wait_for(lambda: "invoice.pdf" in full_view.inner_text(), "the full view did not open", 30)
    _shot(page, "08_full_view", full_view)


def _wait_kernel_ready(page: Page) -> None:
    """Wait until the notebook's kernel is started and idle (accepting the kernel dialog)."""
    status = page.locator(".jp-StatusBar-Widget", has_text="| Idle")

    def ready() -> bool:
        dialog = page.locator(".jp-Dialog", has_text="Select Kernel")
        if dialog.count():
            dialog.get_by_role("button", name="Select").click()
        return status.count() > 0 and "No Kernel" not in status.first.inner_text()

    _wait_for(ready, "the notebook's kernel did not start", 90)


def _wait_idle(page: Page, what: str) -> None:
    time.sleep(1.0)  # let the run start before looking for idle
    _wait_for(
        lambda: (
            page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").count() == 1
            and page.locator(".jp-InputArea-prompt:has-text('[*]')").count() == 0
        ),
        what,
        150,
    )


def _wait_for(condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    pytest.fail(f"{what} (waited {timeout:.0f} s); see artifacts/studio/ for screenshots")
