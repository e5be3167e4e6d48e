"""The service's schema limits (spec section 10.1), checked in one place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MAX_DEPTH = 7
MAX_PROPERTIES = 5_000
MAX_CHARACTERS = 120_000


@dataclass(frozen=True, slots=True)
class SchemaProblem:
    """One thing wrong with a schema: where (a dotted path, ``""`` for the root) and what."""

    path: str
    message: str
    limit: str | None = None  # "root", "depth", "properties", "characters", or None

    def __str__(self) -> str:
        return f"{self.path or '<root>'}: {self.message}"


def _string_chars(schema: Any) -> int:
    """Characters of every key and string value (an explicit stack: nothing recurses)."""
    total, stack = 0, [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            total += len(node)
        elif isinstance(node, dict):
            total += sum(len(str(k)) for k in node)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return total


def _walk(schema: dict[str, Any], stats: dict[str, Any]) -> None:
    """Count properties and find the deepest nesting (and its path), with an explicit stack."""
    stack: list[tuple[Any, str, int]] = [(schema, "", 0)]
    while stack:
        node, path, depth = stack.pop()
        if not isinstance(node, dict):
            continue
        if depth > stats["depth"]:
            stats["depth"], stats["deepest"] = depth, path
        children: list[tuple[Any, str, int]] = []
        properties = node.get("properties")
        for name, child in properties.items() if isinstance(properties, dict) else ():
            stats["properties"] += 1
            children.append((child, f"{path}.{name}" if path else name, depth + 1))
        if isinstance(node.get("items"), dict):
            children.append((node["items"], f"{path}[]", depth))
        for key in ("anyOf", "oneOf", "allOf"):
            options = node.get(key)
            if isinstance(options, list):
                children.extend((option, path, depth) for option in options)
        stack.extend(reversed(children))  # visited in schema order: ties name the first


def check_limits(schema: Any) -> list[SchemaProblem]:
    """Return every limit ``schema`` breaks (empty when it is usable)."""
    if not isinstance(schema, dict):
        return [SchemaProblem("", "the schema must be a JSON object", "root")]
    problems: list[SchemaProblem] = []
    if schema.get("type") != "object":
        problems.append(
            SchemaProblem(
                "", f'the root must have "type": "object" (got {schema.get("type")!r})', "root"
            )
        )
    stats: dict[str, Any] = {"depth": 0, "deepest": "", "properties": 0}
    _walk(schema, stats)
    if stats["depth"] > MAX_DEPTH:
        problems.append(
            SchemaProblem(
                stats["deepest"],
                f"nesting depth {stats['depth']} exceeds the limit of {MAX_DEPTH}",
                "depth",
            )
        )
    if stats["properties"] > MAX_PROPERTIES:
        problems.append(
            SchemaProblem(
                "",
                f"{stats['properties']} properties exceed the limit of {MAX_PROPERTIES:,}",
                "properties",
            )
        )
    chars = _string_chars(schema)
    if chars > MAX_CHARACTERS:
        problems.append(
            SchemaProblem(
                "",
                f"{chars:,} characters of names, descriptions and values exceed the "
                f"limit of {MAX_CHARACTERS:,}",
                "characters",
            )
        )
    return problems
