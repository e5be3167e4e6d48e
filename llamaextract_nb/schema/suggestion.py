"""Suggested schemas: where each field was found, and merging them into a schema by choice.

A :class:`SchemaSuggestion` is what ``client.suggest_schema()`` returns: the suggested
:class:`~llamaextract_nb.schema.Schema`, the sources of each field (document, page, label,
value) and notes. :func:`compare` lists, per suggested field, whether the user's schema
already has it (by name, or by a name that reads as one of the labels it was found
under); :func:`merge` adds the accepted ones. What the user wrote is never replaced: a
field already present keeps its name, type and description, and only gains the children
it lacks.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from llamaextract_nb.schema.model import CONTAINER_TYPES, Field, Schema

SOURCES_KEY = "field_sources"
"""Where a generated configuration's ``parameters`` carry each field's sources (local server)."""


@dataclass(frozen=True, slots=True)
class FieldSource:
    """Where a suggested field was found."""

    document: str
    page: int
    label: str
    value: str
    file_id: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FieldSource:
        return cls(
            document=str(data.get("document") or data.get("file_id") or ""),
            page=int(data.get("page") or 1),
            label=str(data.get("label") or ""),
            value=str(data.get("value") or ""),
            file_id=data.get("file_id"),
        )

    def __str__(self) -> str:
        label = f'"{self.label}"' if self.label else "no label"
        return f"{self.document} p.{self.page}, {label}: {self.value}"


@dataclass(slots=True)
class FieldChange:
    """One suggested top-level field compared with the user's schema.

    ``status`` is ``"new"`` (accepting adds it) or ``"present"`` (the user's ``existing``
    field is kept; accepting adds only ``added_children``).
    """

    field: Field
    status: str
    existing: str | None = None
    added_children: list[str] = dataclasses.field(default_factory=list)
    type_differs: bool = False
    sources: list[FieldSource] = dataclasses.field(default_factory=list)

    @property
    def name(self) -> str:
        return self.field.name

    @property
    def changes_anything(self) -> bool:
        """Whether accepting it would change the user's schema."""
        return self.status == "new" or bool(self.added_children)


@dataclass(slots=True)
class SchemaSuggestion:
    """A suggested schema with the sources of its fields (by dotted path, ``buyer.name``)."""

    name: str
    schema: Schema
    sources: dict[str, list[FieldSource]] = dataclasses.field(default_factory=dict)
    notes: list[str] = dataclasses.field(default_factory=list)
    file_ids: list[str] = dataclasses.field(default_factory=list)

    @classmethod
    def from_response(cls, data: Mapping[str, Any]) -> SchemaSuggestion:
        """Read a ``schema/generate`` answer (``{"name", "parameters": {"data_schema"...}}``)."""
        parameters = data.get("parameters") or {}
        sources = {
            str(path): [FieldSource.from_dict(s) for s in found if isinstance(s, Mapping)]
            for path, found in (parameters.get(SOURCES_KEY) or {}).items()
            if isinstance(found, list)
        }
        return cls(
            name=str(data.get("name") or ""),
            schema=Schema.from_dict(parameters.get("data_schema") or {"type": "object"}),
            sources=sources,
            notes=[str(n) for n in parameters.get("notes") or []],
            file_ids=[str(f) for f in parameters.get("file_ids") or []],
        )

    def to_json_schema(self) -> dict[str, Any]:
        """The suggested schema as JSON Schema (so a suggestion is accepted as a schema)."""
        return self.schema.to_json_schema()

    def labels(self, path: str) -> list[str]:
        """The labels a field was found under."""
        return [s.label for s in self.sources.get(path, []) if s.label]

    def compare(self, existing: Schema) -> list[FieldChange]:
        """Each suggested field against ``existing`` (see :func:`compare`)."""
        return compare(existing, self.schema, self._labels_by_name())

    def merge_into(self, existing: Schema, accept: Collection[str] | None = None) -> Schema:
        """``existing`` with the accepted fields added (all when ``accept`` is None)."""
        return merge(existing, self.schema, accept, self._labels_by_name())

    def _repr_html_(self) -> str:
        """A table of the suggested fields with where each was found (text escaped)."""
        rows = []

        def walk(fields: list[Field], prefix: str) -> None:
            for f in fields:
                path = f"{prefix}{f.name}"
                found = self.sources.get(path, [])
                where = "<br>".join(escape(str(source)) for source in found[:3])
                more = f"<br>and {len(found) - 3} more" if len(found) > 3 else ""
                rows.append(
                    f"<tr><td><code>{escape(path)}</code></td><td>{escape(f.type)}</td>"
                    f"<td>{escape(f.description)}</td><td>{where}{more}</td></tr>"
                )
                walk(f.children, f"{path}.")

        walk(self.schema.fields, "")
        notes = "".join(f"<p>{escape(note)}</p>" for note in self.notes)
        return (
            f"<b>{escape(self.name or 'Suggested schema')}</b>{notes}<table>"
            "<tr><th>field</th><th>type</th><th>description</th><th>found</th></tr>"
            f"{''.join(rows)}</table>"
        )

    def _labels_by_name(self) -> dict[str, list[str]]:
        return {path: self.labels(path) for path in self.sources}


