"""Turn any schema a user hands us into a plain JSON Schema dict.

Accepted: a dict, a JSON string, a path to a JSON file, a pydantic model class, or an
object with a ``to_json_schema()`` method (such as :class:`~llamaextract_nb.schema.Schema`).
``$ref`` / ``$defs`` are inlined (:func:`~llamaextract_nb.schema.refs.inline_refs`, bounded
before it expands) because the service's support for them is unconfirmed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from llamaextract_nb.schema.refs import SchemaError, inline_refs

__all__ = ["SchemaError", "inline_refs", "to_json_schema"]


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
