"""The Review tab: one doubtful value at a time, its evidence, and Accept / Correct / Missing /
Skip. The widget only shows a :class:`~llamaextract_nb.evaluate.review.Review` and sends it
commands; every decision is written by the Review to the gold folder at once.

Keyboard: in the value box, Enter accepts the value as shown, or saves the correction when
it was edited; in the shortcut box, ``a`` accepts, ``c`` goes to the value box to correct,
``m`` marks missing, ``s`` skips, Enter accepts. The focus returns to the value box after
each decision.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from html import escape
from typing import Any

import ipywidgets as w

from llamaextract_nb.evaluate.corrections import CorrectionError
from llamaextract_nb.evaluate.review import Review, ReviewItem
from llamaextract_nb.results.html import CSS, bar
from llamaextract_nb.widgets._html import MUTED, TABLE_CSS, message

SHORTCUTS = {"a": "accept", "c": "correct", "m": "missing", "s": "skip"}
RECENT = 8
EVIDENCE_CSS = (
    "<style>.lxnb-review-evidence .lx-cited{font-weight:600}"
    ".lxnb-review-evidence .lx-context{opacity:.75}"
    ".lxnb-review-evidence .lx-evidence-text{font-family:var(--jp-code-font-family,monospace);"
    "white-space:pre-wrap;margin:4px 0}</style>"
)
_BOOLEAN_CHOICES = ("true", "false")


class ReviewView(w.VBox):
    """Shows ``review``'s current value and sends the reviewer's decisions to it."""

    def __init__(self, review: Review) -> None:
        self.review = review
        self.progress = w.HTML()
        self.item_html = w.HTML()
        self.value_text = w.Text(layout=w.Layout(width="360px"), description="Value")
        self.value_text.add_class("lxnb-review-input")
        self.value_choice = w.Dropdown(layout=w.Layout(width="360px"), description="Value")
        self.value_box = w.Box([self.value_text])
        self.accept_button = _button("Accept", "check", "success", "Accept the value (Enter, a)")
        self.correct_button = _button("Correct", "pencil", "warning", "Save the typed value (c)")
        self.missing_button = _button("Missing", "ban", "", "The document has no value (m)")
        self.skip_button = _button("Skip", "forward", "", "Decide later (s)")
        self.shortcut_keys = w.Text(
            placeholder="keys: Enter/a accept · c correct · m missing · s skip",
            layout=w.Layout(width="330px"),
        )
        self.shortcut_keys.add_class("lxnb-review-keys")
        self.message = w.HTML()
        self.message.add_class("lxnb-review-message")
        self.evidence = w.HTML()
        self.recent = w.HTML()
        self._shown: ReviewItem | None = None
        self._shown_text = ""
        self.accept_button.on_click(lambda _: self.accept())
        self.correct_button.on_click(lambda _: self.correct())
        self.missing_button.on_click(lambda _: self.missing())
        self.skip_button.on_click(lambda _: self.skip())
        self.shortcut_keys.observe(self._key_typed, "value")
        with warnings.catch_warnings():  # Enter is the submit event; ipywidgets 8 still sends it
            warnings.simplefilter("ignore", DeprecationWarning)
            self.value_text.on_submit(lambda _: self._enter())
            self.shortcut_keys.on_submit(lambda _: self.accept())
        buttons = w.HBox(
            [self.accept_button, self.correct_button, self.missing_button, self.skip_button]
        )
        super().__init__(
            [
                self.progress,
                self.item_html,
                w.HBox([self.value_box, self.shortcut_keys]),
                buttons,
                self.message,
                self.evidence,
                self.recent,
            ]
        )
        self.add_class("lxnb-review")
        self.render()

    # --- commands (what the buttons and keys do) --------------------------------------

    def accept(self) -> None:
        """Accept the current value as extracted."""
        self._run(lambda item: self.review.accept(item.document, item.path))

    def correct(self, value: Any = None) -> None:
        """Save ``value`` (default: what the value box holds) as the current value's truth;
        a value that does not fit the field's type shows a message and writes nothing."""
        typed = self._typed() if value is None else value
        self._run(lambda item: self.review.correct(item.document, item.path, typed))

    def missing(self) -> None:
        """The document has no value here."""
        self._run(lambda item: self.review.missing(item.document, item.path))

    def skip(self) -> None:
        """Decide the current value later."""
        self._run(lambda item: self.review.skip(item.document, item.path))

    # --- rendering --------------------------------------------------------------------

    def render(self) -> None:
        """Show the progress, the current value with its evidence, and the recent decisions."""
        review = self.review
        self.progress.value = (
            f'<div class="lxnb-review-progress" style="font-weight:600">{escape(review.progress)}'
            f'</div><div style="color:{MUTED};font-size:12px">gold folder: '
            f"<code>{escape(review.gold)}</code></div>"
        )
        item = review.current
        self._shown = item
        self.recent.value = self._recent_html()
        done = item is None
        for button in (self.accept_button, self.correct_button, self.missing_button):
            button.disabled = done
        self.skip_button.disabled = done
        if item is None:
            self.item_html.value = (
                "<div class='lxnb-review-done'><b>Every queued value is decided.</b> "
                "The truth is in the gold folder: <code>lx.Truth.from_folder(...)</code>; "
                "<code>review.accept_rest()</code> accepts the values never queued.</div>"
            )
            self.evidence.value = ""
            self.value_box.children = ()
            return
        self.item_html.value = _item_html(item, review.threshold)
        self._set_input(item)
        evidence = (
            review.evidence(item)
            if item.citations
            else "<div class='lx-note'>No citation: the service returned no source for it.</div>"
        )
        self.evidence.value = (
            f'<div class="lxnb lxnb-review-evidence">{EVIDENCE_CSS}{evidence}</div>'
        )

    def _set_input(self, item: ReviewItem) -> None:
        kind = item.field_type
        if kind.kind in ("enum", "boolean"):
            choices = [str(c) for c in kind.choices] if kind.kind == "enum" else _BOOLEAN_CHOICES
            shown = _text(item.value)
            self.value_choice.options = list(dict.fromkeys([*choices]))
            self.value_choice.value = shown if shown in choices else None
            self.value_box.children = (self.value_choice,)
            self._shown_text = shown
        else:
            self._shown_text = _text(item.value)
            self.value_text.value = self._shown_text
            self.value_text.placeholder = kind.hint
            self.value_box.children = (self.value_text,)
            self.value_text.focus()

    def _recent_html(self) -> str:
        entries = self.review.store.entries()[-RECENT:]
        if not entries:
            return ""
        rows = "".join(
            f"<tr><td>{escape(e.document)}</td><td><code>{escape(e.path)}</code></td>"
            f"<td>{escape(e.decision)}</td><td>{escape(_text(e.value))}</td>"
            f"<td style='color:{MUTED}'>{escape(e.who)} · {escape(e.at)}</td></tr>"
            for e in reversed(entries)
        )
        return (
            f"{TABLE_CSS}<details class='lxnb-review-recent' open><summary>Last decisions"
            "</summary><table class='lxnb-table'><thead><tr><th>Document</th><th>Field</th>"
            f"<th>Decision</th><th>Value</th><th>Who · when</th></tr></thead><tbody>{rows}"
            "</tbody></table></details>"
        )

    # --- internals --------------------------------------------------------------------

    def _run(self, command: Callable[[ReviewItem], Any]) -> None:
        item = self._shown
        if item is None:
            return
        try:
            command(item)
        except CorrectionError as exc:
            self.message.value = message(f"{exc} — nothing was saved.")
            return
        except Exception as exc:  # shown in the widget, never a traceback
            self.message.value = message(str(exc))
            return
        self.message.value = ""
        self.render()

    def _typed(self) -> Any:
        if self.value_box.children and self.value_box.children[0] is self.value_choice:
            return self.value_choice.value
        return self.value_text.value

    def _enter(self) -> None:
        """Enter in the value box: unchanged accepts, edited saves the correction."""
        if self.value_text.value.strip() == self._shown_text.strip():
            self.accept()
        else:
            self.correct()

    def _key_typed(self, change: dict[str, Any]) -> None:
        typed = str(change["new"])
        if not typed:
            return
        self.shortcut_keys.value = ""
        action = SHORTCUTS.get(typed[-1].lower())
        if action == "correct":
            self.value_text.focus()
        elif action is not None:
            getattr(self, action)()
            self.shortcut_keys.focus()


