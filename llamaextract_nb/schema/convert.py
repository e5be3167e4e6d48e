"""Turn any schema a user hands us into a plain JSON Schema dict.

Accepted: a dict, a JSON string, a path to a JSON file, a pydantic model class, or an
object with a ``to_json_schema()`` method (such as :class:`~llamaextract_nb.schema.Schema`).
``$ref`` / ``$defs`` are inlined because the service's support for them is unconfirmed.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

from llamaextract_nb.errors import LlamaExtractError


class SchemaError(LlamaExtractError, ValueError):
    """A schema could not be read or is not usable; the message says what and how to fix it."""


def to_json_schema(schema: Any) -> dict[str, Any]:
    """Return ``schema`` as a self-contained JSON Schema dict (refs inlined)."""
    if hasattr(schema, "to_json_schema") and not isinstance(schema, type):
        return inline_refs(schema.to_json_schema())
    if isinstance(schema, type) and hasattr(schema, "model_json_schema"):
        return inline_refs(schema.model_json_schema())
    if isinstance(schema, dict):
        return inline_refs(schema)
    if isinstance(schema, os.PathLike) or (
        isinstance(schema, str) and not schema.lstrip().startswith(("{", "["))
    ):
        path = Path(schema)
        if not path.is_file():
            raise SchemaError(
                f"schema {str(schema)!r} is neither JSON text nor an existing file; "
                "pass a dict, a JSON string, a .json path or a pydantic model class"
            )
        return to_json_schema(_loads(path.read_text(encoding="utf-8"), source=str(path)))
    if isinstance(schema, (str, bytes)):
        text = schema.decode() if isinstance(schema, bytes) else schema
        return to_json_schema(_loads(text, source="the JSON string"))
    raise SchemaError(
        f"cannot use a {type(schema).__name__} as a schema; "
        "pass a dict, a JSON string, a .json path or a pydantic model class"
    )


def _loads(text: str, *, source: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SchemaError(
            f"invalid JSON in {source} at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    if not isinstance(value, dict):
        raise SchemaError(f"{source} holds a JSON {type(value).__name__}, not an object schema")
    return value


def inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """Return a copy of ``schema`` with local ``$ref``s replaced by their definitions."""
    defs: dict[str, Any] = {}
    for key in ("$defs", "definitions"):
        defs.update({f"#/{key}/{name}": value for name, value in schema.get(key, {}).items()})

    def resolve(node: Any, seen: tuple[str, ...]) -> Any:
        if isinstance(node, list):
            return [resolve(item, seen) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str):
            if ref not in defs:
                raise SchemaError(f"$ref {ref!r} points at no definition in this schema")
            if ref in seen:
                raise SchemaError(f"$ref {ref!r} is recursive; recursive schemas are not supported")
            target = resolve(copy.deepcopy(defs[ref]), (*seen, ref))
            siblings = {k: resolve(v, seen) for k, v in node.items() if k != "$ref"}
            return {**target, **siblings}
        return {k: resolve(v, seen) for k, v in node.items() if k not in ("$defs", "definitions")}

    result = resolve(schema, ())
    assert isinstance(result, dict)
    return result
