"""``Studio``: documents, schema, options, run with live status, results, history: one widget."""

from __future__ import annotations

import asyncio
import os
from datetime import datetime
from html import escape
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from llamaextract_nb.schema import Schema, SchemaError
from llamaextract_nb.widgets._html import MUTED, message
from llamaextract_nb.widgets.estimate_view import EstimateView
from llamaextract_nb.widgets.evaluation_view import EvaluationTab, TruthPicker
from llamaextract_nb.widgets.files import FilePicker
from llamaextract_nb.widgets.history import HistoryPanel, RunRecord
from llamaextract_nb.widgets.jobs import RunPanel
from llamaextract_nb.widgets.options import OptionsPanel
from llamaextract_nb.widgets.results_view import ResultsView
from llamaextract_nb.widgets.review_view import ReviewTab
from llamaextract_nb.widgets.schema_editor import SchemaEditor
from llamaextract_nb.widgets.schema_suggest import SuggestPanel

if TYPE_CHECKING:
    from llamaextract_nb.client import AsyncClient, Client
    from llamaextract_nb.client.ledger import Ledger
    from llamaextract_nb.evaluate import Evaluation, Truth
    from llamaextract_nb.results import BatchResult
    from llamaextract_nb.schema.suggestion import SchemaSuggestion


