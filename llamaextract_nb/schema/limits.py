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


def _string_chars(node: Any) -> int:
    if isinstance(node, str):
        return len(node)
    if isinstance(node, dict):
        return sum(len(str(k)) + _string_chars(v) for k, v in node.items())
    if isinstance(node, list):
        return sum(_string_chars(v) for v in node)
    return 0


def _walk(node: Any, path: str, depth: int, stats: dict[str, Any]) -> None:
    """Count properties and find the deepest nesting (and its path) below ``node``."""
    if not isinstance(node, dict):
        return
    if depth > stats["depth"]:
        stats["depth"], stats["deepest"] = depth, path
    for name, child in (node.get("properties") or {}).items():
        stats["properties"] += 1
        child_path = f"{path}.{name}" if path else name
        _walk(child, child_path, depth + 1, stats)
    if isinstance(node.get("items"), dict):
        _walk(node["items"], f"{path}[]", depth, stats)
    for key in ("anyOf", "oneOf", "allOf"):
        for option in node.get(key) or []:
            _walk(option, path, depth, stats)


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
    _walk(schema, "", 0, stats)
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
