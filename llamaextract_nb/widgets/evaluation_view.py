"""The Studio's truth and evaluation parts: attach truth in the Documents tab (a folder, JSONL
or CSV; shipped samples bring theirs), and the Evaluation tab that grades each run against it
with the change since the previous run of the same documents."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from llamaextract_nb.evaluate import Evaluation, Truth
from llamaextract_nb.evaluate.delta import field_delta, field_delta_html
from llamaextract_nb.widgets._html import MUTED, message


class TruthPicker(w.VBox):
    """Attach truth by path (folder of ``<stem>.json``, ``.jsonl`` or ``.csv``) and add the
    shipped sample sets, which carry their own truth."""

    def __init__(self, on_add_set: Callable[[str], None]) -> None:
        from llamaextract_nb import samples

        self.attached: Truth | None = None
        self.path = w.Text(
            placeholder="truth: a folder of <document>.json, a .jsonl or a .csv file",
            layout=w.Layout(flex="1 1 auto"),
        )
        self.attach_button = w.Button(description="Attach truth", icon="check-square")
        self.detach_button = w.Button(description="Detach", icon="times", disabled=True)
        self.set_choice = w.Dropdown(
            options=samples.folders(), description="Sample set", layout=w.Layout(width="360px")
        )
        self.add_set_button = w.Button(description="Add set", icon="plus")
        self.status = w.HTML()
        self.attach_button.on_click(lambda _: self._attach_clicked())
        self.detach_button.on_click(lambda _: self.detach())
        self.add_set_button.on_click(lambda _: on_add_set(self.set_choice.value))
        super().__init__(
            [
                w.HTML("<b>Truth</b> (the expected values, to grade runs against)"),
                w.HBox([self.path, self.attach_button, self.detach_button]),
                w.HBox([self.set_choice, self.add_set_button]),
                self.status,
            ]
        )
        self.add_class("lxnb-truth")
        self.say_samples(0)

    def attach(self, source: Any) -> Truth:
        """Load and attach truth from a path (or a Truth, dict or DataFrame); a source that
        does not load raises ``ValueError`` saying why (and the widget shows it)."""
        try:
            if isinstance(source, str):
                if not source.strip():
                    raise ValueError("type the path of a truth folder, .jsonl or .csv first")
                source = source.strip()
            truth = Truth.load(source)
        except (OSError, ValueError, TypeError, KeyError) as exc:
            self.status.value = message(f"Truth not attached: {exc}")
            raise ValueError(f"truth not attached: {exc}") from exc
        self.attached = truth
        self.detach_button.disabled = False
        shown = ", ".join(truth.files[:5]) + (", ..." if len(truth) > 5 else "")
        self.status.value = message(
            f"Truth attached for {len(truth)} document(s): {shown}", kind="info"
        )
        return truth

    def _attach_clicked(self) -> None:
        with contextlib.suppress(ValueError):  # the widget shows why
            self.attach(self.path.value)

    def detach(self) -> None:
        """Forget the attached truth (samples keep theirs)."""
        self.attached = None
        self.detach_button.disabled = True
        self.status.value = ""

    def say_samples(self, count: int) -> None:
        """Note how many chosen documents are samples that bring their own truth."""
        if self.attached is None:
            self.status.value = (
                f"<span style='color:{MUTED}'>{count} chosen sample document(s) bring their "
                "own truth.</span>"
                if count
                else f"<span style='color:{MUTED}'>No truth attached: runs are not graded.</span>"
            )


class EvaluationTab(w.VBox):
    """The evaluation of the run shown: the change since the previous run of the same
    documents, then the scoreboard, calibration and worst examples."""

    def __init__(self) -> None:
        self.evaluation: Evaluation | None = None
        self.delta = w.HTML()
        self.board = w.HTML()
        super().__init__([self.delta, self.board])
        self.add_class("lxnb-evaluation")

    def show(
        self,
        evaluation: Evaluation,
        label: str,
        previous: tuple[Evaluation, str] | None = None,
    ) -> None:
        """Show ``evaluation`` of run ``label``, and its change since ``previous``."""
        self.evaluation = evaluation
        if previous is None:
            self.delta.value = (
                f"<div style='color:{MUTED}'>Run {label}: the first graded run of these "
                "documents; the next one is compared with it.</div>"
            )
        else:
            before, before_label = previous
            self.delta.value = field_delta_html(
                field_delta(before, evaluation), before_label, label
            )
        self.board.value = evaluation.html()
