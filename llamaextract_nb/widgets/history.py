"""The history of runs: what was run (schema version, options, files, time) and its results."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from llamaextract_nb.schema import Schema

if TYPE_CHECKING:
    from llamaextract_nb.evaluate import Comparison, Evaluation
    from llamaextract_nb.results import ExtractResult


@dataclass
class RunRecord:
    """One run: its inputs (copied, so later edits do not change it) and its results."""

    number: int
    started: datetime
    schema: Schema
    options: dict[str, Any]
    files: list[str]
    results: list[ExtractResult] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    evaluation: Evaluation | None = None

    @property
    def schema_version(self) -> str:
        """A short fingerprint of the schema's JSON: equal schemas share it."""
        return hashlib.sha256(self.schema.to_json(indent=None).encode()).hexdigest()[:8]

    @property
    def label(self) -> str:
        """One line for the history list."""
        done = sum(s == "COMPLETED" for s in self.statuses)
        return (
            f"#{self.number} {self.started:%H:%M:%S} · schema {self.schema_version} "
            f"({len(self.schema.fields)} fields) · {self.options.get('tier')}, "
            f"{self.options.get('extraction_target')} · {done}/{len(self.files)} completed"
        )


class HistoryPanel(w.VBox):
    """The list of runs, newest first, a button that brings one back, and the comparison of
    two runs (graded against ``truth()`` when it gives truth)."""

    def __init__(
        self,
        on_restore: Callable[[RunRecord], None],
        truth: Callable[[], Any] | None = None,
    ) -> None:
        self.records: list[RunRecord] = []
        self._on_restore = on_restore
        self._truth = truth or (lambda: None)
        self.choice = w.Dropdown(description="Run", layout=w.Layout(width="640px"))
        self.restore_button = w.Button(description="Bring back", icon="history")
        self.restore_button.on_click(lambda _: self.restore())
        self.detail = w.HTML()
        self.other = w.Dropdown(
            description="Compare with",
            layout=w.Layout(width="640px"),
            style={"description_width": "initial"},
        )
        self.compare_button = w.Button(description="Compare", icon="columns")
        self.compare_button.on_click(lambda _: self._compare_clicked())
        self.comparison = w.HTML()
        self.choice.observe(lambda _: self._describe(), "value")
        super().__init__(
            [
                w.HBox([self.choice, self.restore_button]),
                self.detail,
                w.HBox([self.other, self.compare_button]),
                self.comparison,
            ]
        )
        self.add_class("lxnb-history")
        self._refresh()

    def add(self, record: RunRecord) -> None:
        """Record a run (shown first, chosen, and offered for comparison with the one before)."""
        self.records.append(record)
        self._refresh(newest=True)

    def refresh(self) -> None:
        """Redraw the list (after a run finished)."""
        self._refresh()

    def restore(self, number: int | None = None) -> RunRecord:
        """Bring back run ``number`` (default: the one chosen in the list)."""
        record = self._record(self.choice.value if number is None else number)
        self._on_restore(record)
        return record

    def compare(self, first: int, second: int) -> Comparison:
        """Compare run ``first`` with run ``second`` (``lx.compare``), graded against the
        Studio's truth when it has some; shown below the list."""
        from llamaextract_nb.evaluate import compare

        if first == second:
            raise ValueError(f"choose two different runs to compare (both are #{first})")
        runs = [self._record(number) for number in (first, second)]
        empty = [f"#{r.number}" for r in runs if not r.results]
        if empty:
            raise ValueError(f"run {', '.join(empty)} has no results yet; wait for it to finish")
        truth = self._truth()
        comparison = compare(
            runs[0].results,
            runs[1].results,
            truth=truth if truth is not None and len(truth) else None,
            names=[f"#{first}", f"#{second}"],
        )
        self.comparison.value = comparison.html()
        return comparison

    def _compare_clicked(self) -> None:
        from llamaextract_nb.widgets._html import message

        try:
            self.compare(self.other.value, self.choice.value)
        except (ValueError, TypeError) as exc:  # shown in the widget, never as a traceback
            self.comparison.value = message(f"Not compared: {exc}")

    def _record(self, number: int) -> RunRecord:
        matches = [r for r in self.records if r.number == number]
        if not matches:
            raise ValueError(
                f"there is no run #{number}; runs so far: {[r.number for r in self.records]}"
            )
        return matches[0]

    def _refresh(self, newest: bool = False) -> None:
        chosen, other = self.choice.value, self.other.value
        options = [(r.label, r.number) for r in reversed(self.records)]
        self.choice.options = options
        self.other.options = options
        numbers = [r.number for r in self.records]
        if newest or chosen not in numbers:
            chosen = numbers[-1] if numbers else None
            other = numbers[-2] if len(numbers) > 1 else chosen
        self.choice.value = chosen
        self.other.value = other if other in numbers else chosen
        self.restore_button.disabled = not self.records
        self.compare_button.disabled = len(self.records) < 2
        self._describe()

    def _describe(self) -> None:
        matches = [r for r in self.records if r.number == self.choice.value]
        if not matches:
            self.detail.value = "<i>No runs yet.</i>"
            return
        record = matches[0]
        options = ", ".join(f"{k}={v!r}" for k, v in record.options.items() if v is not None)
        self.detail.value = (
            f"<div><b>Files:</b> {escape(', '.join(record.files))}</div>"
            f"<div><b>Fields:</b> {escape(', '.join(f.name for f in record.schema.fields))}</div>"
            f"<div><b>Options:</b> {escape(options)}</div>"
        )