class ReviewTab(w.VBox):
    """The Studio's Review tab: choose the gold folder and threshold, start (or resume) the
    review of the results shown, then decide value by value (:class:`ReviewView`)."""

    def __init__(self, results: Callable[[], Any]) -> None:
        self._results = results
        self.review: Review | None = None
        self.gold = w.Text("gold", description="Gold folder", layout=w.Layout(width="360px"))
        self.threshold = w.BoundedFloatText(
            0.8,
            min=0.0,
            max=1.0,
            step=0.05,
            description="Threshold",
            layout=w.Layout(width="200px"),
        )
        self.threshold.add_class("lxnb-review-threshold")
        self.start_button = w.Button(
            description="Review the results", icon="search", layout=w.Layout(width="auto")
        )
        self.start_button.add_class("lxnb-review-start")
        self.start_button.on_click(lambda _: self._start_clicked())
        self.message = w.HTML()
        self.body = w.VBox()
        intro = w.HTML(
            f"<div style='color:{MUTED};font-size:12px'>Values below the threshold, citations "
            "that do not contain their value and required fields left empty, worst first. "
            "Decisions are saved to the gold folder at once; starting again on the same folder "
            "resumes.</div>"
        )
        super().__init__(
            [intro, w.HBox([self.gold, self.threshold, self.start_button]), self.message, self.body]
        )
        self.add_class("lxnb-review-tab")

    def start(self, results: Any = None, **review_options: Any) -> Review:
        """Review ``results`` (default: the Studio's) into the gold folder chosen above."""
        results = results if results is not None else self._results()
        if results is None or not len(results):
            raise ValueError("nothing to review yet: run an extraction first")
        options = {"threshold": self.threshold.value, "gold": self.gold.value.strip() or "gold"}
        self.review = Review(results, **{**options, **review_options})
        self.show(self.review)
        return self.review

    def show(self, review: Review) -> None:
        """Show ``review`` (made in code) in the tab."""
        self.review = review
        self.message.value = ""
        self.body.children = (ReviewView(review),)

    def _start_clicked(self) -> None:
        try:
            self.start()
        except Exception as exc:  # shown in the tab, never a traceback
            self.message.value = message(str(exc))


