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
    """The list of runs, newest first, and a button that brings one back."""

    def __init__(self, on_restore: Callable[[RunRecord], None]) -> None:
        self.records: list[RunRecord] = []
        self._on_restore = on_restore
        self.choice = w.Dropdown(description="Run", layout=w.Layout(width="640px"))
        self.restore_button = w.Button(description="Bring back", icon="history")
        self.restore_button.on_click(lambda _: self.restore())
        self.detail = w.HTML()
        self.choice.observe(lambda _: self._describe(), "value")
        super().__init__([w.HBox([self.choice, self.restore_button]), self.detail])
        self.add_class("lxnb-history")
        self._refresh()

    def add(self, record: RunRecord) -> None:
        """Record a run (shown first)."""
        self.records.append(record)
        self._refresh()

    def refresh(self) -> None:
        """Redraw the list (after a run finished)."""
        self._refresh()

    def restore(self, number: int | None = None) -> RunRecord:
        """Bring back run ``number`` (default: the one chosen in the list)."""
        number = self.choice.value if number is None else number
        matches = [r for r in self.records if r.number == number]
        if not matches:
            raise ValueError(
                f"there is no run #{number}; runs so far: {[r.number for r in self.records]}"
            )
        self._on_restore(matches[0])
        return matches[0]

    def _refresh(self) -> None:
        chosen = self.choice.value
        self.choice.options = [(r.label, r.number) for r in reversed(self.records)]
        numbers = [r.number for r in self.records]
        self.choice.value = chosen if chosen in numbers else (numbers[-1] if numbers else None)
        self.restore_button.disabled = not self.records
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
