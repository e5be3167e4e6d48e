"""The column layout of the result frames, read from the JSON Schema (or, lacking one, the data).

A :class:`Layout` lists the flat columns of one frame (nested objects become dotted paths)
and, separately, every array of objects below it, which gets a frame of its own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from llamaextract_nb.schema.refs import SchemaError, inline_refs, unwrap

Kind = Literal["number", "integer", "boolean", "date", "enum", "string", "list", "object", "any"]

_DATE_WORDS = frozenset({"date", "dates", "dob", "birthday", "birthdate", "datetime", "timestamp"})
_DATE_IN_TEXT = re.compile(r"\bdates?\b|\bdate[- ]time\b|\btimestamp\b", re.IGNORECASE)
_WORD_SPLIT = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])")


@dataclass(frozen=True)
class Column:
    """One flat column: its dotted path, the kind that decides its dtype, enum values if any."""

    path: str
    kind: Kind = "any"
    enum: tuple[Any, ...] = ()


@dataclass
class Layout:
    """Columns of one frame plus the layouts of the arrays of objects below it, by dotted path."""

    columns: list[Column] = field(default_factory=list)
    arrays: dict[str, Layout] = field(default_factory=dict)

    @property
    def paths(self) -> set[str]:
        return {column.path for column in self.columns}

    @property
    def nested_paths(self) -> set[str]:
        """Paths of nested objects that were flattened into dotted columns."""
        return {
            column.path[:dot]
            for column in self.columns
            for dot in range(len(column.path))
            if column.path[dot] == "."
        }

    @property
    def object_paths(self) -> set[str]:
        """Paths kept whole in one cell (free-form objects), not flattened."""
        return {column.path for column in self.columns if column.kind == "object"}


def layout_from_schema(schema: dict[str, Any]) -> Layout:
    """Columns in schema order, typed from ``type`` / ``format`` / ``enum`` (dates also by name).

    A schema whose ``$ref``s cannot be expanded (cyclic, dangling, too large) gives no
    columns: the data's own layout is used instead. Read once per distinct schema (a batch's
    10,000 results share one; property order is column order, so it is part of the key);
    each call gets its own copy.
    """
    try:
        key = json.dumps(schema, default=repr)
    except (RecursionError, ValueError):  # too deep to key: read below, which refuses it
        return _schema_layout(schema)
    if key not in _SCHEMA_LAYOUTS:
        if len(_SCHEMA_LAYOUTS) >= 64:
            _SCHEMA_LAYOUTS.pop(next(iter(_SCHEMA_LAYOUTS)), None)
        _SCHEMA_LAYOUTS[key] = _schema_layout(schema)
    return _copied(_SCHEMA_LAYOUTS[key])


_SCHEMA_LAYOUTS: dict[str, Layout] = {}


def _schema_layout(schema: dict[str, Any]) -> Layout:
    layout = Layout()
    try:
        expanded = inline_refs(schema)
    except SchemaError:
        return layout
    _add_object(layout, expanded, "")
    return layout


def _copied(layout: Layout) -> Layout:
    return Layout(list(layout.columns), {path: _copied(sub) for path, sub in layout.arrays.items()})


def layout_from_data(items: Iterable[Any]) -> Layout:
    """Columns in order of first appearance, untyped; lists of objects become arrays."""
    layout = Layout()
    for item in items:
        if isinstance(item, dict):
            _add_data(layout, item, "")
    return _without_null_objects(layout)


def _without_null_objects(layout: Layout) -> Layout:
    """Drop columns made from a null where other items have an object (or array) there."""
    nested = layout.nested_paths | set(layout.arrays)
    layout.columns = [c for c in layout.columns if c.path not in nested]
    for path, sub in layout.arrays.items():
        layout.arrays[path] = _without_null_objects(sub)
    return layout


def merge_layouts(primary: Layout, extra: Layout) -> Layout:
    """``primary`` plus whatever ``extra`` has that ``primary`` does not cover (appended)."""
    covered = primary.paths | set(primary.arrays) | primary.nested_paths
    whole = primary.object_paths
    merged = Layout(list(primary.columns), dict(primary.arrays))
    for column in extra.columns:
        if not _is_covered(column.path, covered, whole):
            merged.columns.append(column)
            covered.add(column.path)
    for path, sub in extra.arrays.items():
        if path in merged.arrays:
            merged.arrays[path] = merge_layouts(merged.arrays[path], sub)
        elif not _is_covered(path, covered, whole):
            merged.arrays[path] = sub
    return merged


def _is_covered(path: str, covered: set[str], whole: set[str]) -> bool:
    return path in covered or any(path.startswith(prefix + ".") for prefix in whole)


def _add_data(layout: Layout, obj: dict[str, Any], prefix: str) -> None:
    for key, value in obj.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            _add_data(layout, value, path + ".")
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            sub = layout.arrays.setdefault(path, Layout())
            for element in value:
                _add_data(sub, element, "")
        elif path not in layout.arrays and all(c.path != path for c in layout.columns):
            layout.columns.append(Column(path, "list" if isinstance(value, list) else "any"))


def _add_object(layout: Layout, node: dict[str, Any], prefix: str) -> None:
    properties = node.get("properties")
    if not isinstance(properties, dict):
        return
    for key, raw in properties.items():
        path = f"{prefix}{key}"
        sub = _node(raw)
        kind = _kind(sub, key)
        if kind == "object" and isinstance(sub.get("properties"), dict):
            _add_object(layout, sub, path + ".")
        elif kind == "list" and _is_object_items(sub):
            items = _node(sub.get("items"))
            child = Layout()
            _add_object(child, items, "")
            layout.arrays[path] = child
        else:
            enum = tuple(v for v in sub.get("enum", ()) if v is not None) if kind == "enum" else ()
            layout.columns.append(Column(path, kind, enum))


def _is_object_items(node: dict[str, Any]) -> bool:
    items = _node(node.get("items"))
    return _kind(items, "") == "object" and isinstance(items.get("properties"), dict)


def _node(node: Any) -> dict[str, Any]:
    """A property's schema without nullable wrappers (refs were inlined before)."""
    return unwrap(node)[0] if isinstance(node, dict) else {}


def _kind(node: dict[str, Any], name: str) -> Kind:
    if isinstance(node.get("enum"), list):
        return "enum"
    types = node.get("type")
    if isinstance(types, list):  # several types left by unwrap(): untyped
        types = None
    if types is None and isinstance(node.get("properties"), dict):
        types = "object"
    if types == "string":
        return "date" if _is_date(node, name) else "string"
    if types == "array":
        return "list"
    kinds: dict[Any, Kind] = {"number": "number", "integer": "integer", "boolean": "boolean"}
    return kinds.get(types, "object" if types == "object" else "any")


def _is_date(node: dict[str, Any], name: str) -> bool:
    if node.get("format") in ("date", "date-time"):
        return True
    words = {w.lower() for w in _WORD_SPLIT.split(name) if w}
    description = node.get("description")
    return bool(words & _DATE_WORDS) or (
        isinstance(description, str) and bool(_DATE_IN_TEXT.search(description))
    )