def _words(text: str) -> str:
    parts = re.findall(r"[a-z0-9]+", re.sub(r"([a-z])([A-Z])", r"\1 \2", text).lower())
    return " ".join("number" if p in ("no", "nr", "num") else p for p in parts)


def find_existing(
    suggested: Field, fields: Sequence[Field], labels: Sequence[str] = ()
) -> Field | None:
    """The user's field that ``suggested`` is: same name, or a name reading as its label."""
    names = {_words(suggested.name), *(_words(label) for label in labels)}
    names.discard("")
    for existing in fields:
        if existing.name == suggested.name:
            return existing
    for existing in fields:
        if _words(existing.name) in names:
            return existing
    return None


def _new_children(
    existing: Field, suggested: Field, labels: Mapping[str, Sequence[str]], path: str
) -> list[Field]:
    if existing.type not in CONTAINER_TYPES or suggested.type not in CONTAINER_TYPES:
        return []
    return [
        child
        for child in suggested.children
        if find_existing(child, existing.children, labels.get(f"{path}.{child.name}", ())) is None
    ]


def compare(
    existing: Schema, suggested: Schema, labels: Mapping[str, Sequence[str]] | None = None
) -> list[FieldChange]:
    """One :class:`FieldChange` per suggested top-level field, in the suggestion's order."""
    labels = labels or {}
    changes = []
    for f in suggested.fields:
        match = find_existing(f, existing.fields, labels.get(f.name, ()))
        if match is None:
            changes.append(FieldChange(f, "new"))
            continue
        children = _new_children(match, f, labels, f.name)
        changes.append(
            FieldChange(
                f,
                "present",
                existing=match.name,
                added_children=[c.name for c in children],
                type_differs=match.type != f.type,
            )
        )
    return changes


def merge(
    existing: Schema,
    suggested: Schema,
    accept: Collection[str] | None = None,
    labels: Mapping[str, Sequence[str]] | None = None,
) -> Schema:
    """A copy of ``existing`` with the suggested fields named in ``accept`` (all when None)
    added after the user's; a field the user has keeps everything the user wrote and only
    gains the children it lacks (for objects and arrays of objects)."""
    labels = labels or {}
    merged = existing.copy()
    for f in suggested.fields:
        if accept is not None and f.name not in accept:
            continue
        match = find_existing(f, merged.fields, labels.get(f.name, ()))
        if match is None:
            merged.fields.append(copy.deepcopy(f))
        else:
            match.children.extend(copy.deepcopy(_new_children(match, f, labels, f.name)))
    return merged
