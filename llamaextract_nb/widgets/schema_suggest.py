"""The Schema tab's "Suggest from documents": suggested fields as a diff the user accepts.

Each suggested field is a row with a checkbox, its type, what it would change in the
user's schema (new, or already there and kept as written) and where it was found
(document, page, label, value). "Add selected" and "Add all" merge through
:func:`llamaextract_nb.schema.suggestion.merge`: nothing the user wrote is replaced.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

import ipywidgets as w

from llamaextract_nb.schema.suggestion import FieldChange, SchemaSuggestion
from llamaextract_nb.widgets._html import MUTED, message
from llamaextract_nb.widgets.schema_editor import SchemaEditor

_MAX_SOURCES_SHOWN = 3


def _type_name(change: FieldChange) -> str:
    f = change.field
    if f.children:
        return f"{f.type} ({', '.join(c.name for c in f.children)})"
    if f.enum:
        return f"enum ({', '.join(f.enum)})"
    return f.type


def _status(change: FieldChange) -> str:
    if change.status == "new":
        return "<b>new</b>"
    kept = f"already in your schema as <code>{escape(change.existing or '')}</code> (kept)"
    if change.added_children:
        kept += f"; adds {escape(', '.join(change.added_children))}"
    if change.type_differs:
        kept += f"; suggested type {escape(change.field.type)}"
    return kept


def _sources(suggestion: SchemaSuggestion, name: str) -> str:
    found = suggestion.sources.get(name, [])
    shown = [escape(str(source)) for source in found[:_MAX_SOURCES_SHOWN]]
    if len(found) > _MAX_SOURCES_SHOWN:
        shown.append(f"and {len(found) - _MAX_SOURCES_SHOWN} more")
    return "<br>".join(shown) or "<i>no source reported</i>"


class SuggestRow(w.HBox):
    """One suggested field: checkbox, name, type, status and sources."""

    def __init__(self, change: FieldChange, suggestion: SchemaSuggestion) -> None:
        self.change = change
        self.checkbox = w.Checkbox(
            change.changes_anything,
            indent=False,
            disabled=not change.changes_anything,
            layout=w.Layout(width="28px"),
        )
        self.checkbox.add_class("lxnb-suggest-pick")
        text = (
            f"<code>{escape(change.name)}</code> · {escape(_type_name(change))} · {_status(change)}"
            f"<div style='color:{MUTED};font-size:12px'>{_sources(suggestion, change.name)}</div>"
        )
        super().__init__([self.checkbox, w.HTML(text)])
        self.add_class("lxnb-suggest-row")


class SuggestPanel(w.VBox):
    """Prompt, "Suggest from documents", the suggested fields, "Add selected" / "Add all".

    ``on_suggest(prompt)`` is called when the button is pressed (the Studio starts the
    request); :meth:`show` lists a suggestion against ``editor``'s schema.
    """

    def __init__(self, editor: SchemaEditor, on_suggest: Callable[[str | None], Any]) -> None:
        self.editor = editor
        self.suggestion: SchemaSuggestion | None = None
        self.rows: list[SuggestRow] = []
        self.prompt = w.Text(
            placeholder="optional: what to look for, e.g. the parties and the dates",
            layout=w.Layout(width="420px"),
        )
        self.suggest_button = w.Button(
            description="Suggest from documents",
            icon="magic",
            button_style="info",
            layout=w.Layout(width="auto"),
        )
        self.suggest_button.add_class("lxnb-suggest")
        self.suggest_button.on_click(lambda _: on_suggest(self.prompt.value.strip() or None))
        self.status = w.HTML()
        self.list = w.VBox()
        self.add_selected = w.Button(description="Add selected", icon="check")
        self.add_all = w.Button(description="Add all", icon="plus")
        self.add_selected.add_class("lxnb-suggest-add-selected")
        self.add_all.add_class("lxnb-suggest-add-all")
        self.add_selected.on_click(lambda _: self.accept())
        self.add_all.on_click(lambda _: self.accept(everything=True))
        self.actions = w.HBox([self.add_selected, self.add_all])
        self.actions.layout.display = "none"
        super().__init__(
            [w.HBox([self.prompt, self.suggest_button]), self.status, self.list, self.actions]
        )
        self.add_class("lxnb-schema-suggest")

    def busy(self, text: str) -> None:
        """Show that a suggestion is on its way."""
        self.suggest_button.disabled = True
        self.status.value = f"<span style='color:{MUTED}'>{escape(text)}</span>"

    def failed(self, text: str) -> None:
        """Show why no suggestion came."""
        self.suggest_button.disabled = False
        self.status.value = message(text)

    def show(self, suggestion: SchemaSuggestion) -> None:
        """List ``suggestion``'s fields against the editor's schema, new ones ticked."""
        self.suggest_button.disabled = False
        self.suggestion = suggestion
        changes = suggestion.compare(self.editor.schema)
        self.rows = [SuggestRow(change, suggestion) for change in changes]
        self.list.children = self.rows
        new = sum(change.status == "new" for change in changes)
        notes = "".join(f"<br>{escape(note)}" for note in suggestion.notes)
        self.status.value = (
            f"{len(changes)} fields suggested from {len(suggestion.file_ids)} document(s), "
            f"{new} new: tick the ones to add.{notes}"
        )
        self.actions.layout.display = "flex" if self.rows else "none"

    def accept(self, names: list[str] | None = None, *, everything: bool = False) -> list[str]:
        """Merge the ticked fields (or ``names``, or all) into the editor; returns those added."""
        if self.suggestion is None:
            return []
        if everything:
            chosen = [row.change.name for row in self.rows if row.change.changes_anything]
        elif names is not None:
            chosen = list(names)
        else:
            chosen = [row.change.name for row in self.rows if row.checkbox.value]
        self.editor.schema = self.suggestion.merge_into(self.editor.schema, accept=set(chosen))
        self.show(self.suggestion)
        self.status.value = f"Added {len(chosen)} field(s) to the schema. " + self.status.value
        return chosen
