"""The schema editor: rows of fields, a JSON view kept in sync both ways, lint inline.

Editing a row changes the :class:`~llamaextract_nb.schema.Schema` in place and rewrites the
JSON view; editing the JSON rebuilds the rows (or says where the JSON is wrong). Structural
changes (add, remove, move, type) rebuild the rows; typing in a text box does not, so the
cursor stays where it is.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any

import ipywidgets as w
import traitlets

from llamaextract_nb.schema import FIELD_TYPES, Field, Problem, Schema, SchemaError
from llamaextract_nb.schema.lint import child_parent, field_path
from llamaextract_nb.schema.model import CONTAINER_TYPES
from llamaextract_nb.widgets._html import MUTED, message

INDENT_PX = 28


def starter_schema() -> Schema:
    """The schema a new editor starts with: one field to edit."""
    return Schema([Field("title", "string", "The document's title")])


class FieldRow(w.HBox):
    """One editable row bound to a :class:`Field`; ``siblings`` is the list that holds it."""

    def __init__(
        self,
        field: Field,
        siblings: list[Field],
        depth: int,
        on_edit: Callable[[], None],
        on_structure: Callable[[], None],
    ) -> None:
        self.field = field
        self.siblings = siblings
        self._on_edit = on_edit
        self._on_structure = on_structure
        self.name = w.Text(
            field.name, placeholder="name", layout=w.Layout(width=f"{180 - INDENT_PX * depth}px")
        )
        self.type = w.Dropdown(
            options=FIELD_TYPES, value=field.type, layout=w.Layout(width="150px")
        )
        self.description = w.Text(
            field.description,
            placeholder="description",
            layout=w.Layout(flex="1 1 0%", min_width="120px"),
        )
        self.required = w.Checkbox(
            field.required, description="required", indent=False, layout=w.Layout(width="84px")
        )
        self.enum = w.Text(
            ", ".join(field.enum),
            placeholder="values, comma separated",
            layout=w.Layout(width="160px", display="" if field.type == "enum" else "none"),
        )
        self.up = _icon_button("arrow-up", "Move up")
        self.down = _icon_button("arrow-down", "Move down")
        self.remove = _icon_button("trash", "Remove this field")
        self.add_child = _icon_button("plus", "Add a field inside")
        self.add_child.layout.visibility = "visible" if field.type in CONTAINER_TYPES else "hidden"
        self.lint = w.HTML(layout=w.Layout(width="22px"))
        spacer = w.HTML(layout=w.Layout(width=f"{INDENT_PX * depth}px"))
        super().__init__(
            [
                *(spacer, self.name, self.type, self.description, self.required, self.enum),
                *(self.add_child, self.up, self.down, self.remove, self.lint),
            ],
            layout=w.Layout(align_items="center"),
        )
        self.add_class("lxnb-field-row")
        self.name.observe(self._set_name, "value")
        self.description.observe(self._set_description, "value")
        self.required.observe(self._set_required, "value")
        self.enum.observe(self._set_enum, "value")
        self.type.observe(self._set_type, "value")
        self.up.on_click(lambda _: self.move(-1))
        self.down.on_click(lambda _: self.move(1))
        self.remove.on_click(lambda _: self.delete())
        self.add_child.on_click(lambda _: self.append_child())

    def _set_name(self, change: dict[str, Any]) -> None:
        self.field.name = change["new"].strip()
        self._on_edit()

    def _set_description(self, change: dict[str, Any]) -> None:
        self.field.description = change["new"]
        self._on_edit()

    def _set_required(self, change: dict[str, Any]) -> None:
        self.field.required = change["new"]
        self._on_edit()

    def _set_enum(self, change: dict[str, Any]) -> None:
        self.field.enum = [v.strip() for v in change["new"].split(",") if v.strip()]
        self._on_edit()

    def _set_type(self, change: dict[str, Any]) -> None:
        self.field.type = change["new"]
        if self.field.type not in CONTAINER_TYPES:
            self.field.children = []
        if self.field.type != "enum":
            self.field.enum = []
        self._on_structure()

    def _index(self) -> int:
        return next(i for i, f in enumerate(self.siblings) if f is self.field)

    def move(self, step: int) -> None:
        """Move this field up (-1) or down (+1) among its siblings."""
        i = self._index()
        j = i + step
        if 0 <= j < len(self.siblings):
            self.siblings[i], self.siblings[j] = self.siblings[j], self.siblings[i]
            self._on_structure()

    def delete(self) -> None:
        """Remove this field (and its children)."""
        del self.siblings[self._index()]
        self._on_structure()

    def append_child(self) -> None:
        """Add a new string field inside this object / array of objects."""
        self.field.children.append(Field(_free_name(self.field.children), "string"))
        self._on_structure()

    def show_problems(self, problems: list[Problem]) -> None:
        """Mark the row with its worst problem (hover for the messages)."""
        if not problems:
            self.lint.value = ""
            return
        worst = "error" if any(p.severity == "error" for p in problems) else "warning"
        colour = "#b91c1c" if worst == "error" else "#b45309"
        title = escape("\n".join(p.message for p in problems), quote=True)
        symbol = "✖" if worst == "error" else "!"
        self.lint.value = (
            f'<span title="{title}" style="color:{colour};font-weight:700">{symbol}</span>'
        )


def _icon_button(icon: str, tooltip: str) -> w.Button:
    return w.Button(icon=icon, tooltip=tooltip, layout=w.Layout(width="34px", padding="0"))


def _free_name(fields: list[Field]) -> str:
    taken = {f.name for f in fields}
    n = len(fields) + 1
    while f"field_{n}" in taken:
        n += 1
    return f"field_{n}"


class SchemaEditor(w.VBox):
    """Edit a schema as rows or as JSON; ``schema`` gives (and takes) the current Schema."""

    schema_json = traitlets.Unicode(help="The current schema as JSON text (valid JSON only).")
    json_error = traitlets.Unicode(help="Why the JSON view cannot be read, or ''.")
    problems: traitlets.List[Problem] = traitlets.List(help="Lint problems of the schema.")

    def __init__(self, schema: Any = None) -> None:
        self._schema = Schema.from_any(schema) if schema is not None else starter_schema()
        self._syncing = False
        self.rows: list[FieldRow] = []
        self.rows_box = w.VBox()
        self.add_button = w.Button(description="Add field", icon="plus", button_style="")
        self.add_button.on_click(lambda _: self.add_field())
        self.json_view = w.Textarea(
            placeholder="JSON Schema", layout=w.Layout(width="100%", height="260px")
        )
        self.json_view.add_class("lxnb-json")
        self.json_message = w.HTML()
        self.lint_view = w.HTML()
        self.import_source = w.Text(
            placeholder="schema.json, a pydantic class name such as Invoice, or module:Class",
            layout=w.Layout(flex="1 1 auto"),
        )
        self.import_button = w.Button(description="Import", icon="download")
        self.import_button.on_click(lambda _: self.import_from(self.import_source.value))
        self.import_message = w.HTML()
        self.export_json_button = w.Button(description="Export JSON", icon="file-code-o")
        self.export_pydantic_button = w.Button(description="Export pydantic", icon="file-code-o")
        self.export_view = w.Textarea(layout=w.Layout(width="100%", height="200px", display="none"))
        self.export_json_button.on_click(lambda _: self._show_export(self.schema.to_json()))
        self.export_pydantic_button.on_click(
            lambda _: self._show_export(self.schema.to_pydantic_source())
        )
        header = w.HTML(
            f'<div style="display:flex;gap:8px;font-weight:600;font-size:12px;color:{MUTED}">'
            '<span style="width:180px">Name</span><span style="width:150px">Type</span>'
            "<span>Description</span></div>"
        )
        super().__init__(
            [
                header,
                self.rows_box,
                self.add_button,
                self.lint_view,
                w.HTML("<b>JSON Schema</b> (edit here or in the rows; both stay in sync)"),
                self.json_view,
                self.json_message,
                w.HBox([self.import_source, self.import_button]),
                self.import_message,
                w.HBox([self.export_json_button, self.export_pydantic_button]),
                self.export_view,
            ]
        )
        self.add_class("lxnb-schema-editor")
        self.json_view.observe(self._json_edited, "value")
        self._rebuild()

    # --- public -------------------------------------------------------------------

    @property
    def schema(self) -> Schema:
        """A copy of the schema being edited."""
        return self._schema.copy()

    @schema.setter
    def schema(self, value: Any) -> None:
        self._schema = Schema.from_any(value)
        self._rebuild()

    def add_field(
        self, name: str | None = None, type: str = "string", description: str = ""
    ) -> FieldRow:
        """Append a field at the root and return its row."""
        field = Field(name or _free_name(self._schema.fields), type, description)
        self._schema.fields.append(field)
        self._rebuild()
        return next(r for r in self.rows if r.field is field)

    def import_from(self, source: str) -> None:
        """Load a schema from a JSON file, a pydantic class in the notebook, or module:Class."""
        source = source.strip()
        try:
            self.schema = _resolve_import(source)
        except (SchemaError, ImportError, AttributeError, OSError, ValueError) as exc:
            self.import_message.value = message(f"could not import {source!r}: {exc}")
            return
        self.import_message.value = message(f"imported {source}", "info")

    # --- syncing ------------------------------------------------------------------

    def _rebuild(self) -> None:
        """Recreate the rows from the schema, then refresh JSON and lint."""
        self._build_rows()
        self._refresh()

    def _build_rows(self) -> None:
        old = self.rows
        self.rows = []
        self._add_rows(self._schema.fields, 0)
        self.rows_box.children = self.rows
        for row in old:
            row.close()

    def _add_rows(self, fields: list[Field], depth: int) -> None:
        for field in fields:
            self.rows.append(FieldRow(field, fields, depth, self._refresh, self._rebuild))
            if field.type in CONTAINER_TYPES:
                self._add_rows(field.children, depth + 1)

    def _refresh(self) -> None:
        """Rewrite the JSON view and the lint messages after an edit of the rows."""
        text = self._schema.to_json()
        self._syncing = True
        try:
            self.json_view.value = text
        finally:
            self._syncing = False
        self.schema_json = text
        self.json_error = ""
        self.json_message.value = ""
        self._lint()

    def _lint(self) -> None:
        problems = self._schema.lint()
        self.problems = problems
        by_path: dict[str, list[Problem]] = {}
        for p in problems:
            by_path.setdefault(p.path, []).append(p)
        for row, path in zip(self.rows, _row_paths(self._schema.fields, ""), strict=True):
            row.show_problems(by_path.get(path, []))
        if not problems:
            self.lint_view.value = message("No problems found.", "info")
        else:
            self.lint_view.value = "".join(message(str(p), p.severity) for p in problems)

    def _json_edited(self, change: dict[str, Any]) -> None:
        if self._syncing:
            return
        text = change["new"]
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            self._json_failed(f"line {exc.lineno}, column {exc.colno}: {exc.msg}")
            return
        try:
            schema = Schema.from_dict(data)
        except SchemaError as exc:
            self._json_failed(str(exc))
            return
        self._schema = schema
        self._build_rows()
        self.schema_json = self._schema.to_json()
        self.json_error = ""
        self.json_message.value = ""
        self._lint()

    def _json_failed(self, reason: str) -> None:
        self.json_error = reason
        self.json_message.value = message(f"The JSON is not used until fixed: {reason}")

    def _show_export(self, text: str) -> None:
        self.export_view.value = text
        self.export_view.layout.display = ""


def _row_paths(fields: list[Field], parent: str) -> list[str]:
    """Lint paths of every field in row order (depth first)."""
    paths = []
    for index, field in enumerate(fields):
        path = field_path(parent, field, index)
        paths.append(path)
        if field.type in CONTAINER_TYPES:
            paths.extend(_row_paths(field.children, child_parent(field, path)))
    return paths


def _resolve_import(source: str) -> Any:
    """What ``source`` names: a JSON file, a name in the notebook's namespace, or module:Class."""
    if not source:
        raise ValueError("type a path to a JSON file, a pydantic class name, or module:Class")
    path = Path(source).expanduser()
    if path.suffix.lower() == ".json" or path.is_file():
        if not path.is_file():
            raise OSError(f"no file at {path.resolve()}")
        return Schema.from_json(path)
    if ":" in source:
        module_name, _, attribute = source.partition(":")
        return getattr(importlib.import_module(module_name), attribute)
    namespace = _notebook_namespace()
    if source not in namespace:
        raise ValueError(
            f"{source!r} is not defined in the notebook; run the cell that defines it, "
            "or give module:Class"
        )
    return namespace[source]


def _notebook_namespace() -> dict[str, Any]:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return {}
    shell = get_ipython()
    return dict(shell.user_ns) if shell is not None else {}