class Studio(w.VBox):
    """The extraction workbench: pick documents, design a schema, set options, run, read results.

    ``client`` is a :class:`~llamaextract_nb.client.Client` or ``AsyncClient``; by default
    :func:`llamaextract_nb.connect` picks LlamaCloud (with ``LLAMA_CLOUD_API_KEY``) or the
    embedded local server. Everything the widget does is reachable in code: ``schema``,
    ``options``, ``run()`` (returns an awaitable task), ``results`` and ``history``. Runs go
    through the run ledger ``ledger`` (a :class:`~llamaextract_nb.client.Ledger` or its path;
    default ``./.llamaextract-ledger.sqlite``, the one ``extract_many`` uses): results are
    cached and an interrupted run resumes.
    """

    def __init__(
        self,
        client: Client | AsyncClient | None = None,
        schema: Any = None,
        *,
        ledger: Ledger | str | os.PathLike[str] | None = None,
    ) -> None:
        if client is None:
            import llamaextract_nb

            client = llamaextract_nb.connect()
        self.client = client
        self.ledger = ledger
        self._async_client: AsyncClient | None = None
        self._async_loop: asyncio.AbstractEventLoop | None = None
        self._shown: list[Any] = []
        self.file_picker = FilePicker()
        self.load_sample_schema = w.Checkbox(
            True, description="Adding a sample also loads its schema", indent=False
        )
        self.schema_editor = SchemaEditor(schema)
        self.suggest_panel = SuggestPanel(self.schema_editor, self._suggest_clicked)
        self.options_panel = OptionsPanel()
        self.run_panel = RunPanel()
        self.results_view = ResultsView()
        self.history = HistoryPanel(self._restore, truth=lambda: self.truth)
        self.truth_picker = TruthPicker(self.add_sample_set)
        self.evaluation_tab = EvaluationTab()
        self.estimate = EstimateView(self.run_panel.estimate, self.file_picker, self.options_panel)
        self.file_picker.observe(self._sample_picked, "picked_sample")
        self.file_picker.observe(self._files_changed, "files")
        self.run_panel.run_button.on_click(lambda _: self._run_clicked())
        steps = w.Tab(
            [
                w.VBox([self.file_picker, self.load_sample_schema, self.truth_picker]),
                w.VBox([self.suggest_panel, self.schema_editor]),
                self.options_panel,
            ],
            titles=("1 · Documents", "2 · Schema", "3 · Options"),
        )
        self.review_tab = ReviewTab(lambda: self.results)
        outputs = w.Tab(
            [self.results_view, self.history, self.review_tab],
            titles=("Results", "History", "Review"),
        )
        self.steps, self.outputs = steps, outputs
        title = (
            "<div style='font-size:16px;font-weight:600'>LlamaExtract Studio</div>"
            f"<div style='color:{MUTED};font-size:12px'>backend: "
            f"{escape(str(getattr(client, 'base_url', '')))}</div>"
        )
        super().__init__([w.HTML(title), steps, self.run_panel, outputs])
        self.add_class("lxnb-studio")

    # --- state in code ------------------------------------------------------------

    @property
    def schema(self) -> Schema:
        """The schema in the editor (a copy); assign a Schema, dict, JSON, path or model."""
        return self.schema_editor.schema

    @schema.setter
    def schema(self, value: Any) -> None:
        self.schema_editor.schema = value

    @property
    def options(self) -> dict[str, Any]:
        """The extraction options as set in the panel; assign a dict to change some."""
        return self.options_panel.options

    @options.setter
    def options(self, values: dict[str, Any]) -> None:
        self.options_panel.options = values

    @property
    def results(self) -> BatchResult | None:
        """The results shown (all finished documents of the last or restored run)."""
        return self.results_view.batch() if self.results_view.results else None

    def add_sample(self, name: str) -> None:
        """Add a shipped sample document by name (and its schema, when that box is ticked)."""
        self.file_picker.add_sample(name)

    def add_files(self, pattern: str) -> None:
        """Add files on the kernel's disk by path or glob."""
        self.file_picker.add_path(pattern)

    def add_sample_set(self, name: str) -> None:
        """Add every document of a shipped sample set (``lx.samples.folders()``), which brings
        its truth, and its schema when the box to load sample schemas is ticked."""
        from llamaextract_nb import samples
        from llamaextract_nb.widgets.files import describe

        sample_set = samples.folder(name)
        chosen = [describe(s.path.name, s.path, s) for s in sample_set.samples]
        self.file_picker.files = [*self.file_picker.files, *chosen]
        if self.load_sample_schema.value:
            self.schema_editor.schema = sample_set.schema
            self.options_panel.extraction_target.value = sample_set.target

    @property
    def truth(self) -> Truth | None:
        """The truth runs are graded against: the chosen samples' own, and the truth attached
        in the Documents tab (it wins where both have a document). Assign a folder, JSONL or
        CSV path, a Truth or a dict to attach; ``None`` detaches."""
        from llamaextract_nb.evaluate import Truth

        own = [f.sample.truth for f in self.file_picker.files if f.sample is not None]
        attached = self.truth_picker.attached
        combined = Truth()
        for truth in [*own, *([attached] if attached is not None else [])]:
            combined = combined | truth
        return combined if len(combined) else None

    @truth.setter
    def truth(self, source: Any) -> None:
        if source is None:
            self.truth_picker.detach()
        else:
            self.truth_picker.attach(source)

    @property
    def evaluation(self) -> Evaluation | None:
        """The evaluation of the run shown (``None`` until a run of documents with truth)."""
        return self.evaluation_tab.evaluation

    def suggest_schema(self, prompt: str | None = None) -> asyncio.Task[SchemaSuggestion]:
        """Suggest fields from the chosen documents (a task to ``await``); they are listed
        in the Schema tab to be added one by one or all, never replacing the user's."""
        loop = asyncio.get_running_loop()
        files = [f.source if f.path else {"name": f.name, "content": f.source}
                 for f in self.file_picker.files]  # fmt: skip
        if not files:
            raise ValueError("choose at least one document first (Documents tab)")
        self.suggest_panel.busy(f"Reading {len(files)} document(s)...")

        async def suggest() -> SchemaSuggestion:
            try:
                found = await self._client_for(loop).suggest_schema(files, prompt)
            except Exception as exc:
                self.suggest_panel.failed(str(exc))
                raise
            self.suggest_panel.show(found)
            return found

        return loop.create_task(suggest())

    def _suggest_clicked(self, prompt: str | None) -> None:
        try:
            self.suggest_schema(prompt)
        except Exception as exc:  # shown in the widget, never as a traceback
            self.suggest_panel.failed(str(exc))

    # --- running ------------------------------------------------------------------

    def run(self, *, fresh: bool | None = None) -> asyncio.Task[BatchResult]:
        """Run every chosen file; returns a task to ``await`` for the results.

        What the ledger holds for the same files, schema and options is answered from it (the
        rows say "from cache"), and jobs an interrupted run created are resumed; ``fresh=True``
        (default: the **Fresh run** box) makes new jobs instead.

        Must be called with an event loop running (a notebook cell, a button click, or a
        coroutine). Raises ``ValueError`` saying what to fix when the inputs are not ready.
        """
        from llamaextract_nb.client import build_configuration

        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            raise RuntimeError(
                "Studio.run() needs a running event loop: call it in a notebook cell "
                "(await studio.run()) or inside a coroutine"
            ) from None
        if self.run_panel.running:
            raise ValueError("a run is in progress; wait for it or cancel its jobs first")
        files = list(self.file_picker.files)
        if not files:
            raise ValueError("choose at least one document first (Documents tab)")
        if self.schema_editor.json_error:
            raise ValueError(f"fix the schema's JSON first: {self.schema_editor.json_error}")
        schema = self.schema
        errors = [
            f"{p.path or '<root>'}: {p.message}" for p in schema.lint() if p.severity == "error"
        ]
        if errors:
            raise ValueError("fix the schema first: " + "; ".join(errors))
        options = self.options
        configuration = build_configuration(
            schema, **{k: v for k, v in options.items() if v is not None}
        )
        record = RunRecord(
            number=len(self.history.records) + 1,
            started=datetime.now(),
            schema=schema,
            options=options,
            files=[f.name for f in files],
        )
        self.history.add(record)
        jobs = self.run_panel.start(
            self._client_for(loop), files, configuration, ledger=self.ledger, fresh=fresh
        )
        return loop.create_task(self._finish(jobs, record))

    async def _finish(self, jobs: asyncio.Task[list[Any]], record: RunRecord) -> BatchResult:
        results = await jobs
        record.results = results
        record.statuses = [row.status for row in self.run_panel.rows]
        self._grade(record)
        self.history.refresh()
        self.estimate.show_usage(results)
        self.results_view.show(results)
        self.outputs.selected_index = 0
        return self.results_view.batch()

    def _grade(self, record: RunRecord) -> None:
        """Evaluate the run against the truth, with the change since the previous run of the
        same documents (graded on today's truth too); the Evaluation tab appears."""
        from llamaextract_nb.evaluate import evaluate
        from llamaextract_nb.evaluate.truth import stem

        truth = self.truth
        if truth is None or not any(stem(r.name) in truth for r in record.results):
            return
        record.evaluation = evaluate(record.results, truth)
        same = sorted(record.files)
        earlier = [
            r for r in self.history.records
            if r.number < record.number and r.results and sorted(r.files) == same
        ]  # fmt: skip
        previous = None
        if earlier:
            before = earlier[-1]
            previous = (evaluate(before.results, truth), f"#{before.number}")
        self._show_evaluation(record.evaluation, f"#{record.number}", previous)

    def _show_evaluation(
        self, evaluation: Evaluation, label: str, previous: tuple[Evaluation, str] | None
    ) -> None:
        self.evaluation_tab.show(evaluation, label, previous)
        if self.evaluation_tab not in self.outputs.children:
            self.outputs.children = [*self.outputs.children, self.evaluation_tab]
            self.outputs.set_title(len(self.outputs.children) - 1, "Evaluation")

    def close(self) -> None:
        """Close the widget; a run in progress is cancelled, its jobs on the service too."""
        self.run_panel.stop()
        super().close()

    def _run_clicked(self) -> None:
        try:
            self.run()
        except Exception as exc:  # shown in the widget, never as a traceback
            self.run_panel.show_error(str(exc))

    def _client_for(self, loop: asyncio.AbstractEventLoop) -> AsyncClient:
        """The async client for ``loop`` (made once per loop from the given client)."""
        from llamaextract_nb.client import AsyncClient

        if isinstance(self.client, AsyncClient):
            return self.client
        if self._async_client is None or self._async_loop is not loop:
            self._async_client = self.client.to_async()
            self._async_loop = loop
        return self._async_client

    # --- wiring -------------------------------------------------------------------

    def _sample_picked(self, change: dict[str, Any]) -> None:
        sample = change["new"]
        if sample is None or not self.load_sample_schema.value:
            return
        try:
            self.schema_editor.schema = sample.schema
        except SchemaError as exc:
            self.file_picker.message.value = message(f"the sample's schema was not loaded: {exc}")
            return
        target = getattr(sample, "target", None)
        if target:
            self.options_panel.extraction_target.value = target

    def _files_changed(self, _: Any) -> None:
        self.truth_picker.say_samples(sum(f.sample is not None for f in self.file_picker.files))

    def _restore(self, record: RunRecord) -> None:
        self.schema_editor.schema = record.schema
        self.options_panel.options = record.options
        self.results_view.show(record.results)
        if record.evaluation is not None:
            self._show_evaluation(record.evaluation, f"#{record.number}", None)
        self.outputs.selected_index = 0
