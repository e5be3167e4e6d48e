"""``Schema``: an extraction schema as an editable table of fields, convertible to JSON Schema.

A :class:`Schema` is a list of :class:`Field` rows (name, type, description, required,
enum values, child fields). It converts both ways with JSON Schema, reads pydantic model
classes, and writes the source code of an equivalent pydantic model. It is accepted
everywhere a schema is, because it has ``to_json_schema()``.
"""

from __future__ import annotations

import copy
import json
import keyword
import os
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from llamaextract_nb.schema.convert import SchemaError, to_json_schema
from llamaextract_nb.schema.refs import unwrap

if TYPE_CHECKING:
    from llamaextract_nb.schema.lint import Problem

FIELD_TYPES = (
    "string",
    "number",
    "integer",
    "boolean",
    "date",
    "enum",
    "object",
    "array of objects",
    "array of strings",
)
"""The field types the table knows, in the order the editor offers them."""

CONTAINER_TYPES = frozenset({"object", "array of objects"})
"""Field types that hold child fields."""

_SCALARS = ("string", "number", "integer", "boolean")


@dataclass
class Field:
    """One row of the table: a named, typed, described field (with children for containers)."""

    name: str
    type: str = "string"
    description: str = ""
    required: bool = True
    enum: list[str] = field(default_factory=list)
    children: list[Field] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.type not in FIELD_TYPES:
            raise SchemaError(
                f"field {self.name!r} has unknown type {self.type!r}; "
                f"use one of: {', '.join(FIELD_TYPES)}"
            )

    def to_json_schema(self) -> dict[str, Any]:
        """This field's JSON Schema node."""
        node: dict[str, Any]
        if self.type in _SCALARS:
            node = {"type": self.type}
        elif self.type == "date":
            node = {"type": "string", "format": "date"}
        elif self.type == "enum":
            node = {"type": "string", "enum": list(self.enum)}
        elif self.type == "object":
            node = _object_node(self.children)
        elif self.type == "array of objects":
            node = {"type": "array", "items": _object_node(self.children)}
        else:  # array of strings
            node = {"type": "array", "items": {"type": "string"}}
        if self.description:
            node["description"] = self.description
        return node


def _object_node(fields: list[Field], description: str = "") -> dict[str, Any]:
    node: dict[str, Any] = {"type": "object"}
    if description:
        node["description"] = description
    node["properties"] = {f.name: f.to_json_schema() for f in fields}
    required = [f.name for f in fields if f.required]
    if required:
        node["required"] = required
    return node


@dataclass
class Schema:
    """An extraction schema as a table of fields (``fields``) with an optional root description."""

    fields: list[Field] = field(default_factory=list)
    description: str = ""

    # --- reading ------------------------------------------------------------------

    @classmethod
    def from_dict(cls, schema: dict[str, Any]) -> Schema:
        """Read a JSON Schema dict (``$ref``s inlined, ``anyOf`` with null read as optional)."""
        if not isinstance(schema, dict):
            raise SchemaError(f"expected a JSON Schema dict, got a {type(schema).__name__}")
        root = unwrap(to_json_schema(schema))[0]
        if root.get("type", "object") != "object" or (
            "type" not in root and "properties" not in root
        ):
            raise SchemaError(
                f'the root of an extraction schema must be "type": "object" '
                f"(got {root.get('type')!r}); wrap your fields in an object"
            )
        return cls(_read_fields(root, ""), description=str(root.get("description") or ""))

    @classmethod
    def from_json(cls, source: str | os.PathLike[str]) -> Schema:
        """Read JSON text or a path to a ``.json`` file."""
        return cls.from_dict(to_json_schema(source))

    @classmethod
    def from_model(cls, model: type) -> Schema:
        """Read a pydantic model class."""
        if not (isinstance(model, type) and hasattr(model, "model_json_schema")):
            raise SchemaError(
                f"from_model() needs a pydantic model class, got {model!r}; "
                "pass the class itself (Invoice), not an instance"
            )
        return cls.from_dict(model.model_json_schema())

    @classmethod
    def from_any(cls, schema: Any) -> Schema:
        """Read a Schema, dict, JSON text or path, or pydantic class."""
        if isinstance(schema, Schema):
            return schema.copy()
        if isinstance(schema, type):
            return cls.from_model(schema)
        return cls.from_dict(to_json_schema(schema))

    # --- writing ------------------------------------------------------------------

    def to_json_schema(self) -> dict[str, Any]:
        """The JSON Schema of this table (root object, ``required`` lists, date as format)."""
        return _object_node(self.fields, self.description)

    def to_json(self, indent: int | None = 2) -> str:
        """The JSON Schema as text."""
        return json.dumps(self.to_json_schema(), indent=indent, ensure_ascii=False)

    def to_pydantic_source(self, class_name: str = "ExtractionSchema") -> str:
        """Python source of an equivalent pydantic model (nested classes first)."""
        if not class_name.isidentifier() or keyword.iskeyword(class_name):
            raise SchemaError(f"class name {class_name!r} is not a Python identifier")
        return _SourceWriter().write(self, class_name)

    # --- checking and copying -----------------------------------------------------

    def lint(self) -> list[Problem]:
        """Every problem with this schema: limits, names, empty containers, missing descriptions."""
        from llamaextract_nb.schema.lint import lint

        return lint(self)

    def copy(self) -> Schema:
        """A deep copy (rows can be edited without touching this one)."""
        return copy.deepcopy(self)


