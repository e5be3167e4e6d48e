"""Test plugin: headless Chromium (Debian's ``chromium`` package, driven by Playwright) and a
JupyterLab to drive with it.

Without a browser the browser tests are skipped, saying why and how to install one; where a
browser is required (``CI`` or ``LLAMAEXTRACT_NB_REQUIRE_BROWSER`` set to a non-empty value
other than ``0``/``false``) they fail instead, so CI can never pass by skipping them.
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
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REQUIRE_VARIABLES = ("LLAMAEXTRACT_NB_REQUIRE_BROWSER", "CI")


def browser_required() -> bool:
    """Whether a missing browser fails the browser tests instead of skipping them."""
    return any(
        os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")
        for name in REQUIRE_VARIABLES
    )


def chromium_executable() -> str:
    """The path of the system Chromium; skips (or fails, where required) when there is none."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    problem = None if found else "no Chromium found on PATH"
    if found:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "the playwright package is not installed"
    if problem is None:
        assert found is not None
        return found
    message = (
        f"browser test: {problem}. Install Debian's browser with `apt-get install chromium` "
        'and the dev extra with `pip install -e ".[dev]"`.'
    )
    if browser_required():
        pytest.fail(
            message + " A browser is required here (CI or LLAMAEXTRACT_NB_REQUIRE_BROWSER is set).",
            pytrace=False,
        )
    pytest.skip(message)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless Chromium (``playwright.sync_api.Browser``), one per test module."""
    executable = chromium_executable()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class JupyterLab:
    """A JupyterLab server on 127.0.0.1 with a token, serving the folder ``root``."""

    base: str
    token: str
    root: Path

    def url(self, notebook: str) -> str:
        """The address that opens ``notebook`` (a path relative to ``root``)."""
        return f"{self.base}/lab/tree/{notebook}?token={self.token}"


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
    # Keep every cell in the DOM (no virtual scrolling) so widgets are always findable.
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
def jupyterlab(tmp_path: Path) -> Iterator[JupyterLab]:
    """A JupyterLab serving an empty temporary root (copy notebooks into ``lab.root``)."""
    chromium_executable()  # no browser, no point starting JupyterLab
    root = tmp_path / "root"
    root.mkdir()
    port, token = _free_port(), "lxnb-browser-test"
    log_path = tmp_path / "lab.log"
    log = log_path.open("w")
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
                    pytest.fail("JupyterLab did not start:\n" + log_path.read_text()[-3000:])
                time.sleep(0.3)
        yield JupyterLab(base, token, root)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
    """Poll ``condition`` every 0.25 s; fail saying ``what`` did not happen in time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    pytest.fail(f"{what} (waited {timeout:.0f} s); see artifacts/ for screenshots")


def wait_kernel_ready(page: Any) -> None:
    """Wait until the open notebook's kernel is started and idle (accepting the kernel dialog)."""
    status = page.locator(".jp-StatusBar-Widget", has_text="| Idle")

    def ready() -> bool:
        dialog = page.locator(".jp-Dialog", has_text="Select Kernel")
        if dialog.count():
            dialog.get_by_role("button", name="Select").click()
        return status.count() > 0 and "No Kernel" not in status.first.inner_text()

    wait_for(ready, "the notebook's kernel did not start", 90)


def wait_idle(page: Any, what: str, timeout: float = 150) -> None:
    """Wait until no cell of the open notebook is running."""
    time.sleep(1.0)  # let the run start before looking for idle
    wait_for(
        lambda: (
            page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").count() == 1
            and page.locator(".jp-InputArea-prompt:has-text('[*]')").count() == 0
        ),
        what,
        timeout,
    )


def run_all_cells(page: Any) -> None:
    """Run > Run All Cells in JupyterLab's menu bar."""
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()


@contextmanager
def open_page(browser: Any, shots: Path, width: int = 1440, height: int = 1100) -> Iterator[Any]:
    """A new page of ``browser``; when the block fails, a full-page screenshot goes to
    ``shots/failure.png`` before the error propagates. The page is closed after."""
    shots.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": width, "height": height})
    try:
        yield page
    except Exception:
        page.screenshot(path=str(shots / "failure.png"), full_page=True)
        raise
    finally:
        page.close()
