"""Running the chosen files: one row per job with live status, elapsed time and cancel.

Each job is an asyncio task on the kernel's running event loop (upload, create, poll, fetch)
that writes its progress into the row's traits; the notebook stays usable meanwhile. Errors
become the row's message (the client's exceptions read well), never a traceback.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING, Any

import ipywidgets as w
import traitlets

from llamaextract_nb.api.models import TERMINAL_STATUSES, ExtractConfiguration, ExtractJob
from llamaextract_nb.widgets._html import badge, message
from llamaextract_nb.widgets.files import ChosenFile

if TYPE_CHECKING:
    from llamaextract_nb.client import AsyncClient
    from llamaextract_nb.results import ExtractResult

TICK_SECONDS = 0.5
MAX_CONCURRENT_UPLOADS = 8
"""Uploads (and job creations) in flight at once; the rest wait, shown as PENDING."""
WAIT_TIMEOUT = 3600.0
"""How long a job may run before its row says it timed out (the job itself goes on)."""
FINAL = TERMINAL_STATUSES


class JobRow(w.HBox):
    """One document's job: status, elapsed seconds, message, and a cancel button."""

    status = traitlets.Unicode("PENDING", help="UPLOADING (upload and create), then the job's.")
    elapsed = traitlets.Float(0.0, help="Seconds since the run started for this file.")
    error = traitlets.Unicode("", help="Why the job failed, or ''.")
    job_id = traitlets.Unicode("", help="The job id once created.")

    def __init__(self, chosen: ChosenFile) -> None:
        self.chosen = chosen
        self.result: ExtractResult | None = None
        self.task: asyncio.Task[ExtractResult | None] | None = None
        self.cancel_requested = False
        self._cancel_event = asyncio.Event()
        self.started = time.monotonic()
        self.name_label = w.HTML(
            f"<span title='{escape(chosen.name, quote=True)}'>{escape(chosen.name)}</span>",
            layout=w.Layout(width="220px", overflow="hidden"),
        )
        self.status_label = w.HTML(badge(self.status), layout=w.Layout(width="110px"))
        self.elapsed_label = w.Label("0.0 s", layout=w.Layout(width="70px"))
        self.message_label = w.HTML(layout=w.Layout(flex="1 1 auto"))
        self.cancel_button = w.Button(
            description="Cancel", icon="stop", layout=w.Layout(width="90px")
        )
        self.cancel_button.on_click(lambda _: self.cancel())
        super().__init__(
            [
                self.name_label,
                self.status_label,
                self.elapsed_label,
                self.cancel_button,
                self.message_label,
            ],
            layout=w.Layout(align_items="center"),
        )
        self.add_class("lxnb-job-row")

    @property
    def finished(self) -> bool:
        """True once the job is COMPLETED, FAILED or CANCELLED."""
        return self.status in FINAL

    @traitlets.observe("status")
    def _status_changed(self, change: dict[str, Any]) -> None:
        self.status_label.value = badge(change["new"])
        if change["new"] in FINAL:
            self.cancel_button.disabled = True
            self.tick()

    @traitlets.observe("elapsed")
    def _elapsed_changed(self, change: dict[str, Any]) -> None:
        self.elapsed_label.value = f"{change['new']:.1f} s"

    @traitlets.observe("error")
    def _error_changed(self, change: dict[str, Any]) -> None:
        self.message_label.value = message(change["new"])

    def tick(self) -> None:
        """Update the elapsed time."""
        self.elapsed = time.monotonic() - self.started

    def cancel(self) -> None:
        """Ask the service to cancel the job (or stop before it exists)."""
        if self.finished or self.cancel_requested:
            return
        self.cancel_requested = True
        self._cancel_event.set()
        self.cancel_button.disabled = True
        if not self.job_id and self.task is not None:
            self.task.cancel()