def _button(description: str, icon: str, style: str, tooltip: str) -> w.Button:
    button = w.Button(description=description, icon=icon, button_style=style, tooltip=tooltip)
    button.add_class(f"lxnb-review-{description.lower()}")
    return button


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _item_html(item: ReviewItem, threshold: float) -> str:
    reasons = (
        " ".join(
            f"<span class='lx-status' style='margin-right:4px'>{escape(r.replace('_', ' '))}</span>"
            for r in item.reasons
        )
        or "<span class='lx-muted'>chosen by hand</span>"
    )
    value = (
        escape(_text(item.value))
        if item.value is not None
        else "<span class='lx-null'>not found</span>"
    )
    rows = [
        ("Document", escape(item.document)),
        ("Field", f"<code>{escape(item.path)}</code>"),
        ("Extracted", f"<span class='lxnb-review-value'>{value}</span>"),
        ("Confidence", bar(item.confidence, threshold)),
        ("Why", reasons),
    ]
    if item.reasoning:
        rows.append(("Reasoning", escape(item.reasoning)))
    if "disagreement" in item.reasons:
        rows.append(("Other run", escape(_text(item.other_value)) or "<i>not found</i>"))
    if item.status == "skipped":
        rows.append(("", "<i>skipped before; decide it now or skip again</i>"))
    body = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    return f'<div class="lxnb"><style>{CSS}</style><table>{body}</table></div>'
