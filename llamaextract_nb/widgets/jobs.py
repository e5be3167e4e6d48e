"""Running the chosen files: one row per job with live status, elapsed time and cancel.

The rows are widgets whose traits the run (:mod:`.job_run`, asyncio tasks on the kernel's
running event loop) writes into; the notebook stays usable meanwhile. Errors become the row's
message (the client's exceptions read well), never a traceback.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from contextlib import suppress
from html import escape
from typing import TYPE_CHECKING, Any

import ipywidgets as w
import traitlets

from llamaextract_nb.api.models import TERMINAL_STATUSES, ExtractConfiguration
from llamaextract_nb.widgets._html import badge, message
from llamaextract_nb.widgets.files import ChosenFile
from llamaextract_nb.widgets.job_run import JobRun

if TYPE_CHECKING:
    from llamaextract_nb.client import AsyncClient
    from llamaextract_nb.results import ExtractResult

TICK_SECONDS = 0.5
FINAL = TERMINAL_STATUSES


class JobRow(w.HBox):
    """One document's job: status, elapsed seconds, message, and a cancel button."""

    status = traitlets.Unicode("PENDING", help="UPLOADING (upload and create), then the job's.")
    elapsed = traitlets.Float(0.0, help="Seconds since the run started for this file.")
    error = traitlets.Unicode("", help="Why the job failed, or ''.")
    job_id = traitlets.Unicode("", help="The job id once created.")
    cancel_requested = traitlets.Bool(False, help="True once Cancel was pressed.")
    timed_out = traitlets.Bool(
        False, help="True once the run stopped waiting for the job (it goes on; Cancel stops it)."
    )

    def __init__(self, chosen: ChosenFile) -> None:
        self.chosen = chosen
        self.result: ExtractResult | None = None
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

    @property
    def settled(self) -> bool:
        """True once the run has nothing more to do for this row: finished or timed out."""
        return self.finished or self.timed_out

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
        """Ask for the job to be cancelled on the service (or stopped before it exists)."""
        if self.finished or self.cancel_requested:
            return
        self.cancel_button.disabled = True
        self.cancel_requested = True


class RunPanel(w.VBox):
    """The run button's companion: a row per job and a one-line summary."""

    running = traitlets.Bool(False, help="True while any job of the current run is unfinished.")

    def __init__(self) -> None:
        self.run_button = w.Button(description="Run", icon="play", button_style="primary")
        self.run_button.add_class("lxnb-run-button")
        self.summary = w.HTML()
        self.estimate = w.HTML(layout=w.Layout(margin="0 12px"))
        """The cost estimate of the chosen files (kept current by the Studio)."""
        self.error = w.HTML()
        self.rows_box = w.VBox()
        self.rows: list[JobRow] = []
        self.job_run: JobRun | None = None
        """The current (or last) run: its jobs are polled together."""
        self._task: asyncio.Task[list[ExtractResult]] | None = None
        header = w.HBox([self.run_button, self.estimate, self.summary])
        super().__init__([header, self.error, self.rows_box])
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
        loop = asyncio.get_running_loop()  # raises when there is none, before any change
        for row in self.rows:
            row.close()
        self.rows = [JobRow(f) for f in files]
        for row in self.rows:  # also after the run: a timed-out row may still be cancelled
            row.observe(lambda _: self._summarise(), ["status", "timed_out"])
        self.rows_box.children = self.rows
        self.show_error("")
        self.running = True
        self.run_button.disabled = True
        self.job_run = JobRun(client, self.rows, configuration)
        self._task = loop.create_task(self._supervise(self.job_run.start()))
        return self._task

    def stop(self) -> None:
        """Cancel the run in progress, if any: as if Cancel were pressed on every unfinished
        row. Awaiting its task then returns once every job it made is cancelled."""
        if self._task is not None and not self._task.done():
            with suppress(RuntimeError):  # its loop is closed (interpreter exit): nothing runs
                self._task.cancel()

    def close(self) -> None:
        """Close the panel, cancelling a run in progress (see :meth:`stop`)."""
        self.stop()
        super().close()

    async def _supervise(self, run: asyncio.Task[list[ExtractResult]]) -> list[ExtractResult]:
        """Tick the elapsed times while the run goes on; when cancelled,
        cancel the run and wait until it has cancelled its jobs."""
        try:
            while not run.done():
                for row in self.rows:
                    if not row.settled:
                        row.tick()
                await asyncio.wait([run], timeout=TICK_SECONDS)
            return run.result()
        finally:
            run.cancel()
            try:
                await asyncio.wait([run])
            finally:
                self.running = False
                self.run_button.disabled = False
                self._summarise()

    def _summarise(self) -> None:
        counts: dict[str, int] = {}
        for row in self.rows:
            label = "timed out" if row.timed_out and not row.finished else row.status.lower()
            counts[label] = counts.get(label, 0) + 1
        parts = [f"{n} {label}" for label, n in sorted(counts.items())]
        self.summary.value = f"<span>{escape(', '.join(parts))}</span>"
