"""Running the chosen files: one row per document with live status, elapsed time and cancel.

The work is the job runner's (:class:`~llamaextract_nb.client.job_runner.JobRunner`, the one
``extract_many`` uses, on the kernel's running event loop): it uploads, creates, polls every
job with one list request per tick and cancels, on the ledger. So running an unchanged schema
and options on the same files again is answered from the ledger at once (the row says "from
cache"), and after a kernel restart the same run resumes the jobs already created; **Fresh
run** makes new jobs. The rows only show the runner's events and send it commands (Cancel);
errors become the row's message, never a traceback.

A job still unfinished :data:`WAIT_TIMEOUT` s into the run is no longer waited for: its row
says so and keeps its Cancel button, which still cancels the job after the run has ended.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Sequence
from contextlib import suppress
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as w
import traitlets

from llamaextract_nb.api.models import TERMINAL_STATUSES, ExtractConfiguration
from llamaextract_nb.client.batch_sources import BatchFile, hashed
from llamaextract_nb.client.job_runner import JobRunner, RunEvent, readable
from llamaextract_nb.client.ledger import DEFAULT_LEDGER_NAME, Ledger
from llamaextract_nb.widgets._html import badge, message
from llamaextract_nb.widgets.files import ChosenFile

if TYPE_CHECKING:
    from llamaextract_nb.client import AsyncClient
    from llamaextract_nb.results import ExtractResult

TICK_SECONDS = 0.5
MAX_CONCURRENT_UPLOADS = 8
"""Uploads (and job creations) in flight at once; the rest wait, shown as PENDING."""
WAIT_TIMEOUT = 3600.0
"""How long a run waits for its jobs before their rows say they timed out (the jobs go on)."""
FINAL = TERMINAL_STATUSES


class JobRow(w.HBox):
    """One document's job: status, elapsed seconds, message, and a cancel button."""

    status = traitlets.Unicode("PENDING", help="UPLOADING (upload and create), then the job's.")
    elapsed = traitlets.Float(0.0, help="Seconds since the run started for this file.")
    error = traitlets.Unicode("", help="Why the job failed, or ''.")
    note = traitlets.Unicode("", help="Information: 'from cache', or that a job was resumed.")
    job_id = traitlets.Unicode("", help="The job id once created.")
    from_cache = traitlets.Bool(False, help="True when the ledger answered with a result.")
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
        """True once the job is COMPLETED, FAILED or CANCELLED (or ended otherwise)."""
        return self.status in FINAL or (self.result is not None and not self.timed_out)

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

    @traitlets.observe("error", "note")
    def _message_changed(self, _: dict[str, Any]) -> None:
        self.message_label.value = message(self.error) if self.error else message(self.note, "info")

    def tick(self) -> None:
        """Update the elapsed time."""
        self.elapsed = time.monotonic() - self.started

    def cancel(self) -> None:
        """Ask for the job to be cancelled on the service (or stopped before it exists)."""
        if self.finished or self.cancel_requested:
            return
        self.cancel_button.disabled = True
        self.cancel_requested = True

    def show(self, event: RunEvent, result: ExtractResult | None) -> None:
        """Show one event of the runner (``result``: the document's, on a final event)."""
        self.job_id = event.job_id or self.job_id
        if event.kind == "timed_out":
            self.error = (
                f"still {event.status} after {_duration(WAIT_TIMEOUT)}: this run stopped "
                "waiting for it and shows no result for it. It keeps running on the service "
                f"as job {self.job_id}; press Cancel to stop it."
                if self.job_id
                else f"no job was created within {_duration(WAIT_TIMEOUT)}; run again to retry"
            )
            self.timed_out = True
            return
        if event.kind in {"queued", "uploading", "created", "status"}:
            self.error = event.message if event.kind == "status" else self.error
            self.note = event.message if event.kind == "created" else self.note
            self.status = event.status or self.status
            return
        self.result = result if self.job_id else None
        if event.kind == "from_cache":
            self.from_cache = True
            self.note = f"from cache (job {self.job_id})"
            self.error = ""
        elif event.kind == "cancelled" and self.cancel_requested:
            self.error = ""
        elif event.kind != "finished":
            self.error = event.message or f"the job ended {event.status}"
        else:
            self.error = ""
        self.status = event.status
        self.cancel_button.disabled = True
        self.tick()