# --- JSON Schema -> fields ---------------------------------------------------------------


def _read_fields(node: dict[str, Any], path: str) -> list[Field]:
    properties = node.get("properties") or {}
    if not isinstance(properties, dict):
        raise SchemaError(f"{path or '<root>'}: 'properties' must be an object")
    required = set(node.get("required") or [])
    return [
        _read_field(name, child, f"{path}.{name}" if path else name, name in required)
        for name, child in properties.items()
    ]


def _read_field(name: str, raw: Any, path: str, required: bool) -> Field:
    if not isinstance(raw, dict):
        raise SchemaError(f"{path}: a property must be a JSON Schema object, got {raw!r}")
    node = unwrap(raw)[0]
    description = str(node.get("description") or "")
    kind = node.get("type")
    if "enum" in node and kind in (None, "string"):
        values = [str(v) for v in node["enum"] if v is not None]
        return Field(name, "enum", description, required, enum=values)
    if "const" in node and kind in (None, "string"):
        return Field(name, "enum", description, required, enum=[str(node["const"])])
    if kind == "object" or (kind is None and "properties" in node):
        return Field(name, "object", description, required, children=_read_fields(node, path))
    if kind == "array":
        items = unwrap(node.get("items") or {})[0]
        item_kind = items.get("type")
        if item_kind == "object" or (item_kind is None and "properties" in items):
            children = _read_fields(items, f"{path}[]")
            return Field(name, "array of objects", description, required, children=children)
        if item_kind == "string" and "enum" not in items and "format" not in items:
            return Field(name, "array of strings", description, required)
        raise SchemaError(
            f"{path}: arrays of {item_kind or 'untyped items'} are not supported; "
            "use an array of strings or an array of objects"
        )
    if kind == "string":
        kind_name = "date" if node.get("format") == "date" else "string"
        return Field(name, kind_name, description, required)
    if kind in _SCALARS:
        return Field(name, str(kind), description, required)
    raise SchemaError(
        f"{path}: cannot read a field of type {kind!r}; give it one of the JSON types "
        "string, number, integer, boolean, object or array"
    )


# --- fields -> pydantic source ------------------------------------------------------------

_PY_TYPES = {
    "string": "str",
    "number": "float",
    "integer": "int",
    "boolean": "bool",
    "date": "date",
    "array of strings": "list[str]",
}
_BASEMODEL_NAMES = frozenset(dir(BaseModel))


def _class_name(name: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name))
    text = "".join(w[:1].upper() + w[1:] for w in words) or "Item"
    return text if text[0].isalpha() else f"Item{text}"


def _attribute(name: str, index: int) -> tuple[str, bool]:
    """A Python attribute name for a field and whether it needs an alias."""
    if (
        name.isidentifier()
        and not keyword.iskeyword(name)
        and not name.startswith("_")
        and not name.startswith("model_")
        and name not in _BASEMODEL_NAMES
    ):
        return name, False
    cleaned = re.sub(r"\W+", "_", name).strip("_").lower()
    if not cleaned or not cleaned[0].isalpha() or keyword.iskeyword(cleaned):
        cleaned = f"field_{index + 1}"
    return f"{cleaned}_", True


class _SourceWriter:
    """Writes nested classes before the classes that use them, with unique class names."""

    def __init__(self) -> None:
        self.blocks: list[str] = []
        self.taken: set[str] = set()
        self.needs_date = False
        self.needs_literal = False

    def write(self, schema: Schema, class_name: str) -> str:
        self.taken.add(class_name)
        self._class(class_name, schema.fields, schema.description)
        header = []
        if self.needs_date:
            header.append("from datetime import date")
        if self.needs_literal:
            header.append("from typing import Literal")
        if header:
            header.append("")
        header.append("from pydantic import BaseModel, Field")
        return "\n".join(header) + "\n\n\n" + "\n\n\n".join(self.blocks) + "\n"

    def _unique(self, base: str) -> str:
        name, n = base, 2
        while name in self.taken:
            name, n = f"{base}{n}", n + 1
        self.taken.add(name)
        return name

    def _annotation(self, f: Field) -> str:
        if f.type == "date":
            self.needs_date = True
        if f.type in _PY_TYPES:
            return _PY_TYPES[f.type]
        if f.type == "enum":
            self.needs_literal = True
            return f"Literal[{', '.join(repr(v) for v in f.enum)}]" if f.enum else "str"
        child = self._unique(_class_name(f.name))
        self._class(child, f.children, "")
        return child if f.type == "object" else f"list[{child}]"

    def _class(self, class_name: str, fields: list[Field], description: str) -> None:
        lines = [f"class {class_name}(BaseModel):"]
        if description:
            plain = '"' not in description and "\\" not in description
            docstring = f'"""{description}"""' if plain else json.dumps(description)
            lines.append(f"    {docstring}")
            lines.append("")
        for index, f in enumerate(fields):
            annotation = self._annotation(f)
            attribute, aliased = _attribute(f.name, index)
            args = []
            if not f.required:
                annotation = f"{annotation} | None"
                args.append("default=None")
            if aliased:
                args.append(f"alias={f.name!r}")
            if f.description:
                args.append(f"description={f.description!r}")
            value = f" = Field({', '.join(args)})" if args else ""
            lines.append(f"    {attribute}: {annotation}{value}")
        if not fields:
            lines.append("    pass")
        self.blocks.append("\n".join(lines))
