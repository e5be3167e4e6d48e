"""Lint a :class:`~llamaextract_nb.schema.Schema`: the service's limits plus table mistakes."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from llamaextract_nb.schema.limits import check_limits

if TYPE_CHECKING:
    from llamaextract_nb.schema.model import Field, Schema

Severity = Literal["error", "warning"]

_PLAIN_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


@dataclass(frozen=True, slots=True)
class Problem:
    """One lint finding: where (a dotted path, ``""`` for the root), what, and how bad.

    ``error``: the service would refuse the schema or the table is ambiguous.
    ``warning``: it runs, but extraction or the resulting columns will likely suffer.
    """

    path: str
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        return f"{self.severity}: {self.path or '<root>'}: {self.message}"


def lint(schema: Schema) -> list[Problem]:
    """Every problem with ``schema``, errors first, in table order within each severity."""
    problems = [Problem(p.path, p.message) for p in check_limits(schema.to_json_schema())]
    if not schema.fields:
        problems.append(Problem("", "the schema has no fields; add at least one"))
    _lint_fields(schema.fields, "", problems)
    return sorted(problems, key=lambda p: p.severity != "error")


def field_path(parent: str, field: Field, index: int) -> str:
    """The dotted path lint uses for ``field`` (``#n`` stands in for an empty name)."""
    name = field.name if field.name.strip() else f"#{index + 1}"
    return f"{parent}.{name}" if parent else name


def child_parent(field: Field, path: str) -> str:
    """The parent path of ``field``'s children (``items[]`` for arrays of objects)."""
    return f"{path}[]" if field.type == "array of objects" else path


def _lint_fields(fields: list[Field], parent: str, problems: list[Problem]) -> None:
    counts = Counter(f.name for f in fields if f.name)
    for index, f in enumerate(fields):
        path = field_path(parent, f, index)
        if not f.name.strip():
            problems.append(Problem(path, f"field {index + 1} has no name; give it one"))
        elif counts[f.name] > 1:
            problems.append(
                Problem(path, f"the name {f.name!r} is used {counts[f.name]} times at this level")
            )
        elif not _PLAIN_NAME.match(f.name):
            problems.append(
                Problem(
                    path,
                    "names made of letters, digits and underscores map cleanly to columns and code",
                    "warning",
                )
            )
        if not f.description.strip():
            problems.append(
                Problem(path, "no description; one sentence helps the extractor", "warning")
            )
        if f.type == "enum":
            if not f.enum:
                problems.append(Problem(path, "an enum needs at least one value"))
            elif len(set(f.enum)) < len(f.enum):
                problems.append(Problem(path, "the enum lists a value twice", "warning"))
        if f.type in ("object", "array of objects"):
            if not f.children:
                problems.append(Problem(path, f"this {f.type} has no fields; add one"))
            _lint_fields(f.children, child_parent(f, path), problems)