class RunPanel(w.VBox):
    """The run button's companion: a Fresh run box, a row per document, a summary line."""

    running = traitlets.Bool(False, help="True while any job of the current run is unfinished.")

    def __init__(self) -> None:
        self.run_button = w.Button(description="Run", icon="play", button_style="primary")
        self.run_button.add_class("lxnb-run-button")
        self.fresh = w.Checkbox(
            False,
            description="Fresh run (new jobs, even where the ledger has results)",
            indent=False,
            layout=w.Layout(width="auto"),
        )
        self.summary = w.HTML()
        self.estimate = w.HTML(layout=w.Layout(margin="0 12px"))
        """The cost estimate of the chosen files (kept current by the Studio)."""
        self.error = w.HTML()
        self.rows_box = w.VBox()
        self.rows: list[JobRow] = []
        self.runner: JobRunner | None = None
        """The current (or last) run's runner."""
        self.ledger: Ledger | None = None
        """The ledger runs go through (by default ``./.llamaextract-ledger.sqlite``)."""
        self._rows_by_sha: dict[str, list[JobRow]] = {}
        self._configuration: ExtractConfiguration | None = None
        self._task: asyncio.Task[list[ExtractResult]] | None = None
        header = w.HBox([self.run_button, self.fresh, self.estimate, self.summary])
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
        *,
        ledger: Ledger | str | os.PathLike[str] | None = None,
        fresh: bool | None = None,
    ) -> asyncio.Task[list[ExtractResult]]:
        """Run one job per file on the running loop, through ``ledger`` (a :class:`Ledger`
        or its path; by default the panel's, ``./.llamaextract-ledger.sqlite``); ``fresh``
        (default: the Fresh run box) makes new jobs even where the ledger has results. The
        task returns every finished job's result (FAILED and CANCELLED jobs included, with
        their status)."""
        loop = asyncio.get_running_loop()  # raises when there is none, before any change
        book = self._ledger(ledger)
        for row in self.rows:
            row.close()
        self.rows = [JobRow(f) for f in files]
        for row in self.rows:  # also after the run: a timed-out row may still be cancelled
            row.observe(lambda _: self._summarise(), ["status", "timed_out"])
            row.observe(lambda _, row=row: self._cancel(row), "cancel_requested")
        self.rows_box.children = self.rows
        self.show_error("")
        self.running = True
        self.run_button.disabled = True
        self.runner = None
        self._rows_by_sha = {}
        self._configuration = configuration
        fresh = self.fresh.value if fresh is None else fresh
        self._task = loop.create_task(self._run(client, book, configuration, fresh))
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

    def _ledger(self, ledger: Ledger | str | os.PathLike[str] | None) -> Ledger:
        if isinstance(ledger, Ledger):
            return ledger
        path = Path(ledger if ledger is not None else DEFAULT_LEDGER_NAME).absolute()
        if self.ledger is None or self.ledger.path.absolute() != path:
            self.ledger = Ledger(path)
        return self.ledger

    async def _run(
        self, client: AsyncClient, ledger: Ledger, configuration: ExtractConfiguration, fresh: bool
    ) -> list[ExtractResult]:
        """Hash the files, run them, tick the elapsed times meanwhile; when cancelled, cancel
        every unfinished row and wait until their jobs are cancelled (cancelled again, stop
        waiting: the cancelling goes on)."""
        try:
            try:
                documents = await asyncio.to_thread(_documents, self.rows)
            except OSError as exc:
                for row in self.rows:
                    row.error, row.status = f"cannot read the file: {exc}", "FAILED"
                return []
            for row, doc in zip(self.rows, documents, strict=True):
                self._rows_by_sha.setdefault(doc.sha256, []).append(row)
            runner = JobRunner(
                client,
                ledger,
                configuration,
                documents,
                concurrency=MAX_CONCURRENT_UPLOADS,
                fresh=fresh,
                timeout=WAIT_TIMEOUT,
                on_event=self._show,
            )
            self.runner = runner
            for row in self.rows:  # pressed while the files were read
                if row.cancel_requested:
                    self._cancel(row)
            run = asyncio.ensure_future(runner.run())
            try:
                while not run.done():
                    for row in self.rows:
                        if not row.settled:
                            row.tick()
                    await asyncio.wait([run], timeout=TICK_SECONDS)
            except asyncio.CancelledError:
                runner.cancel_all()
                await asyncio.wait([run])
                raise
            if not run.cancelled() and run.exception() is not None:
                self.show_error(readable(run.exception()))  # the rows say it too
            return [row.result for row in self.rows if row.result is not None]
        except asyncio.CancelledError:
            for row in self.rows:
                if self.runner is None and not row.finished:
                    row.status = "CANCELLED"
            raise
        finally:
            self.running = False
            self.run_button.disabled = False
            self._summarise()

    def _show(self, event: RunEvent) -> None:
        """Hand one runner event to the rows of its document."""
        result = None
        if event.job is not None and event.job.id and event.kind != "timed_out":
            result = self._result(event)
        for row in self._rows_by_sha.get(event.doc.sha256, ()):
            row.show(event, result)

    def _result(self, event: RunEvent) -> ExtractResult:
        from llamaextract_nb.results import ExtractResult

        assert event.job is not None and self._configuration is not None
        doc = event.doc
        completed = event.job.status == "COMPLETED"
        return ExtractResult(
            event.job,
            source=(doc.path or doc.content) if completed else None,
            name=doc.label,
            schema=self._configuration.data_schema,
            target=self._configuration.extraction_target,
        )

    def _cancel(self, row: JobRow) -> None:
        """Cancel pressed (also after the run ended, on a row that timed out)."""
        if self.runner is None or not row.cancel_requested:
            return  # the files are still being read: applied once the runner exists
        for sha, rows in self._rows_by_sha.items():
            if row in rows:
                self.runner.cancel(sha)

    def _summarise(self) -> None:
        counts: dict[str, int] = {}
        for row in self.rows:
            label = "timed out" if row.timed_out and not row.finished else row.status.lower()
            if row.from_cache:
                label = "from cache"
            counts[label] = counts.get(label, 0) + 1
        parts = [f"{n} {label}" for label, n in sorted(counts.items())]
        self.summary.value = f"<span>{escape(', '.join(parts))}</span>"


def _documents(rows: Sequence[JobRow]) -> list[BatchFile]:
    """The rows' files, hashed (off the event loop: a big file takes a while)."""
    return [
        hashed(row.chosen.name, path=row.chosen.path, content=row.chosen.content) for row in rows
    ]


def _duration(seconds: float) -> str:
    return f"{seconds / 60:g} min" if seconds >= 120 else f"{seconds:g} s"