class RunPanel(w.VBox):
    """The run button's companion: a row per job and a one-line summary."""

    running = traitlets.Bool(False, help="True while any job of the current run is unfinished.")

    def __init__(self) -> None:
        self.run_button = w.Button(description="Run", icon="play", button_style="primary")
        self.run_button.add_class("lxnb-run-button")
        self.summary = w.HTML()
        self.error = w.HTML()
        self.rows_box = w.VBox()
        self.rows: list[JobRow] = []
        super().__init__([w.HBox([self.run_button, self.summary]), self.error, self.rows_box])
        self.add_class("lxnb-run")

    def show_error(self, text: str) -> None:
        """Show why a run could not start ('' clears)."""
        self.error.value = message(text)

    def start(
        self,
        client: AsyncClient,
        files: Sequence[ChosenFile],
        configuration: ExtractConfiguration,
    ) -> asyncio.Task[list[ExtractResult]]:
        """Start one job per file on the running loop; the task returns every finished job's
        result (FAILED and CANCELLED jobs included, with their status)."""
        loop = asyncio.get_running_loop()
        for row in self.rows:
            row.close()
        self.rows = [JobRow(f) for f in files]
        self.rows_box.children = self.rows
        self.show_error("")
        self.running = True
        self.run_button.disabled = True
        uploads = asyncio.Semaphore(MAX_CONCURRENT_UPLOADS)
        for row in self.rows:
            row.task = loop.create_task(_run_job(client, row, configuration, uploads))
        return loop.create_task(self._supervise())

    async def _supervise(self) -> list[ExtractResult]:
        tasks = [row.task for row in self.rows if row.task is not None]
        try:
            while not all(t.done() for t in tasks):
                for row in self.rows:
                    if not row.finished:
                        row.tick()
                self._summarise()
                await asyncio.wait(tasks, timeout=TICK_SECONDS)
        finally:
            for row in self.rows:
                if row.task is not None and row.task.done() and row.task.cancelled():
                    row.status = "CANCELLED"
            self.running = False
            self.run_button.disabled = False
            self._summarise()
        return [row.result for row in self.rows if row.result is not None]

    def _summarise(self) -> None:
        counts: dict[str, int] = {}
        for row in self.rows:
            counts[row.status] = counts.get(row.status, 0) + 1
        parts = [f"{n} {status.lower()}" for status, n in sorted(counts.items())]
        self.summary.value = f"<span>{escape(', '.join(parts))}</span>"


async def _run_job(
    client: AsyncClient,
    row: JobRow,
    configuration: ExtractConfiguration,
    uploads: asyncio.Semaphore,
) -> ExtractResult | None:
    """Upload, create, wait, fetch; every outcome ends in the row's traits."""
    from llamaextract_nb.client import LlamaExtractError
    from llamaextract_nb.client.endpoints import FULL_EXPAND
    from llamaextract_nb.results import ExtractResult

    def follow(job: ExtractJob) -> None:
        row.status = job.status

    try:
        async with uploads:
            row.status = "UPLOADING"
            file = await client.files.upload(row.chosen.source, filename=row.chosen.name)
            job = await client.jobs.create(file.id, configuration)
        row.job_id = job.id
        row.status = job.status
        canceller = asyncio.get_running_loop().create_task(_cancel_when_asked(client, row))
        try:
            job = await client.wait(
                job, on_status=follow, raise_on_failure=False, timeout=WAIT_TIMEOUT
            )
        finally:
            canceller.cancel()
        if job.status != "COMPLETED":
            if job.status != "CANCELLED" or not row.cancel_requested:
                row.error = job.error_message or f"the job ended {job.status}"
            row.result = ExtractResult(job, name=row.chosen.name)
            row.status = job.status
            return row.result
        full = await client.jobs.get(job.id, expand=FULL_EXPAND)
        source = row.chosen.path or row.chosen.content
        row.result = ExtractResult(full, source=source, name=row.chosen.name)
        row.status = "COMPLETED"
        return row.result
    except asyncio.CancelledError:
        row.status = "CANCELLED"
        raise
    except LlamaExtractError as exc:
        row.error = str(exc)
    except Exception as exc:  # shown in the widget: the run must never dump a traceback
        row.error = f"{type(exc).__name__}: {exc}"
    row.status = "FAILED"
    return None


async def _cancel_when_asked(client: AsyncClient, row: JobRow) -> None:
    """Send the cancel request once the user clicks Cancel (the poll then sees CANCELLED)."""
    await row._cancel_event.wait()
    try:
        await client.jobs.cancel(row.job_id)
    except Exception as exc:  # the job may have just finished; say so in the row
        row.error = f"cancel failed: {exc}"
